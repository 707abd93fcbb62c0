"""The condition language: parser, evaluation with missing values, JSON, type checks."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.questionnaire import (ConditionSyntaxError, evaluate_condition, node_from_json,
                                      parse_condition, parse_definition)
from survey_app.questionnaire.conditions import (Arith, BoolOp, Call, Compare, In, ListLiteral,
                                                 Literal, Negate, Not, Ref)
from survey_app.questionnaire.typecheck import (check_condition, referenced_questions,
                                                value_references)


# ----------------------------------------------------------------- parsing
def test_precedence_and_binds_tighter_than_or():
    node = parse_condition('a = 1 or b = 2 and not c = 3')
    assert node == BoolOp("or", (
        Compare("=", Ref("a"), Literal(1)),
        BoolOp("and", (Compare("=", Ref("b"), Literal(2)),
                       Not(Compare("=", Ref("c"), Literal(3)))))))


def test_arithmetic_precedence_and_associativity():
    node = parse_condition("a + b * 2 - c / 4 >= 10")
    assert node == Compare(">=", Arith("-", Arith("+", Ref("a"), Arith("*", Ref("b"), Literal(2))),
                                       Arith("/", Ref("c"), Literal(4))), Literal(10))


def test_functions_lists_rows_and_literals():
    node = parse_condition("selected(q, 'x') and count(m) > 1 and empty(t) "
                           "and g.bruit in [1, -2.5, \"a\\\"b\"] and x not in ['a']")
    assert node.operands[0] == Call("selected", (Ref("q"), Literal("x")))
    assert node.operands[1] == Compare(">", Call("count", (Ref("m"),)), Literal(1))
    assert node.operands[2] == Call("empty", (Ref("t"),))
    assert node.operands[3] == In(Ref("g", "bruit"), ListLiteral((1, -2.5, 'a"b')))
    assert node.operands[4] == Not(In(Ref("x"), ListLiteral(("a",))))


def test_double_equals_is_accepted():
    assert parse_condition("a == 'x'") == parse_condition("a = 'x'")


@pytest.mark.parametrize("source, column, fragment", [
    ("", 1, "condition vide"),
    ("a = ", 5, "une valeur"),
    ("a = 'x", 5, "non terminée"),
    ("(a = 1", 7, "« ) »"),
    ("a = 1 b = 2", 7, "opérateur ou fin"),
    ("a in b", 6, "une liste"),
    ("frobnicate(a)", 1, "fonction inconnue « frobnicate »"),
    ("selected(a)", 11, "« , »"),
    ("selected('a', 'b')", 10, "identifiant de question"),
    ("a = 1 & b = 2", 7, "caractère inattendu « & »"),
    ("and = 1", 1, "une valeur"),
    ("a in [b]", 7, "un nombre ou une chaîne"),
])
def test_syntax_errors_say_what_and_where(source, column, fragment):
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(source)
    assert fragment in info.value.message
    assert info.value.position + 1 == column
    assert info.value.message_en


def test_non_string_condition_is_a_syntax_error():
    with pytest.raises(ConditionSyntaxError):
        parse_condition(["a = 1"])


# -------------------------------------------------------------- evaluation
@pytest.mark.parametrize("source, answers, expected", [
    ('a = "x"', {"a": "x"}, True),
    ('a != "x"', {"a": "y"}, True),
    # missing values: every comparison is false, including !=
    ('a = "x"', {}, False),
    ('a != "x"', {}, False),
    ('not (a = "x")', {}, True),
    ("n < 3", {}, False),
    ("n >= 0", {"n": None}, False),
    ('a in ["x", "y"]', {}, False),
    ('a not in ["x", "y"]', {}, True),
    ("empty(a)", {}, True),
    ("empty(a)", {"a": ""}, True),
    ("empty(a)", {"a": []}, True),
    ("empty(a)", {"a": "x"}, False),
    ("count(m) = 0", {}, True),
    ("count(m) = 2", {"m": ["a", "b"]}, True),
    ("count(mx) = 1", {"mx": {"r1": "1", "r2": None}}, True),
    ('selected(m, "a")', {"m": ["a", "b"]}, True),
    ('selected(m, "c")', {"m": ["a", "b"]}, False),
    ('selected(m, "a")', {}, False),
    ('selected(s, "a")', {"s": "a"}, True),
    ("selected(s, 1)", {"s": "1"}, True),
    # codes that are numbers compare with numbers
    ("u >= 1", {"u": "2"}, True),
    ("u >= 1", {"u": "0"}, False),
    ("u = 1", {"u": "1"}, True),
    ("u = 1", {"u": "nsp"}, False),
    ("u != 1", {"u": "nsp"}, True),
    ("u in [1, 2]", {"u": "2"}, True),
    # arithmetic: missing operands and division by zero give a missing value
    ("a + b > 1", {"a": 1}, False),
    ("a / b > 1", {"a": 1, "b": 0}, False),
    ("a / b = 0.5", {"a": 1, "b": 2}, True),
    ("-a < 0", {"a": 3}, True),
    ("a * 2 + 1 = 7", {"a": 3}, True),
    ("a - b - c = 0", {"a": 3, "b": 2, "c": 1}, True),
    # matrix rows
    ('g.bruit = "3"', {"g": {"bruit": "3"}}, True),
    ('g.bruit = "3"', {"g": {"air": "3"}}, False),
    ('g.bruit = "3"', {}, False),
    # dates compare as ISO strings
    ('d >= "2024-01-01"', {"d": "2024-05-02"}, True),
    # boolean connectives
    ('a = "x" and b = "y"', {"a": "x"}, False),
    ('a = "x" or b = "y"', {"a": "x"}, True),
])
def test_evaluation(source, answers, expected):
    assert evaluate_condition(source, answers) is expected


def test_none_condition_is_true_and_trees_evaluate_too():
    assert evaluate_condition(None, {}) is True
    assert evaluate_condition(parse_condition("a = 1"), {"a": 1}) is True


def test_values_of_the_wrong_shape_never_raise():
    for source in ("a = 1", "a < 'x'", "a + 1 > 2", "a in [1, 'b']", "count(a) > 0",
                   "selected(a, 'x')", "-a < 0"):
        for value in (None, "x", 3, 2.5, ["x"], {"r": "x"}, True):
            evaluate_condition(source, {"a": value})


# ------------------------------------------------------------------- JSON
def test_to_json_is_plain_json_and_round_trips():
    source = ('not (a = "x" or b in [1, 2]) and selected(m, "k") and count(m) + 1 >= 2 '
              'and g.bruit != "1" and -n < 3 and empty(t)')
    node = parse_condition(source)
    data = json.loads(json.dumps(node.to_json()))
    assert node_from_json(data) == node
    assert data["op"] == "and"
    assert {"ref": "g", "row": "bruit"} in data["args"][3]["args"]


def test_to_source_round_trips():
    source = 'a - (b - c) = 1 and (x = "1" or y = 2) and not (z in ["a"]) and n / (m * 2) > 1'
    node = parse_condition(source)
    assert parse_condition(node.to_source()) == node
    assert str(node) == node.to_source()


_names = st.sampled_from(["a", "b", "qx", "g"])
_literals = st.one_of(st.integers(0, 99).map(Literal), st.sampled_from(["x", "y z", 'q"t']).map(Literal),
                      st.floats(0, 10, allow_nan=False).map(lambda f: Literal(round(f, 2))))
_refs = st.builds(Ref, _names, st.sampled_from([None, None, "r1"]))


def _extend(children):
    return st.one_of(
        st.builds(lambda l, r: Compare("=", l, r), children, children),
        st.builds(Compare, st.sampled_from(["<", ">=", "!="]), children, children),
        st.builds(Arith, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(lambda c: Not(c), children),
        st.builds(lambda c: Negate(c), _refs),
        st.builds(lambda a, b: BoolOp("and", (a, b)), children, children),
        st.builds(lambda a, b, c: BoolOp("or", (a, b, c)), children, children, children),
        st.builds(lambda r, v: In(r, ListLiteral(tuple(v))), _refs,
                  st.lists(st.sampled_from([1, 2, "x"]), max_size=3)),
        st.builds(lambda r: Call("count", (r,)), _refs),
        st.builds(lambda r: Call("empty", (r,)), _refs),
        st.builds(lambda r, v: Call("selected", (r, Literal(v))), _refs,
                  st.sampled_from(["x", 1])),
    )


_trees = st.recursive(st.one_of(_literals, _refs), _extend, max_leaves=12)
_answers = st.dictionaries(_names, st.one_of(
    st.none(), st.integers(-5, 5), st.sampled_from(["x", "1", "", "y z"]),
    st.lists(st.sampled_from(["x", "1"]), max_size=2),
    st.dictionaries(st.just("r1"), st.sampled_from(["x", "1"]))))


@settings(max_examples=150, deadline=None)
@given(_trees, _answers)
def test_any_tree_round_trips_and_evaluates_without_error(tree, answers):
    assert parse_condition(tree.to_source()) == tree
    assert node_from_json(json.loads(json.dumps(tree.to_json()))) == tree
    tree.evaluate(answers)  # never raises, whatever the answers


# ------------------------------------------------------------- type checks
_DEFINITION = """
id: t
title: T
languages: [fr]
sections:
  - id: s
    title: S
    questions:
      - {id: choix, type: single, label: C, options: [{code: a, label: A}, {code: b, label: B}]}
      - {id: num, type: single, label: N, options: [{code: "1", label: Un}, {code: "2", label: Deux}]}
      - {id: multi, type: multiple, label: M, options: [{code: a, label: A}, {code: b, label: B}]}
      - {id: nombre, type: integer, label: I, min: 0, max: 10}
      - {id: echelle, type: scale, label: E, min: 1, max: 5}
      - {id: texte, type: text, label: T}
      - {id: jour, type: date, label: D}
      - {id: quartier, type: district, label: Q}
      - {id: oui_non, type: yesno, label: O}
      - {id: mat, type: matrix, label: M, rows: [{id: r1, label: R}], options: [{code: x, label: X}]}
      - {id: info, type: note, label: Info}
      - {id: rang, type: ranking, label: R, rank_count: 1, options: [{code: a, label: A}]}
