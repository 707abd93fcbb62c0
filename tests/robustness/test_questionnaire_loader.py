"""The questionnaire loader under generated YAML: a Definition, or DefinitionError with problems; never anything else."""
from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaire import DefinitionError, load_definition, parse_definition
from tests.conftest import PROJECT_ROOT
from tests.robustness.hostile import TRIED, weird_text

EXAMPLES = 600
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MINI_TEXT = (PROJECT_ROOT / "tests" / "data" / "survey_mini.yaml").read_text(encoding="utf-8")
KEYS = ["id", "title", "languages", "sections", "questions", "type", "label", "options", "code", "rows", "required",
        "show_if", "min", "max", "max_choices", "exclusive", "other", "widget", "unit", "role", "help", "fr", "en"]
TYPES = ["yesno", "integer", "decimal", "single", "multiple", "matrix", "date", "text", "ranking", "district", "bogus"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), weird_text.filter(lambda s: len(s) < 500),
                    st.sampled_from(TYPES + ["fume = \"oui\"", "(((", "fume ==", "un", "fr"]))
trees = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6)),
    max_leaves=25)


def mutate(text: str, cut: int, insert: str) -> str:
    position = cut % (len(text) + 1)
    return text[:position] + insert + text[position:]


definitions = st.one_of(
    trees.map(lambda tree: yaml.safe_dump(tree, allow_unicode=True)),
    st.builds(lambda tree: yaml.safe_dump({"id": "x", "title": {"fr": "X"}, "languages": ["fr"], "sections": tree},
                                          allow_unicode=True), trees),
    st.builds(mutate, st.just(MINI_TEXT), st.integers(min_value=0), st.sampled_from(
        ["\x00", ":", "- ", "\n  ", "{", "[", "&a", "*a", "!!python/object:os.system ", "%YAML 9.9\n", "\t", "'", "\"",
         "\ufeff", "? ", "<<: *x\n", "\udcff"[:0] + "\x85", "\u2028"])),
    st.text(max_size=300),
)


def check(parse):
    try:
        parse()
    except DefinitionError as error:
        assert error.problems, "a DefinitionError without problems"
        assert all(problem.message for problem in error.problems)


def test_generated_yaml_gives_a_definition_or_problems():
    @SETTINGS
    @given(text=definitions)
    def probe(text):
        TRIED["questionnaire loader"] += 1
        check(lambda: parse_definition(text))

    first = TRIED["questionnaire loader"]
    probe()
    tried = TRIED["questionnaire loader"] - first
    print(f"\nquestionnaire loader: {tried} inputs")
    assert tried >= EXAMPLES // 2


def test_files_of_any_bytes_give_a_definition_or_problems(tmp_path):
    @SETTINGS
    @given(data=st.one_of(st.binary(max_size=300), st.builds(lambda t, b: t.encode() + b, st.just(MINI_TEXT), st.binary(min_size=1, max_size=8))))
    def probe(data):
        TRIED["questionnaire files"] += 1
        path = tmp_path / "q.yaml"
        path.write_bytes(data)
        check(lambda: load_definition(path))

    first = TRIED["questionnaire files"]
    probe()
    check(lambda: load_definition(tmp_path / "absent.yaml"))
    tried = TRIED["questionnaire files"] - first
    print(f"\nquestionnaire files: {tried} inputs")
    assert tried >= EXAMPLES // 2


def test_a_text_bound_is_a_problem_not_a_type_error():
    """Found by the generated YAML: ``max: :10`` (a string) made the min/max comparison raise TypeError."""
    text = MINI_TEXT.replace("        max: 80\n", "        max: ':80'\n")
    assert text != MINI_TEXT
    try:
        parse_definition(text)
    except DefinitionError as error:
        assert any("max" in str(problem) for problem in error.problems), error.problems
    else:
        raise AssertionError("a text bound was accepted")
