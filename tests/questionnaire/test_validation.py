"""Answers: coercion of raw input, visibility, validation rules and messages."""
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.questionnaire import (AnswerError, coerce_answer, prune_hidden,
                                      validate_answers, visible_questions, visible_sections)

DISTRICTS = ["a", "b"]


def _coerce(demo, qid, raw, **kwargs):
    return coerce_answer(demo.questions[qid], raw, districts=kwargs.get("districts", DISTRICTS))


@pytest.mark.parametrize("qid, raw, expected", [
    ("age", "40_64", "40_64"),
    ("age", " 40_64 ", "40_64"),
    ("age", ["40_64"], "40_64"),
    ("age", "40-64", "40_64"),          # the label, as an export may carry
    ("pays", 1, "1"),
    ("pays", "FR", "fr"),               # codes are matched without case
    ("enfants", "oui", "oui"),
    ("enfants", "NON", "non"),
    ("quartier", "b", "b"),
    ("quartier", "nsp", "nsp"),
    ("nb_enfants", "3", 3),
    ("nb_enfants", 3.0, 3),
    ("nb_foyer", "1\u00a0", 1),
    ("taille", "1,72", 1.72),
    ("taille", "1.5", 1.5),
    ("taille", 2, 2.0),
    ("annee", "1999", 1999),
    ("date_rdv", "31/12/2024", "2024-12-31"),
    ("date_rdv", "2024-02-29", "2024-02-29"),
    ("date_rdv", datetime.date(2021, 5, 6), "2021-05-06"),
    ("gene", ["air", "bruit"], ["bruit", "air"]),   # option order
    ("gene", "air, bruit", ["bruit", "air"]),       # as keyed from paper
    ("gene", ["air", "air"], ["air"]),
    ("gene", ["aucune"], ["aucune"]),
    ("stress", "4", 4),
    ("env", {"bruit": "3", "air": ""}, {"bruit": "3"}),
    ("priorites", ["logement", "medecins"], ["logement", "medecins"]),
    ("priorites", "air", ["air"]),
    ("telephone", "01 23 45 67 89", "01 23 45 67 89"),
    ("remarques", "  trop de bruit \x00 ", "trop de bruit"),
    ("remarques", "   ", None),
    ("age", "", None),
    ("gene", [], None),
    ("env", {}, None),
    ("nb_foyer", None, None),
])
def test_raw_values_are_coerced(demo, qid, raw, expected):
    assert _coerce(demo, qid, raw) == expected


@pytest.mark.parametrize("qid, raw, fragment_fr, fragment_en", [
    ("age", "12_17", "« 12_17 » n'est pas un choix possible (choix : 18_39, 40_64, 65_plus)",
     "is not an available choice"),
    ("age", ["18_39", "40_64"], "Une seule réponse", "Only one answer"),
    ("age", {"a": 1}, "Réponse de type invalide", "Invalid answer type"),
    ("age", True, "Réponse de type invalide", "Invalid answer type"),
    ("quartier", "z", "« z » n'est pas un choix possible", "not an available choice"),
    ("nb_enfants", "trois", "« trois » n'est pas un nombre entier", "not a whole number"),
    ("nb_enfants", "2.5", "n'est pas un nombre entier", "whole number"),
    ("nb_enfants", 0, "au moins 1", "at least 1"),
    ("nb_enfants", "13", "au plus 12", "at most 12"),
    ("nb_enfants", ["1"], "Réponse de type invalide", "Invalid answer type"),
    ("taille", "nan", "n'est pas un nombre", "not a number"),
    ("taille", "3", "au plus 2.5", "at most 2.5"),
    ("annee", "99", "n'est pas une année", "4-digit year"),
    ("annee", "1900", "au moins 1950", "at least 1950"),
    ("date_rdv", "31/02/2024", "n'est pas une date", "not a date"),
    ("date_rdv", "2019-12-31", "le 2020-01-01 ou après", "2020-01-01 or later"),
    ("gene", ["bruit", "air", "chaleur"], "Au plus 2 choix", "At most 2 choices"),
    ("gene", ["bruit", "aucune"], "« Aucune » ne peut pas être combiné", "cannot be combined"),
    ("gene", ["bruit", "pluie"], "« pluie » n'est pas un choix", "not an available choice"),
    ("stress", "6", "au plus 5", "at most 5"),
    ("env", {"bruit": "3", "eau": "1"}, "Ligne inconnue « eau »", "Unknown row 'eau'"),
    ("env", {"bruit": "9"}, "Bruit : « 9 » n'est pas un choix", "Bruit: '9'"),
    ("env", "3", "un choix par ligne", "one choice per row"),
    ("priorites", ["air", "air"], "« air » est classé plusieurs fois", "ranked twice"),
    ("priorites", ["air", "logement", "medecins"], "Classez au plus 2 choix", "at most 2"),
    ("telephone", "12345", "Numéro à 10 chiffres.", "10-digit number."),
    ("remarques", "x" * 5001, "Texte trop long : 5001 caractères pour 5000 au maximum",
     "Text too long"),
    ("remarques", {"a": "b"}, "un texte attendu", "a text expected"),
    ("intro", "x", "n'attend pas de réponse", "expects no answer"),
])
def test_bad_raw_values_get_clear_messages(demo, qid, raw, fragment_fr, fragment_en):
    with pytest.raises(AnswerError) as info:
        _coerce(demo, qid, raw)
    assert fragment_fr in str(info.value)
    assert fragment_fr in info.value.message("fr")
    assert fragment_en in info.value.message("en")


