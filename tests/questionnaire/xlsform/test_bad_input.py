"""Bad XLSForms: every problem listed with its sheet and row, nothing produced."""
import pytest

from survey_app.questionnaire.xlsform import import_xlsform
from survey_app.questionnaire.xlsform.relevant import (Unrepresentable, XPathSyntaxError,
                                                       parse_xpath)


def write_form(path, survey, choices=None, settings=None):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is not None:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
    book.save(path)
    return path


GOOD_SURVEY = [
    ["type", "name", "label::Français (fr)", "label::English (en)", "relevant", "required"],
    ["select_one yn", "smoker", "Fumez-vous ?", "Do you smoke?", "", "yes"],
    ["integer", "per_day", "Combien par jour ?", "How many a day?", "${smoker} = 'yes'", ""],
    ["geopoint", "where", "Où ?", "Where?", "", ""],
]
CHOICES = [["list name", "name", "label::Français (fr)", "label::English (en)"],
           ["yn", "yes", "Oui", "Yes"], ["yn", "no", "Non", "No"]]


def test_a_good_form(tmp_path):
    result = import_xlsform(write_form(tmp_path / "f.xlsx", GOOD_SURVEY, CHOICES))
    assert result.usable
    assert result.definition.questions["per_day"].show_if == 'smoker = "yes"'
    assert result.definition.questions["smoker"].required
    assert [(n.sheet, n.row, n.name) for n in result.notes] == [("survey", 4, "where")]


def test_not_a_spreadsheet(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0" + bytes(range(256)))
    result = import_xlsform(path)
    assert not result.usable and result.definition is None
    assert "n'est pas un classeur XLSForm" in result.errors[0].message
    zipped = tmp_path / "archive.xlsx"
    zipped.write_bytes(b"PK\x03\x04 not really a zip")
    assert "n'est pas un classeur" in import_xlsform(zipped).errors[0].message


def test_missing_survey_sheet(tmp_path):
    path = write_form(tmp_path / "f.xlsx", None, CHOICES, [["form_title"], ["T"]])
    result = import_xlsform(path)
    assert [(e.sheet, e.message) for e in result.errors] == [
        ("survey", "feuille « survey » absente (feuilles : choices, settings)")]


def test_every_problem_listed_with_sheet_and_row(tmp_path):
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "q1", "Un", ""],
        ["text", "q1", "Deux", ""],  # duplicate name
        ["integer", "q3", "Trois", "${q1} = = 'yes'"],  # does not parse
        ["select_one nowhere", "q4", "Quatre", ""],  # unknown list
        ["integer", "q5", "Cinq", "${nobody} > 2"],  # unknown question
        ["blurb", "q6", "Six", ""],  # unknown type
    ]
    result = import_xlsform(write_form(tmp_path / "f.xlsx", survey, CHOICES))
    assert not result.usable and result.data is None
    found = sorted((e.sheet, e.row) for e in result.errors)
    assert found == [("survey", 3), ("survey", 4), ("survey", 5), ("survey", 6), ("survey", 7)]
    messages = " | ".join(e.message for e in result.errors)
    assert "nom en double « q1 »" in messages
    assert "liste de choix inconnue « nowhere »" in messages
    assert "condition illisible" in messages
    assert "question inconnue" in messages
    assert "type inconnu « blurb »" in messages


def test_duplicate_choice_and_missing_columns(tmp_path):
    choices = CHOICES + [["yn", "yes", "Encore", "Again"]]
    result = import_xlsform(write_form(tmp_path / "f.xlsx", GOOD_SURVEY, choices))
    assert [(e.sheet, e.row) for e in result.errors] == [("choices", 4)]
    no_type = import_xlsform(write_form(tmp_path / "g.xlsx", [["name", "label"], ["a", "A"]]))
    assert [e.message for e in no_type.errors] == ["colonne « type » absente de la feuille survey"]


def test_csv_variant(tmp_path):
    (tmp_path / "form.survey.csv").write_text(
        "\ufefftype;name;label;relevant\nselect_one yn;smoker;Fumez-vous ?;\n"
        "integer;per_day;\"Combien ; par jour ?\";${smoker}='yes'\n", encoding="utf-8")
    (tmp_path / "form.choices.csv").write_text(
        "list_name;name;label\nyn;yes;Oui\nyn;no;Non\n", encoding="utf-8")
    result = import_xlsform(tmp_path / "form.survey.csv")
    assert result.usable, result.report_lines()
    assert result.definition.questions["per_day"].labels == {"fr": "Combien ; par jour ?"}


@pytest.mark.parametrize("source, expected", [
    ("${a} = 'x'", 'a = "x"'),
    ("${a} != 'x'", 'not a = "x"'),  # XPath: true when a is missing
    ("${a} = ''", "empty(a)"),
    ("${a} != ''", "not empty(a)"),
    ("selected(${m}, 'c') and count-selected(${m}) >= 2", 'selected(m, "c") and count(m) >= 2'),
    ("not(selected(${m},'c')) or ${n} > 3", 'not selected(m, "c") or n > 3'),
    ("${n} div 2 + 1 <= ${k} * 3", "n / 2 + 1 <= k * 3"),
    ("'x' = ${a}", 'a = "x"'),
    (". > -999", "self > -999"),
])
def test_xpath_subset(source, expected):
    def resolve(name):
        return ("self" if name == "." else name), None
    assert parse_xpath(source, resolve).to_source() == expected


@pytest.mark.parametrize("source, error", [
    ("${a} = ", XPathSyntaxError), ("selected(${a}, 'x'", XPathSyntaxError),
    ("${a} @ 2", XPathSyntaxError), ("if(${a} = 1, 2, 3) > 1", Unrepresentable),
    ("/data/a = 1", Unrepresentable), ("${a} mod 2 = 0", Unrepresentable),
    ("today() > ${d}", Unrepresentable),
])
def test_xpath_outside_the_subset(source, error):
    with pytest.raises(error):
        parse_xpath(source)


def test_conditions_our_checks_refuse_are_dropped_and_noted(tmp_path):
    survey = [
        ["type", "name", "label", "relevant", "constraint"],
        ["select_one yn", "smoker", "Fumez-vous ?", "", ""],
        ["integer", "per_day", "Par jour", "${smoker} = 'maybe'", ""],  # no such code
        ["integer", "age", "Âge", "${later} > 2", ". > 0 or . = -999"],  # asked later
        ["integer", "later", "Plus tard", "", "count-selected(${smoker}) > 1"],
    ]
    result = import_xlsform(write_form(tmp_path / "f.xlsx", survey, CHOICES))
    assert result.usable, result.report_lines()
    questions = result.definition.questions
    assert list(questions) == ["smoker", "per_day", "age", "later"]
    assert questions["per_day"].show_if is None and questions["age"].show_if is None
    notes = {(n.row, n.message.split(" « ")[0]) for n in result.notes}
    assert (3, "condition non reprise") in notes
    assert (4, "condition non reprise") in notes
    assert (5, "contrainte non reprise") in notes
    # the rule that holds is kept, on the question it came from
    rules = [c for s in result.definition.sections for c in s.constraints]
    assert [(c.expr, c.target) for c in rules] == [("age > 0 or age = -999", "age")]
