"""Load a definition file: YAML with line numbers, JSON Schema, then semantic checks.

Every problem is collected before anything is raised, so that an author sees
the whole list at once, each with its file, line and question id.
"""
from __future__ import annotations

import copy
import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from jsonschema import Draft202012Validator

from .build import Builder
from .errors import DefinitionError, Problem
from .model import QUESTION_TYPES, ROLES, Definition
from .schema import SCHEMA

__all__ = ["load_definition", "parse_definition", "build_definition", "LineMap"]

# libyaml when available: ten times faster, with the same node marks
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineMap:
    """Line (1-based) of every path (tuple of keys and indexes) of a YAML document."""

    def __init__(self, node: yaml.Node | None = None):
        self.lines: dict[tuple, int] = {}
        self.duplicates: list[tuple[tuple, str, int]] = []
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.duplicates.append((path, key, key_node.start_mark.line + 1))
                seen.add(key)
                self._walk(value_node, path + (key,))
                # a key's line, not the line where its (block) value starts
                self.lines[path + (key,)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, path + (index,))

    def line(self, path: tuple) -> int | None:
        """Line of ``path``, or of its nearest ancestor known to the map."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


@lru_cache(maxsize=1)
def _document_validator() -> Draft202012Validator:
    """The schema with questions left opaque: they are checked one by one, by type."""
    schema = copy.deepcopy(SCHEMA)
    schema["$defs"]["section"]["properties"]["questions"]["items"] = {"type": "object"}
    return Draft202012Validator(schema)


@lru_cache(maxsize=None)
def _question_validator(qtype: str | None) -> Draft202012Validator:
    """The question schema specialised to one type (same rules, much faster to apply
    than the published if/then + unevaluatedProperties form)."""
    question = SCHEMA["$defs"]["question"]
    properties, required = dict(question["properties"]), list(question["required"])
    for rule in question["allOf"]:
        if qtype is None:  # unknown type: accept any type's keys, reported on its own
            properties.update({key: {} for key in rule["then"]["properties"]})
        elif qtype in rule["if"]["properties"]["type"]["enum"]:
            properties.update(rule["then"]["properties"])
            required += rule["then"].get("required", [])
    return Draft202012Validator({
        "type": "object", "properties": properties, "required": required,
        "additionalProperties": False, "x-question-type": qtype, "$defs": SCHEMA["$defs"]})


def _question_keys() -> tuple[set[str], dict[str, set[str]]]:
    """Keys every question accepts, and the extra keys of each type (from the schema)."""
    question = SCHEMA["$defs"]["question"]
    common = set(question["properties"])
    by_type: dict[str, set[str]] = {t: set() for t in QUESTION_TYPES}
    for rule in question["allOf"]:
        for qtype in rule["if"]["properties"]["type"]["enum"]:
            by_type[qtype] |= set(rule["then"]["properties"])
    return common, by_type


_COMMON_KEYS, _TYPE_KEYS = _question_keys()
_JSON_TYPES = {"string": "un texte", "integer": "un nombre entier", "number": "un nombre",
               "boolean": "true ou false", "array": "une liste", "object": "un dictionnaire"}


def _describe_type(expected: Any) -> str:
    expected = expected if isinstance(expected, list) else [expected]
    return " ou ".join(_JSON_TYPES.get(t, t) for t in expected)


def _suggest(key: Any, candidates) -> str:
    if not isinstance(key, str):  # a YAML key may be null, a number or a date
        return ""
    close = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.7)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _unknown_keys(err, path: tuple) -> list[tuple[tuple, str, str]]:
    """(path, fr, en) for each unknown key reported by an *Properties error."""
    instance = err.instance if isinstance(err.instance, dict) else {}
    out = []
    if "x-question-type" in err.schema:  # a question: keys depend on its type
        qtype = err.schema["x-question-type"]
        if qtype is None:  # the type is reported on its own
            anywhere = _COMMON_KEYS.union(*_TYPE_KEYS.values())
            return [(path + (key,), f"clé inconnue « {key} »" + _suggest(key, anywhere),
                     f"unknown key '{key}'") for key in instance if key not in anywhere]
        allowed = _COMMON_KEYS | _TYPE_KEYS[qtype]
        for key in instance:
            if key in allowed:
                continue
            elsewhere = sorted(t for t, keys in _TYPE_KEYS.items() if key in keys)
            if elsewhere:
                fr = (f"clé « {key} » non permise pour une question de type « {qtype} » "
                      f"(valable pour : {', '.join(elsewhere)})")
            else:
                fr = f"clé inconnue « {key} »" + _suggest(key, allowed)
            out.append((path + (key,), fr, f"unknown key '{key}' for a '{qtype}' question"))
        return out
    known = set(err.schema.get("properties", {}))
    patterns = list(err.schema.get("patternProperties", {}))
    for key in instance:
        if key in known or any(re.search(p, str(key)) for p in patterns):
            continue
        if patterns:  # a labels dict: its keys are language codes
            fr = f"langue invalide « {key} » : code de langue en minuscules (fr, en, ar…)"
        else:
            fr = f"clé inconnue « {key} »" + _suggest(str(key), known)
        out.append((path + (key,), fr, f"unknown key '{key}'"))
    return out


def _schema_problem(err, path: tuple) -> list[tuple[tuple, str, str]]:
    """Translate one JSON Schema error into (path, fr, en) problems."""
    v, instance, last = err.validator, err.instance, (path[-1] if path else None)
    if v in ("additionalProperties", "unevaluatedProperties"):
        return _unknown_keys(err, path)
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        key = missing[0] if missing else "?"
        if key == "fr":
            return [(path, f"« {last} » : libellé en français (fr) manquant",
                     f"'{last}': missing French (fr) label")]
        return [(path, f"clé obligatoire manquante « {key} »", f"missing required key '{key}'")]
    if v == "enum" and last == "type":
        return [(path, f"type de question inconnu « {instance} » (types : "
                       f"{', '.join(QUESTION_TYPES)})", f"unknown question type '{instance}'")]
    if v == "enum" and last == "role":
        return [(path, f"rôle inconnu « {instance} » (rôles : {', '.join(ROLES)})",
                 f"unknown role '{instance}'")]
    if v == "enum":
        choices = ", ".join(str(c) for c in err.validator_value)
        return [(path, f"valeur « {instance} » non permise pour « {last} » (valeurs : {choices})",
                 f"value '{instance}' not allowed for '{last}'")]
    if v == "type":
        hint = (" (YAML lit yes/no/on/off/true/false comme un booléen : mettez la valeur "
                "entre guillemets)" if isinstance(instance, bool) else "")
        return [(path, f"« {last} » : {_describe_type(err.validator_value)} attendu{hint}",
                 f"'{last}': expected {err.validator_value}")]
    if v == "pattern":
        what = {"code": "code d'option invalide (lettres, chiffres, _ ou -, 32 caractères "
                        "au plus)",
                "id": "identifiant invalide (minuscules sans accent, chiffres et _, en "
                      "commençant par une lettre)"}.get(last, f"valeur invalide pour « {last} »")
        return [(path, f"{what} : « {instance} »", f"invalid value '{instance}' for '{last}'")]
    if v == "propertyNames":
        return [(path, f"clé d'axe invalide « {instance} » (minuscules, chiffres et _)",
                 f"invalid axis key '{instance}'")]
    if v == "contains" and last == "languages":
        return [(path, "languages doit contenir « fr » (le français est obligatoire)",
                 "languages must contain 'fr'")]
    if v in ("minItems", "minLength", "minProperties"):
        return [(path, f"« {last} » ne doit pas être vide", f"'{last}' must not be empty")]
    if v in ("minimum", "maximum"):
        word = "au moins" if v == "minimum" else "au plus"
        return [(path, f"« {last} » doit valoir {word} {err.validator_value}",
                 f"'{last}' must be {v} {err.validator_value}")]
    if v == "uniqueItems":
        return [(path, f"« {last} » contient des doublons", f"'{last}' has duplicates")]
    return [(path, f"« {last} » invalide : {err.message}", err.message)]


def _schema_errors(err):
    """Leaf errors (the most specific ones) of a schema error tree."""
    if err.validator in ("allOf", "anyOf", "oneOf", "if", "then") and err.context:
        for sub in err.context:
            yield from _schema_errors(sub)
    else:
        yield err


def _question_id_at(data: Any, path: tuple) -> str | None:
    if len(path) >= 4 and path[0] == "sections" and path[2] == "questions":
        try:
            qid = data["sections"][path[1]]["questions"][path[3]].get("id")
            return qid if isinstance(qid, str) else None
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def schema_problems(data: Any, source: str, lines: LineMap) -> list[Problem]:
    """Every JSON Schema violation of ``data`` as a located Problem."""
    errors = [((), err) for err in _document_validator().iter_errors(data)]
    sections = data.get("sections") if isinstance(data, dict) else None
    for i, section in enumerate(sections if isinstance(sections, list) else []):
        questions = section.get("questions") if isinstance(section, dict) else None
        for j, question in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(question, dict):
                qtype = question.get("type")
                validator = _question_validator(qtype if qtype in QUESTION_TYPES else None)
                errors += [(("sections", i, "questions", j), err)
                           for err in validator.iter_errors(question)]
    problems = []
    for prefix, top in errors:
        for err in _schema_errors(top):
            for path, fr, en in _schema_problem(err, prefix + tuple(err.absolute_path)):
                problems.append(Problem(source, lines.line(path), _question_id_at(data, path),
                                        fr, en))
    return problems


def build_definition(data: Any, *, source: str = "<dict>", lines: LineMap | None = None,
                     axes: Mapping | None = None) -> Definition:
    """Validate already-parsed data (schema + semantics) and build the Definition."""
    lines = lines or LineMap()
    problems = [Problem(source, line, _question_id_at(data, path), f"clé en double « {key} » : "
                        f"la seconde valeur remplacerait la première", f"duplicate key '{key}'")
                for path, key, line in lines.duplicates]
    problems += schema_problems(data, source, lines)
    builder = Builder(data, source=source, line_of=lines.line, axes=axes)
    definition = builder.build()
    problems += builder.problems
    if problems:
        raise DefinitionError(problems)
    return definition


def parse_definition(text: str, *, source: str = "<texte>", axes: Mapping | None = None
                     ) -> Definition:
    """Parse and validate a definition from YAML (or JSON) text; raise DefinitionError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if exc.context_mark is not None and mark is not exc.context_mark \
                and exc.context_mark.line != mark.line:
            detail += f" (élément ouvert ligne {exc.context_mark.line + 1})"
        raise DefinitionError([Problem(source, mark.line + 1 if mark else None, None,
                                       f"erreur de syntaxe YAML : {detail}",
                                       f"YAML syntax error: {detail}")]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(source, None, None, f"erreur YAML : {exc}",
                                       f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise DefinitionError([Problem(source, None, None, "fichier vide", "empty file")])
    return build_definition(data, source=source, lines=LineMap(node), axes=axes)


def load_definition(path: str | Path, *, axes: Mapping | None = None) -> Definition:
    """Load and validate a definition file; raise DefinitionError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError([Problem(str(path), None, None,
                                       f"le fichier n'est pas en UTF-8 ({exc.reason})",
                                       "the file is not UTF-8")]) from None
    except OSError as exc:
        raise DefinitionError([Problem(str(path), None, None,
                                       f"fichier illisible : {exc.strerror}",
                                       f"cannot read file: {exc.strerror}")]) from None
    return parse_definition(text, source=str(path), axes=axes)