def test_short_texts_are_limited_to_500(professional):
    question = professional.questions["annuaire_adresse"]
    with pytest.raises(AnswerError, match="200 au maximum"):
        coerce_answer(question, "x" * 201, districts=())
    assert coerce_answer(question, "x" * 200, districts=()) == "x" * 200


def test_district_codes_are_open_without_a_campaign_list(demo):
    assert _coerce(demo, "quartier", "z", districts=()) == "z"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["age", "pays", "enfants", "quartier", "nb_enfants", "taille", "annee",
                        "date_rdv", "gene", "stress", "env", "priorites", "telephone",
                        "remarques", "intro"]),
       st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                              st.text(max_size=30), st.dates()),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.text(max_size=5), inner,
                                                            max_size=3)),
                    max_leaves=8))
def test_coercion_only_ever_raises_answer_error(demo, qid, raw):
    try:
        value = _coerce(demo, qid, raw)
    except AnswerError as exc:
        assert exc.message("fr") and exc.message("en")
    else:  # a typed value coerces to itself
        assert _coerce(demo, qid, value) == value


# ---------------------------------------------------------------- visibility
def test_visibility_follows_conditions(demo):
    answers = {"age": "18_39", "enfants": "non"}
    assert [s.id for s in visible_sections(demo, answers)] == ["s1"]
    ids = [q.id for q in visible_questions(demo, answers)]
    assert "nb_enfants" not in ids and "intro" in ids
    answers = {"age": "65_plus", "enfants": "oui", "stress": 5}
    assert [s.id for s in visible_sections(demo, answers)] == ["s1", "s2"]
    assert "alerte" in [q.id for q in visible_questions(demo, answers, "s2")]
    assert [q.id for q in visible_questions(demo, answers, demo.section("s1"))][:3] == [
        "intro", "age", "sexe"]


def test_visibility_chains_through_hidden_questions(demo):
    # telephone depends on gene, which is in a section hidden for the young
    answers = {"age": "18_39", "gene": ["bruit"], "telephone": "0123456789"}
    assert "telephone" not in [q.id for q in visible_questions(demo, answers)]
    assert prune_hidden(demo, answers) == {"age": "18_39"}


def test_prune_hidden_keeps_other_texts_only_when_other_is_chosen(demo):
    answers = {"age": "40_64", "pays": "autre", "pays__autre": "Mali", "gene": ["bruit"],
               "gene__autre": "odeurs", "inconnue": 1}
    assert prune_hidden(demo, answers) == {"age": "40_64", "pays": "autre",
                                           "pays__autre": "Mali", "gene": ["bruit"]}


# ---------------------------------------------------------------- validation
def _valid_answers():
    return {"age": "40_64", "quartier": "a", "enfants": "oui", "nb_enfants": "2",
            "nb_foyer": "4", "env": {"bruit": "1", "air": "2"}}


def test_valid_answers_have_no_message(demo):
    assert validate_answers(demo, _valid_answers(), districts=DISTRICTS) == {}


