"""Loading definitions: every problem reported at once with file, line and question."""
import json
import textwrap
from pathlib import Path

import pytest

from survey_app.questionnaire import (DEFAULT_AXES, SCHEMA, Definition, DefinitionError, Problem,
                                      diff_definitions, load_definition, parse_definition)
from survey_app.questionnaire.schema import schema_json

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
SCHEMA_FILE = HERE.parents[1] / "questionnaires" / "schema.json"


def _problems(name: str, **kwargs) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        load_definition(BAD / name, **kwargs)
    error = info.value
    assert str(error) == "\n".join(str(p) for p in error.problems)
    assert all(p.file == str(BAD / name) for p in error.problems)
    assert all(p.message and p.message_en for p in error.problems)
    return error.problems


@pytest.mark.parametrize("name, line, question, fragment", [
    ("syntax.yaml", 4, None, "erreur de syntaxe YAML"),
    ("unknown_key.yaml", 11, "age", "clé inconnue « maximum »"),
    ("unknown_type.yaml", 9, "age", "type de question inconnu « nombre »"),
    ("condition_syntax.yaml", 14, "retraite", "condition illisible « age >= 60 and ( »"),
    ("unknown_question.yaml", 14, "retraite", "question inconnue « agee »"),
    ("unknown_option.yaml", 17, "bailleur", "« locatair » n'est pas un code de la question "
                                            "« logement »"),
    ("forward_reference.yaml", 11, "retraite", "« age », qui n'est pas posée avant"),
    ("duplicate_id.yaml", 14, "age", "identifiant de question en double « age » "
                                     "(déjà utilisé ligne 8)"),
    ("duplicate_code.yaml", 13, "logement", "code d'option en double « 1 » "
                                            "(déjà utilisé ligne 12)"),
    ("missing_french.yaml", 10, "age", "libellé en français (fr) manquant"),
    ("undeclared_axis.yaml", 15, "stress", "axe non déclaré « sante_mentale »"),
])
def test_each_kind_of_problem_is_located(name, line, question, fragment):
    problems = _problems(name)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.line, problem.question_id) == (line, question)
    assert fragment in problem.message


def test_impossible_conditions_are_all_reported():
    problems = _problems("impossible_condition.yaml")
    assert [(p.line, p.question_id) for p in problems] == [(23, "q1"), (27, "q2"), (31, "q3")]
    assert "« 2 » n'est pas un code" in problems[0].message
    assert "selected() ne s'applique qu'à une question à choix" in problems[1].message
    assert "« < » n'a pas de sens pour un texte libre" in problems[2].message


def test_every_problem_of_a_file_is_reported_at_once():
    problems = _problems("many_problems.yaml")
    found = {(p.line, p.question_id, p.message.split(" : ")[0].split(" « ")[0])
             for p in problems}
    assert found == {
        (2, None, "« title »"),
        (11, "age", "clé inconnue"),
        (15, "logement", "axe non déclaré"),
        (18, "logement", "code d'option en double"),
        (22, "q1", "la condition porte sur"),
        (22, "q1", "« z » n'est pas un code de la question"),
        (23, "age", "identifiant de question en double"),
        (29, "later", "condition illisible"),
    }
    text = str(DefinitionError(problems))
    assert text.splitlines()[0].startswith(f"{BAD / 'many_problems.yaml'}:2: ")


def _parse(body: str, **kwargs) -> Definition:
    return parse_definition(textwrap.dedent(body), source="test.yaml", **kwargs)


_MINIMAL = """
    id: mini
    title: Mini
    languages: [fr, en]
    sections:
      - id: s
        title: S
        questions:
          - {id: stress, type: scale, min: 0, max: 10, label: Stress, axis: sante_mentale}
"""


def test_default_axes_apply_when_the_file_declares_none():
    definition = _parse(_MINIMAL)
    assert definition.axes == DEFAULT_AXES
    assert definition.axis_label("sante_mentale", "en") == "Mental health"


def test_campaign_axes_override_the_file():
    axes = {"sante_mentale": "Santé mentale", "logement": {"fr": "Habitat"}}
    definition = _parse(_MINIMAL, axes=axes)
    assert definition.axes == {"sante_mentale": {"fr": "Santé mentale"},
                               "logement": {"fr": "Habitat"}}
    with pytest.raises(DefinitionError) as info:
        _parse(_MINIMAL, axes={"acces_soins": "Accès"})
    assert "axe non déclaré « sante_mentale » (axes : acces_soins)" in str(info.value)


