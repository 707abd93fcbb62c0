"""Our questionnaires -> XLSForm -> ours: the same questionnaire, and pyxform accepts it."""
import random

import pytest

from survey_app.questionnaire import evaluate_condition, generate_responses, load_definition
from survey_app.questionnaire.xlsform import export_xlsform, import_xlsform, workbook_rows

from ..conftest import BAD, HERE, QUESTIONNAIRES  # noqa: F401

pyxform = pytest.importorskip("pyxform.xls2xform", reason="pyxform is a test dependency")


@pytest.fixture(scope="module", params=["resident", "professional", "all_features"])
def exported(request, tmp_path_factory):
    name = request.param
    source = QUESTIONNAIRES / f"{name}.yaml" if name != "all_features" else HERE / f"{name}.yaml"
    definition = load_definition(source)
    path = export_xlsform(definition, tmp_path_factory.mktemp("xlsform") / f"{name}.xlsx")
    return definition, path


def _without_conditions(data):
    data = dict(data)
    data["sections"] = [dict(s, questions=[{k: v for k, v in q.items() if k != "show_if"}
                                           for q in s["questions"]])
                        for s in data["sections"]]
    for s in data["sections"]:
        s.pop("show_if", None)
    return data


def test_pyxform_converts_the_export(exported):
    _definition, path = exported
    result = pyxform.convert(xlsform=str(path))
    assert "<h:html" in result.xform
    assert "select1" in result.xform


def test_round_trip_gives_the_same_questionnaire(exported):
    definition, path = exported
    back = import_xlsform(path)
    assert back.errors == [] and back.usable, back.report_lines()
    assert back.notes == []
    again = back.definition
    assert list(again.questions) == list(definition.questions)
    assert again.languages == definition.languages
    for qid, question in definition.questions.items():
        other = again.questions[qid]
        assert (other.type, other.required, other.labels, other.help) == \
            (question.type, question.required, question.labels, question.help), qid
        assert [o.to_dict() for o in other.options] == [o.to_dict() for o in question.options]
        assert [r.to_dict() for r in other.rows] == [r.to_dict() for r in question.rows]
        assert bool(other.show_if) == bool(question.show_if), qid
    # everything but the conditions' spelling is identical
    assert _without_conditions(again.to_dict()) == _without_conditions(definition.to_dict())


def _answer_sets(definition, n=300):
    """Plausible answers, and the same with answers removed (missing values matter)."""
    districts = [{"code": "nord", "name": "Nord", "qpv": False},
                 {"code": "sud", "name": "Sud", "qpv": True}]
    rng = random.Random(5)
    full = generate_responses(definition, districts=districts, n=n, seed=11)
    partial = [{k: v for k, v in answers.items() if rng.random() < 0.6} for answers in full]
    return full + partial


def test_round_trip_conditions_behave_the_same(exported):
    definition, path = exported
    again = import_xlsform(path).definition
    conditions = [(q.show_if_node, again.questions[q.id].show_if_node)
                  for q in definition.questions.values() if q.show_if_node is not None]
    conditions += [(s.show_if_node, again.sections_by_id[s.id].show_if_node)
                   for s in definition.sections if s.show_if_node is not None]
    assert conditions
    for answers in _answer_sets(definition):
        for ours, theirs in conditions:
            assert evaluate_condition(ours, answers) == evaluate_condition(theirs, answers), \
                (str(ours), str(theirs), answers)


def test_export_rows_carry_xlsform_conventions(resident):
    sheets = workbook_rows(resident)
    survey = sheets["survey"]
    types = {row["name"]: row["type"] for row in survey if row["type"] != "end_group"}
    assert types["medecin_traitant"].startswith("select_one ")
    assert types["renoncement"] == "select_one cls_oui_non"
    assert types["nuisances"] == "begin_group"  # a matrix is a table-list group
    assert any(name.startswith("nuisances__") for name in types)
    relevant = {row["name"]: row.get("relevant") for row in survey}
    assert relevant["renoncement_raisons"] == "${renoncement} = 'oui'"
    assert "label::Français (fr)" in survey[0] and "label::English (en)" in survey[0]
    assert sheets["settings"][0]["default_language"] == "Français (fr)"


MATRIX_FORM = """
id: matrice
title: {fr: "Matrice"}
languages: [fr]
sections:
  - id: s
    title: {fr: "S"}
    questions:
      - id: gene
        type: matrix
        label: {fr: "Gêne"}
        rows: [{id: bruit, label: {fr: "Bruit"}}, {id: odeur, label: {fr: "Odeur"}}]
        options: [{code: oui, label: {fr: "Oui"}}, {code: non, label: {fr: "Non"}}]
      - id: combien
        type: integer
        show_if: count(gene) >= 1
        label: {fr: "Combien ?"}
      - id: rien
        type: note
        show_if: empty(gene)
        label: {fr: "Rien."}
      - id: bruit_fort
        type: yesno
        show_if: gene.bruit = "oui"
        label: {fr: "Fort ?"}
"""


def test_matrix_conditions_in_xpath(tmp_path):
    from survey_app.questionnaire import parse_definition

    definition = parse_definition(MATRIX_FORM)
    notes = []
    survey = {r["name"]: r for r in workbook_rows(definition, notes=notes)["survey"]
              if r["type"] != "end_group"}
    assert notes == []
    assert survey["combien"]["relevant"] == \
        "((${gene__bruit} != '') + (${gene__odeur} != '')) >= 1"
    assert survey["rien"]["relevant"] == "not(${gene__bruit} != '' or ${gene__odeur} != '')"
    assert survey["bruit_fort"]["relevant"] == "${gene__bruit} = 'oui'"
    path = export_xlsform(definition, tmp_path / "m.xlsx")
    pyxform.convert(xlsform=str(path))
    back = import_xlsform(path)
    assert back.usable
    questions = back.definition.questions
    assert questions["bruit_fort"].show_if == 'gene.bruit = "oui"'
    assert questions["rien"].show_if is not None
    # a sum of true/false has no equivalent here: listed, never dropped silently
    assert any(n.name == "combien" and "non reprise" in n.message for n in back.notes)
