"""JSON Schema (Draft 2020-12) of a questionnaire definition file.

The schema lives here so that it ships with the package; ``questionnaires/schema.json``
is a copy written by ``python -m survey_app.questionnaire.schema`` (a test keeps
the two identical).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .model import QUESTION_TYPES, ROLES

__all__ = ["SCHEMA", "schema_json", "write_schema", "SCHEMA_FILE"]

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "questionnaires" / "schema.json"

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64}
_LANG = "^[a-z]{2,3}$"

_DEFS = {
    "id": _ID,
    "labels": {
        "description": "A text per language: a string (French) or {fr: ..., en: ...}.",
        "type": ["string", "object"],
        "minLength": 1,
        "required": ["fr"],
        "patternProperties": {_LANG: {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    },
    "condition": {"type": "string", "minLength": 1,
                  "description": "An expression of the condition language (README)."},
    "code": {"type": ["string", "integer"], "pattern": "^[A-Za-z0-9_-]{1,32}$",
             "minimum": 0, "description": "Stable option code, keyed from paper forms."},
    "option": {
        "type": "object",
        "properties": {
            "code": {"$ref": "#/$defs/code"},
            "label": {"$ref": "#/$defs/labels"},
            "other": {"type": "boolean", "description": "'Autre, précisez': opens a text."},
            "exclusive": {"type": "boolean", "description": "Cannot be combined (aucun)."},
        },
        "required": ["code", "label"],
        "additionalProperties": False,
    },
    "options": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}},
    "indicator": {
        "type": "object",
        "properties": {
            "name": _ID,
            "label": {"$ref": "#/$defs/labels"},
            "need": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/code"}},
        },
        "required": ["name", "label", "need"],
        "additionalProperties": False,
    },
    "row": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9_]+$", "maxLength": 64},
            "label": {"$ref": "#/$defs/labels"},
            "indicator": {"$ref": "#/$defs/indicator"},
        },
        "required": ["id", "label"],
        "additionalProperties": False,
    },
    "constraint": {
        "type": "object",
        "properties": {
            "expr": {"$ref": "#/$defs/condition"},
            "message": {"$ref": "#/$defs/labels"},
            "attach": _ID,
        },
        "required": ["expr", "message"],
        "additionalProperties": False,
    },
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
}


def _when(types, properties, required=()):
    types = [types] if isinstance(types, str) else list(types)
    condition = {"properties": {"type": {"enum": types}}, "required": ["type"]}
    then: dict = {"properties": properties}
    if required:
        then["required"] = list(required)
    return {"if": condition, "then": then}


_INDICATOR = {"indicator": {"$ref": "#/$defs/indicator"}}
_OPTIONS = {"options": {"$ref": "#/$defs/options"}}
_CHOICES = {"type": "integer", "minimum": 0}

_QUESTION = {
    "type": "object",
    "properties": {
        "id": _ID,
        "type": {"enum": list(QUESTION_TYPES)},
        "label": {"$ref": "#/$defs/labels"},
        "help": {"$ref": "#/$defs/labels"},
        "required": {"type": "boolean"},
        "show_if": {"$ref": "#/$defs/condition"},
        "role": {"enum": list(ROLES)},
        "axis": _ID,
        "theme": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
    },
    "required": ["id", "type", "label"],
    "allOf": [
        _when("single", {**_OPTIONS, **_INDICATOR,
                         "widget": {"enum": ["radio", "dropdown"]}}, ["options"]),
        _when("multiple", {**_OPTIONS, **_INDICATOR, "min_choices": _CHOICES,
                           "max_choices": _CHOICES}, ["options"]),
        _when("ranking", {**_OPTIONS, "rank_count": {"type": "integer", "minimum": 1},
                          "min_choices": _CHOICES}, ["options", "rank_count"]),
        _when("matrix", {**_OPTIONS, "rows": {"type": "array", "minItems": 1,
                                              "items": {"$ref": "#/$defs/row"}}},
              ["options", "rows"]),
        _when("scale", {**_INDICATOR, "min": {"type": "integer"}, "max": {"type": "integer"},
                        "min_label": {"$ref": "#/$defs/labels"},
                        "max_label": {"$ref": "#/$defs/labels"}}, ["min", "max"]),
        _when(["integer", "year"], {"min": {"type": "integer"}, "max": {"type": "integer"}}),
        _when("decimal", {"min": {"type": "number"}, "max": {"type": "number"}}),
        _when(["integer", "decimal"], {"unit": {"$ref": "#/$defs/labels"}}),
        _when("date", {"min": {"$ref": "#/$defs/date"}, "max": {"$ref": "#/$defs/date"}}),
        _when("text", {"max_length": {"type": "integer", "minimum": 1, "maximum": 500},
                       "pattern": {"type": "string", "minLength": 1},
                       "pattern_message": {"$ref": "#/$defs/labels"}}),
        _when("longtext", {"max_length": {"type": "integer", "minimum": 1, "maximum": 5000}}),
        _when("district", {"widget": {"enum": ["radio", "dropdown"]}}),
        _when("yesno", _INDICATOR),
    ],
    "unevaluatedProperties": False,
}

_SECTION = {
    "type": "object",
    "properties": {
        "id": _ID,
        "title": {"$ref": "#/$defs/labels"},
        "intro": {"$ref": "#/$defs/labels"},
        "show_if": {"$ref": "#/$defs/condition"},
        "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
        "constraints": {"type": "array", "items": {"$ref": "#/$defs/constraint"}},
    },
    "required": ["id", "title", "questions"],
    "additionalProperties": False,
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.org/cls-diagnostic/questionnaire.schema.json",
    "title": "Questionnaire du diagnostic local de santé (CLS)",
    "description": "One YAML file per questionnaire; see questionnaires/README.md.",
    "type": "object",
    "properties": {
        "id": _ID,
        "title": {"$ref": "#/$defs/labels"},
        "description": {"$ref": "#/$defs/labels"},
        "languages": {"type": "array", "minItems": 1, "uniqueItems": True,
                      "items": {"type": "string", "pattern": _LANG},
                      "contains": {"const": "fr"}},
        "axes": {"type": "object",
                 "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                 "additionalProperties": {"$ref": "#/$defs/labels"}},
        "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/section"}},
        "constraints": {"type": "array", "items": {"$ref": "#/$defs/constraint"}},
    },
    "required": ["id", "title", "languages", "sections"],
    "additionalProperties": False,
    "$defs": {**_DEFS, "question": _QUESTION, "section": _SECTION},
}


def schema_json() -> str:
    """The schema as the text of ``questionnaires/schema.json``."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


def write_schema(target: str | Path | None = None) -> Path:
    """Write the schema to ``questionnaires/schema.json`` (or ``target``)."""
    path = Path(target) if target is not None else SCHEMA_FILE
    path.write_text(schema_json(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(f"écrit : {write_schema(sys.argv[1] if len(sys.argv) > 1 else None)}")
