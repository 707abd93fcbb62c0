"""XLSForms written by others (../shared/testdata/xlsform): what they become here."""
import pytest

from survey_app.questionnaire.xlsform import import_xlsform


@pytest.fixture(scope="module")
def forms(shared_testdata):
    return shared_testdata / "xlsform"


def _notes(result, text):
    return [n for n in result.notes if text in n.message]


def test_reach_needs_assessment_in_english_and_french(forms):
    result = import_xlsform(forms / "reach_msna_idem_form_en_fr.xlsx")
    assert result.usable, result.report_lines()[:20]
    definition = result.definition
    assert definition.languages == ["fr", "en"]
    consent = definition.questions["consent"]
    assert consent.type == "single"
    assert consent.labels["fr"] != consent.labels["en"]  # the French column, not a copy
    assert definition.questions["intro_hh"].show_if == 'selected(consent, "yes")'
    assert len(definition.questions) > 450
    assert sum(1 for q in definition.questions.values() if q.show_if) > 250
    # groups become pages, their conditions the section's
    assert len(definition.sections) > 30
    # what has no place here is listed with its row, never dropped silently
    assert _notes(result, "répétition (begin repeat")
    assert _notes(result, "calcul (calculate)")
    assert any(n.row and n.sheet == "survey" for n in _notes(result, "position GPS"))
    # exclusive "don't know" options read from the constraints
    assert sum(o.exclusive for q in definition.questions.values() for o in q.options) > 100
    # the form's own inconsistencies are reported, the rest kept
    assert _notes(result, "n'est pas un code de la question")


def test_english_arabic_form(forms):
    result = import_xlsform(forms / "impact_cleaningtools_form_en_ar.xlsx")
    assert result.usable, result.report_lines()[:20]
    definition = result.definition
    assert definition.languages == ["fr", "en", "ar"]
    assert _notes(result, "pas de libellés en français")
    question = definition.questions["will_to_response_r"]
    assert question.labels["ar"].startswith("اذا")
    assert question.labels["fr"] == question.labels["en"]
    assert question.show_if == 'selected(hhh_r, "no")'
    assert _notes(result, "métadonnée « deviceid » non reprise")
    assert [n.row for n in _notes(result, "« 0.5 » récrit « 0_5 »")] == [77]


@pytest.mark.parametrize("name", ["epfl_wash_health_abidjan_2022_fr.xls",
                                  "epfl_wash_health_abidjan_2022_fr.survey.csv"])
def test_french_household_survey_duplicate_names(forms, name):
    """pyxform refuses this form too (row 62): two questions of one group share a name."""
    result = import_xlsform(forms / name)
    assert not result.usable and result.definition is None
    assert ("survey", 62, "HandWashHabits1") in [(e.sheet, e.row, e.name) for e in result.errors]
    assert all("nom en double" in e.message for e in result.errors)


def test_pyxform_fixtures(forms):
    biomass = import_xlsform(forms / "UCL_Biomass_Plot_Form.xlsx")
    assert biomass.usable and biomass.definition.languages == ["fr", "sw", "en"]
    assert _notes(biomass, "choix depuis un fichier")
    upper = import_xlsform(forms / "case_insensitivity.xlsx")  # SURVEY, LABEL::EN…
    assert upper.usable and "en" in upper.definition.languages
    assert [e.row for e in upper.errors] == []
    other = import_xlsform(forms / "or_other.xlsx")  # "list name", select_one … or_other
    assert other.usable
    colour = other.definition.questions["fav_color"]
    assert colour.other_option is not None and colour.other_option.code == "other"
    cascading = import_xlsform(forms / "xlsform_org_cascading_select.xlsx")
    assert cascading.usable
    assert _notes(cascading, "filtre de choix")
    flat = import_xlsform(forms / "flat_xlsform_test.xlsx")
    assert flat.usable and set(flat.definition.languages) == {"fr", "en", "zh"}
    dates = import_xlsform(forms / "xl_date_ambiguous.xlsx")
    assert dates.usable


def test_pyxform_error_cases(forms):
    duplicate = import_xlsform(forms / "duplicate_columns.xlsx")
    assert not duplicate.usable
    assert [(e.sheet, e.row) for e in duplicate.errors] == [("survey", 1)]
    assert "colonne en double « label »" in duplicate.errors[0].message
    misspelt = import_xlsform(forms / "extra_sheet_names.xlsx")
    assert not misspelt.usable
    assert any("stettings" in e.message and "settings" in e.message for e in misspelt.errors)


def test_form_made_of_a_repeat_only(forms):
    result = import_xlsform(forms / "tutorial.xls")  # legacy .xls, everything repeated
    assert not result.usable
    assert _notes(result, "répétition (begin repeat, lignes 2 à 13)")
    assert "aucune question reprise" in result.errors[0].message
