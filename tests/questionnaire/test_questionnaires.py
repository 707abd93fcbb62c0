"""The two real questionnaires: valid, bilingual, and every condition can go both ways."""
import itertools
import re
from pathlib import Path

import pytest
import yaml

from survey_app.questionnaire import (DEFAULT_AXES, evaluate_condition, generate_responses,
                                      parse_condition, validate_answers, visible_questions,
                                      visible_sections)
from survey_app.questionnaire.conditions import Literal
from survey_app.questionnaire.typecheck import referenced_questions

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture(scope="module", params=["resident", "professional"])
def definition(request, resident, professional):
    return {"resident": resident, "professional": professional}[request.param]


def _all_labels(definition):
    yield "title", definition.title
    for section in definition.sections:
        yield section.id, section.title
        for q in section.questions:
            for what in ("labels", "help", "unit", "min_label", "max_label", "pattern_message"):
                if getattr(q, what):
                    yield f"{q.id}.{what}", getattr(q, what)
            for item in [*q.options, *q.rows]:
                yield f"{q.id}:{getattr(item, 'code', getattr(item, 'id', ''))}", item.labels
            for indicator in q.indicators():
                yield indicator.name, indicator.labels
    for constraint in definition.all_constraints():
        yield constraint.expr, constraint.messages


def test_every_label_is_translated(definition):
    assert definition.languages == ["fr", "en"]
    missing = [where for where, labels in _all_labels(definition) if set(labels) != {"fr", "en"}]
    assert missing == []


def test_analysis_metadata(definition):
    assert definition.axes == DEFAULT_AXES
    roles = definition.roles()
    assert roles["district"].type == "district" and "age_band" in roles
    indicators = definition.indicators()
    assert len({i.name for i in indicators}) == len(indicators) >= 5
    for indicator in indicators:
        assert indicator.need and indicator.label("en")


def test_resident_questionnaire_shape(resident):
    assert {"age_band", "sex", "district", "household", "occupation", "housing"} <= set(
        resident.roles())
    axes = {i.axis for i in resident.indicators()}
    assert set(DEFAULT_AXES) <= axes
    assert "sans_medecin_traitant" in {i.name for i in resident.indicators()}
    types = [q.type for q in resident.questions.values()]
    assert types.count("longtext") >= 3
    assert {"single", "multiple", "scale", "matrix", "integer", "yesno", "ranking", "note",
            "district"} <= set(types)
    assert 60 <= sum(q.type != "note" for q in resident.questions.values()) <= 90
    assert resident.questions["priorites_ville"].rank_count == 3


def test_professional_directory_details_need_consent(professional):
    fiche = professional.section("annuaire_fiche")
    assert fiche.show_if == 'annuaire_accord = "oui"'
    details = {q.id for q in fiche.questions}
    assert {"annuaire_adresse", "annuaire_langues", "annuaire_accessibilite",
            "annuaire_secteur"} <= details
    base = {"profession": "mg", "mode_exercice": "liberal"}
    shown = {q.id for q in visible_questions(professional, dict(base, annuaire_accord="oui"))}
    hidden = {q.id for q in visible_questions(professional, dict(base, annuaire_accord="non"))}
    assert details <= shown and not details & hidden


# ----------------------------------------------- every condition, both ways
def _candidates(q, literals):
    """A few answers to try for question q, including every literal the condition uses."""
    numbers = [v for v in literals if isinstance(v, (int, float))]
    strings = [v for v in literals if isinstance(v, str)]
    if q.type in ("single", "yesno"):
        return [None, *q.codes]
    if q.type == "district":
        return [None, "nsp", "centre", *strings]
    if q.type in ("multiple", "ranking"):
        free = [o.code for o in q.options if not o.exclusive]
        return [None, *([c] for c in q.codes), free[:2]]
    if q.type == "matrix":
        return [None, *({r: c for r in q.row_ids} for c in q.codes)]
    if q.type in ("integer", "decimal", "year", "scale"):
        values = {q.min, q.max}
        values |= {v + d for v in numbers for d in (-1, 0, 1)}
        return [None, *sorted(v for v in values if v is not None
                              and (q.min is None or v >= q.min)
                              and (q.max is None or v <= q.max))]
    return [None, "x", *strings]


def _both_ways(definition, node):
    literals = [n.value for n in node.walk() if isinstance(n, Literal)]
    literals += [v for n in node.walk() if hasattr(n, "values") and isinstance(n.values, tuple)
                 for v in n.values]
    refs = referenced_questions(node)
    domains = [_candidates(definition.questions[r], literals) for r in refs]
    seen = set()
    for combination in itertools.islice(itertools.product(*domains), 50000):
        answers = {r: v for r, v in zip(refs, combination) if v is not None}
        seen.add(bool(node.evaluate(answers)))
        if seen == {True, False}:
            return seen
    return seen


def _conditions(definition):
    for section in definition.sections:
        if section.show_if_node is not None:
            yield f"section {section.id}", section.show_if_node
        for q in section.questions:
            if q.show_if_node is not None:
                yield q.id, q.show_if_node
    for constraint in definition.all_constraints():
        yield f"contrainte {constraint.expr}", constraint.node