"""


@pytest.fixture(scope="module")
def questions():
    return parse_definition(_DEFINITION).questions


@pytest.mark.parametrize("source", [
    'choix = "a"', 'choix in ["a", "b"]', 'choix != "b"', "num = 1", "num >= 2", "num in [1]",
    'selected(multi, "a")', "count(multi) >= 1", "nombre > 3", "nombre + echelle * 2 <= 12",
    'texte = "x"', "empty(texte)", 'jour >= "2024-01-01"', 'quartier = "gare"',
    'oui_non = "oui"', 'mat.r1 = "x"', "count(mat) = 1", 'selected(rang, "a")',
    'quartier in ["nsp", "centre"]', "echelle in [4, 5]", 'choix != num',
])
def test_sound_conditions_pass(questions, source):
    assert check_condition(parse_condition(source), questions) == []


@pytest.mark.parametrize("source, fragment", [
    ("inconnue = 1", "question inconnue « inconnue »"),
    ('choix = "z"', "« z » n'est pas un code de la question « choix »"),
    ("choix = 2", "« 2 » n'est pas un code"),
    ('choix < "b"', "n'a pas de sens pour les codes"),
    ('choix in ["a", "z"]', "« z » n'est pas un code"),
    ('selected(nombre, "1")', "selected() ne s'applique qu'à une question à choix"),
    ('selected(choix, "z")', "« z » n'est pas un code"),
    ('texte < "m"', "n'a pas de sens pour un texte libre"),
    ('nombre = "3"', "comparez-la à un nombre"),
    ("nombre > 10", "ne peut jamais être vrai"),
    ("echelle = 7", "ne peut jamais être vrai"),
    ('multi = "a"', "utilisez selected(multi, code)"),
    ('mat = "x"', "précisez la ligne"),
    ('mat.r9 = "x"', "ligne inconnue « r9 »"),
    ('choix.r1 = "x"', "n'est pas une matrice"),
    ("info = 1", "texte d'information"),
    ("count(choix) = 1", "count() s'applique"),
    ("nombre", "n'est pas une condition vraie/fausse"),
    ("nombre and choix = 'a'", "n'est pas une condition"),
    ('texte + 1 > 2', "calcul sur « texte »"),
    ('jour > "demain"', "n'est pas une date"),
    ("nombre / 0 > 1", "division par zéro"),
    ("choix in []", "liste vide"),
    ('(choix = "a") = (num = 1)', "pas des conditions"),
    ('choix = nombre', "comparaison impossible"),
    ("choix = num", "aucun code commun"),
])
def test_impossible_conditions_are_reported(questions, source, fragment):
    problems = check_condition(parse_condition(source), questions)
    assert any(fragment in fr for fr, _en in problems), problems
    assert all(en for _fr, en in problems)


def test_forward_references_are_reported(questions):
    problems = check_condition(parse_condition('choix = "a" and nombre > 1'), questions,
                               lambda qid: qid == "choix", "la question « x »")
    assert len(problems) == 1
    assert "« nombre », qui n'est pas posée avant la question « x »" in problems[0][0]


def test_references_and_value_references():
    node = parse_condition("a > 1 and empty(b) and selected(c, 'x') or count(d) = d.r")
    assert referenced_questions(node) == ["a", "b", "c", "d"]
    assert value_references(node) == ["a", "d"]