def test_required_questions(demo):
    errors = validate_answers(demo, {"age": "40_64"}, districts=DISTRICTS)
    assert errors == {"quartier": ["Réponse obligatoire."],
                      "env": ["Réponse obligatoire."]}
    errors = validate_answers(demo, {"age": "40_64"}, districts=DISTRICTS, lang="en")
    assert errors["quartier"] == ["An answer is required."]


def test_required_matrix_needs_every_row(demo):
    answers = dict(_valid_answers(), env={"bruit": "1"})
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert errors == {"env": ["Répondez pour chaque ligne (manque : Air)."]}


def test_hidden_questions_and_unknown_keys_are_errors(demo):
    answers = dict(_valid_answers(), enfants="non", inconnue="x")
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert errors == {
        "nb_enfants": ["Question non affichée : cette réponse ne doit pas être donnée."],
        "inconnue": ["Question inconnue dans ce questionnaire."]}
    assert validate_answers(demo, prune_hidden(demo, answers), districts=DISTRICTS) == {}


def test_bad_values_are_reported_per_question(demo):
    answers = dict(_valid_answers(), nb_foyer="vingt", gene=["bruit", "air", "chaleur"],
                   remarques="x" * 6000)
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert set(errors) == {"nb_foyer", "gene", "remarques"}
    assert errors["gene"] == ["Au plus 2 choix."]


def test_an_invalid_answer_counts_as_missing_for_conditions(demo):
    answers = dict(_valid_answers(), enfants="peut-être")
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert "« peut-être » n'est pas un choix possible" in errors["enfants"][0]
    assert "Question non affichée" in errors["nb_enfants"][0]


def test_other_texts(demo):
    base = _valid_answers()
    assert validate_answers(demo, dict(base, pays="autre", pays__autre="Mali"),
                            districts=DISTRICTS) == {}
    errors = validate_answers(demo, dict(base, pays="fr", pays__autre="Mali"),
                              districts=DISTRICTS)
    assert errors == {"pays": ["Précision « Autre » donnée alors que « Autre (précisez) » "
                               "n'est pas choisi."]}
    errors = validate_answers(demo, dict(base, age__autre="x"), districts=DISTRICTS)
    assert errors == {"age": ["Cette question n'a pas de choix « Autre, précisez »."]}
    errors = validate_answers(demo, dict(base, pays="autre", pays__autre="x" * 501),
                              districts=DISTRICTS)
    assert "Texte trop long" in errors["pays"][0]


def test_section_constraint_shows_on_its_last_question(demo):
    answers = dict(_valid_answers(), nb_enfants="5", nb_foyer="3")
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert errors == {"nb_foyer": ["Moins d'enfants que de personnes, svp."]}
    errors = validate_answers(demo, answers, districts=DISTRICTS, lang="en")
    assert errors == {"nb_foyer": ["Fewer children than people, please."]}


def test_constraints_wait_for_the_values_they_use(demo):
    answers = dict(_valid_answers(), enfants="oui", nb_enfants="5")
    del answers["nb_foyer"]
    assert validate_answers(demo, answers, districts=DISTRICTS) == {}


def test_presence_constraints_are_always_checked(demo):
    answers = dict(_valid_answers(), date_rdv="2024-01-01")
    errors = validate_answers(demo, answers, districts=DISTRICTS)
    assert errors == {"date_rdv": ["Indiquez votre taille ou votre année d'arrivée."]}
    assert validate_answers(demo, dict(answers, annee="2000"), districts=DISTRICTS) == {}


def test_one_section_at_a_time(demo):
    answers = {"age": "65_plus", "stress": "9", "inconnue": 1}
    assert validate_answers(demo, answers, districts=DISTRICTS, section_id="s2") == {
        "stress": ["La valeur doit être au plus 5."], "env": ["Réponse obligatoire."]}
    errors = validate_answers(demo, answers, districts=DISTRICTS, section_id="s1")
    assert errors == {"quartier": ["Réponse obligatoire."]}
    # a global constraint is checked only on the whole questionnaire
    answers = dict(_valid_answers(), date_rdv="2024-01-01")
    assert validate_answers(demo, answers, districts=DISTRICTS, section_id="s2") == {}