def test_every_condition_can_be_true_and_false(definition):
    conditions = list(_conditions(definition))
    assert len(conditions) >= (20 if definition.id == "resident" else 10)
    stuck = {name: _both_ways(definition, node) for name, node in conditions}
    assert {name: seen for name, seen in stuck.items() if seen != {True, False}} == {}


@pytest.mark.parametrize("condition, true_answers, false_answers", [
    ('age in ["65_74", "75_plus"]', {"age": "75_plus"}, {"age": "50_64"}),
    ('sexe = "f" and age in ["50_64", "65_74"]', {"sexe": "f", "age": "65_74"},
     {"sexe": "h", "age": "65_74"}),
    ('medecin_traitant = "non" and not (mt_recherche = "pas_besoin")',
     {"medecin_traitant": "non"}, {"medecin_traitant": "non", "mt_recherche": "pas_besoin"}),
    ("urgences >= 1", {"urgences": "2"}, {"urgences": "0"}),
    ("activite_jours < 3", {"activite_jours": 0}, {"activite_jours": 5}),
    ('count(langues) >= 1 and not (count(langues) = 1 and selected(langues, "francais"))',
     {"langues": ["francais", "arabe"]}, {"langues": ["francais"]}),
    ("foyer_enfants < foyer_nb", {"foyer_enfants": 1, "foyer_nb": 3},
     {"foyer_enfants": 3, "foyer_nb": 3}),
])
def test_key_resident_conditions(resident, condition, true_answers, false_answers):
    assert parse_condition(condition) in [node for _name, node in _conditions(resident)]
    assert evaluate_condition(condition, true_answers) is True
    assert evaluate_condition(condition, false_answers) is False


def test_sections_for_the_concerned_only(resident):
    young = {"age": "25_34", "limitation": "non"}
    old_disabled = {"age": "75_plus", "limitation": "oui_fort"}
    assert {"seniors", "handicap"} & {s.id for s in visible_sections(resident, young)} == set()
    assert {"seniors", "handicap"} <= {s.id for s in visible_sections(resident, old_disabled)}


def test_every_conditional_question_is_both_shown_and_hidden_in_practice(
        definition, districts):
    """Over synthetic respondents, each conditional item is asked of some and not others."""
    responses = generate_responses(definition, districts=districts, n=1200, seed=11)
    conditional = {q.id for s in definition.sections for q in s.questions
                   if q.show_if or s.show_if}
    shown_somewhere, hidden_somewhere = set(), set()
    for answers in responses:
        visible = {q.id for q in visible_questions(definition, answers)}
        shown_somewhere |= conditional & visible
        hidden_somewhere |= conditional - visible
    assert conditional - shown_somewhere == set()
    assert conditional - hidden_somewhere == set()


def test_readme_documents_every_question_type():
    text = (QUESTIONNAIRES / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    types = set()
    for block in blocks:
        data = yaml.safe_load(block)  # every example is valid YAML
        items = data if isinstance(data, list) else [data]
        types |= {item.get("type") for item in items if isinstance(item, dict)}
    assert {"single", "multiple", "scale", "matrix", "integer", "year", "date", "text",
            "longtext", "district", "yesno", "ranking", "note"} <= types
    for word in ("show_if", "selected(", "count(", "empty(", "constraints", "indicator",
                 "exclusive", "other: true", "max_choices", "rank_count", "role", "axis",
                 "pattern_message", "widget: dropdown", "__autre"):
        assert word in text, word


def test_a_full_answer_to_each_questionnaire_validates(resident, professional, districts):
    codes = [d["code"] for d in districts]
    answers = {"age": "65_74", "sexe": "f", "quartier": "martinets", "foyer": "couple",
               "foyer_nb": "2", "medecin_traitant": "non", "mt_recherche": "oui_refus",
               "mt_depuis": "1_3ans", "who5": {"bonne_humeur": "3", "calme": "2"},
               "stress": "8", "depistage_sein": "jamais", "depistage_colorectal": "jamais",
               "nuisances": {"humidite": "beaucoup"}, "besoin_aide_quotidien": "oui_aucune",
               "priorites_ville": ["medecins", "logement", "seniors"],
               "problemes_quartier": "Plus de médecins, et les moisissures."}
    assert validate_answers(resident, answers, districts=codes) == {}
    answers = {"profession": "mg", "mode_exercice": "liberal", "quartier_exercice": "gare",
               "nouveaux_patients": "non", "depart_5ans": "retraite", "age_pro": "60_plus",
               "annuaire_accord": "oui", "annuaire_nom": "Dr Martin",
               "annuaire_adresse": "3 rue de la Paix", "annuaire_telephone": "01 45 67 89 10",
               "annuaire_secteur": "secteur_1"}
    assert validate_answers(professional, answers, districts=codes) == {}
    errors = validate_answers(professional, dict(answers, age_pro="moins_35"), districts=codes)
    assert "merci de vérifier" in errors["depart_5ans"][0]