def test_string_labels_are_french_and_fall_back():
    definition = _parse(_MINIMAL)
    stress = definition.questions["stress"]
    assert stress.labels == {"fr": "Stress"}
    assert stress.label("en") == "Stress"
    assert definition.label("en") == "Mini"


def test_a_label_in_an_undeclared_language_is_refused():
    with pytest.raises(DefinitionError) as info:
        _parse(_MINIMAL.replace("label: Stress", "label: {fr: Stress, de: Stress}"))
    assert "libellé en « de », langue absente de languages" in str(info.value)


def test_duplicate_yaml_keys_are_reported():
    with pytest.raises(DefinitionError) as info:
        _parse(_MINIMAL.replace("title: Mini", "title: Mini\n    title: Encore"))
    assert "test.yaml:4: clé en double « title »" in str(info.value)


@pytest.mark.parametrize("replace, fragment", [
    ("label: Stress,", "label: Stress, required: yes, role: sex,"),
    ("min: 0", "min: 10"),
    ("id: stress", "id: not"),
    ("id: stress", "id: a__b"),
])
def test_semantic_checks(replace, fragment):
    with pytest.raises(DefinitionError):
        _parse(_MINIMAL.replace(replace, fragment))


@pytest.mark.parametrize("text, fragment", [
    ("", "fichier vide"),
    ("- a\n- b\n", "dictionnaire"),
    ("id: x\n", "clé obligatoire manquante « title »"),
    ("id: x\ntitle: X\nlanguages: [en]\nsections: []\n", "languages doit contenir « fr »"),
    ("id: X\ntitle: X\nlanguages: [fr]\nsections: [{id: s, title: S, questions: []}]\n",
     "identifiant invalide"),
])
def test_malformed_documents(text, fragment):
    with pytest.raises(DefinitionError) as info:
        parse_definition(text)
    assert fragment in str(info.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(DefinitionError) as info:
        load_definition(tmp_path / "absent.yaml")
    assert "fichier illisible" in str(info.value)
    (tmp_path / "latin1.yaml").write_bytes("id: é".encode("latin-1"))
    with pytest.raises(DefinitionError) as info:
        load_definition(tmp_path / "latin1.yaml")
    assert "UTF-8" in str(info.value)


def test_keys_of_another_type_are_explained():
    with pytest.raises(DefinitionError) as info:
        _parse(_MINIMAL.replace("axis: sante_mentale", "axis: sante_mentale, options: []"))
    assert "clé « options » non permise pour une question de type « scale »" in str(info.value)


def test_a_yaml_boolean_code_gets_a_hint():
    body = _MINIMAL.replace(
        "{id: stress, type: scale, min: 0, max: 10, label: Stress, axis: sante_mentale}",
        "{id: q, type: single, label: Q, options: [{code: no, label: Non}]}")
    with pytest.raises(DefinitionError) as info:
        _parse(body)
    assert "mettez la valeur entre guillemets" in str(info.value)


# -------------------------------------------------------- canonical form
def test_to_dict_round_trips_and_hash_is_stable(demo):
    data = demo.to_dict()
    json.dumps(data)  # JSON-able
    rebuilt = Definition.from_dict(json.loads(json.dumps(data)))
    assert rebuilt == demo
    assert rebuilt.to_dict() == data
    assert rebuilt.content_hash == demo.content_hash
    assert len(demo.content_hash) == 64


def test_hash_changes_with_content(demo):
    data = demo.to_dict()
    data["sections"][0]["questions"][1]["label"]["fr"] = "Votre âge"
    assert Definition.from_dict(data).content_hash != demo.content_hash


def test_from_dict_validates(demo):
    data = demo.to_dict()
    data["sections"][0]["questions"][1]["type"] = "bogus"
    with pytest.raises(DefinitionError):
        Definition.from_dict(data)


def test_model_accessors(demo):
    assert demo.id == "demo" and demo.languages == ["fr", "en"]
    assert list(demo.questions)[:3] == ["intro", "age", "sexe"]
    pays = demo.questions["pays"]
    assert pays.widget == "dropdown" and pays.codes == ["fr", "1", "autre"]
    assert pays.other_option.code == "autre" and pays.option("1").label() == "Algérie"
    assert demo.questions["gene"].options[-1].exclusive
    assert demo.questions["env"].rows[0].indicator.name == "bruit_fort"
    assert demo.questions["quartier"].options_for([{"code": "a", "name": "A"}])[-1].code == "nsp"
    assert {i.name for i in demo.indicators()} == {"parent", "gene_env", "stress_fort",
                                                   "bruit_fort"}
    assert demo.question_for_role("district").id == "quartier"
    assert demo.questions["age"].section_id == "s1"
    trees = demo.condition_trees()
    assert trees["sections"]["s2"] == {"op": "!=", "args": [{"ref": "age"}, {"lit": "18_39"}]}
    assert trees["constraints"][0]["target"] == "nb_foyer"
    assert trees["constraints"][1]["target"] == "date_rdv"


def test_schema_file_is_the_packaged_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == SCHEMA


# ----------------------------------------------------------------- diff
def test_diff_reports_drops_additions_and_type_changes(demo):
    data = demo.to_dict()
    questions = data["sections"][0]["questions"]
    questions[:] = [q for q in questions if q["id"] != "nb_foyer"]
    data["sections"][0].pop("constraints")
    pays = next(q for q in questions if q["id"] == "pays")
    pays["options"] = [o for o in pays["options"] if o["code"] != "1"] + [
        {"code": "ma", "label": {"fr": "Maroc"}}]
    next(q for q in questions if q["id"] == "nb_enfants")["type"] = "decimal"
    env = next(q for q in data["sections"][1]["questions"] if q["id"] == "env")
    env["rows"] = env["rows"][:1]
    questions.append({"id": "nouvelle", "type": "yesno", "label": {"fr": "Nouvelle"}})
    new = Definition.from_dict(data)
    diff = diff_definitions(demo, new)
    assert diff.dropped_questions == ["nb_foyer"]
    assert diff.added_questions == ["nouvelle"]
    assert diff.dropped_options == {"pays": ["1"]}
    assert diff.added_options == {"pays": ["ma"]}
    assert diff.dropped_rows == {"env": ["air"]}
    assert diff.changed_types == {"nb_enfants": ("integer", "decimal")}
    assert diff.is_breaking and not diff.is_empty
    conflicts = diff.conflicts({"pays": {"1", "fr"}, "nb_foyer": None, "env": {"bruit"}})
    assert len(conflicts) == 2 and any("1" in c for c in conflicts)
    assert diff.summary() and json.dumps(diff.to_dict())
    assert diff_definitions(demo, demo).is_empty


@pytest.mark.parametrize("name, valid", [
    ("../all_features.yaml", True), ("../../../questionnaires/resident.yaml", True),
    ("../../../questionnaires/professional.yaml", True), ("unknown_key.yaml", False),
    ("unknown_type.yaml", False), ("missing_french.yaml", False),
])
def test_published_schema_agrees_with_the_loader(name, valid):
    import yaml
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    data = yaml.safe_load((BAD / name).read_text(encoding="utf-8"))
    assert Draft202012Validator(SCHEMA).is_valid(data) is valid


def test_a_key_of_another_type_is_refused_by_the_published_schema():
    import yaml
    from jsonschema import Draft202012Validator

    data = yaml.safe_load(textwrap.dedent(_MINIMAL).replace("axis: sante_mentale",
                                                            "axis: sante_mentale, unit: m"))
    assert not Draft202012Validator(SCHEMA).is_valid(data)
    with pytest.raises(DefinitionError, match="clé « unit » non permise"):
        parse_definition(yaml.safe_dump(data))


def test_the_package_is_pure():
    """No web framework nor database in survey_app.questionnaire."""
    import ast

    package = HERE.parents[1] / "survey_app" / "questionnaire"
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "bisect", "collections", "copy", "dataclasses",
                        "datetime", "difflib", "functools", "hashlib", "itertools", "json",
                        "jsonschema", "math", "pathlib", "random", "re", "sys", "typing",
                        "unicodedata", "yaml"}


def test_a_key_that_is_not_text_is_reported_as_unknown():
    # Found by the generated-YAML probe: an anchor standing where a key's name should be
    # (``&aunit: …``) makes a null key, which the "did you mean" hint could not compare.
    text = textwrap.dedent("""\
        id: x
        title: {fr: "X"}
        languages: [fr]
        sections:
          - id: un
            title: {fr: "Un"}
            questions:
              - id: age
                type: integer
                &aunit: {fr: "ans"}
                label: {fr: "Âge"}
              - id: nb
                type: integer
                12: {fr: "douze"}
                label: {fr: "Nombre"}
        """)
    with pytest.raises(DefinitionError) as info:
        parse_definition(text)
    messages = [p.message for p in info.value.problems]
    assert any("clé inconnue « None »" in m for m in messages), messages
    assert any("clé inconnue « 12 »" in m for m in messages), messages
