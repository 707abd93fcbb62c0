"""The in-memory questionnaire definition: sections, questions, options.

Objects are built by :mod:`.loader` (which validates) and serialise back to a
canonical dict (``to_dict``) that is itself a valid definition file, so that
``Definition.from_dict(d.to_dict())`` rebuilds the same definition.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Mapping

from .conditions import Node

__all__ = [
    "QUESTION_TYPES", "CHOICE_TYPES", "OPTION_TYPES", "NUMBER_TYPES", "TEXT_TYPES",
    "ROLES", "DEFAULT_AXES", "NSP_CODE", "OTHER_SUFFIX", "Labels", "Option", "Row",
    "Indicator", "Constraint", "Question", "Section", "Definition", "district_options",
    "label_in",
]

#: Every question type; ``single`` with ``widget: dropdown`` is the dropdown.
QUESTION_TYPES = (
    "single", "multiple", "scale", "matrix", "integer", "decimal", "year", "date",
    "text", "longtext", "district", "yesno", "ranking", "note",
)
#: Types whose options are written in the file.
OPTION_TYPES = frozenset({"single", "multiple", "ranking", "matrix"})
#: Types whose answer is one or several option codes.
CHOICE_TYPES = frozenset({"single", "multiple", "ranking", "yesno", "district"})
NUMBER_TYPES = frozenset({"integer", "decimal", "year", "scale"})
TEXT_TYPES = frozenset({"text", "longtext"})
#: Analysis roles (weighting and breakdown variables).
ROLES = ("district", "age_band", "sex", "household", "occupation", "housing",
         "education", "income", "profession")
#: The axes of a CLS when neither the file nor the campaign declares any.
DEFAULT_AXES: dict[str, dict[str, str]] = {
    "acces_soins": {"fr": "Accès aux soins et aux droits",
                    "en": "Access to care and rights"},
    "sante_mentale": {"fr": "Santé mentale", "en": "Mental health"},
    "prevention_environnement": {
        "fr": "Prévention et environnement favorable à la santé",
        "en": "Prevention and a health-friendly environment"},
    "parcours_vulnerables": {
        "fr": "Parcours de santé des personnes vulnérables",
        "en": "Care pathways of vulnerable people"},
}
#: Code of "je ne sais pas" added to every district list.
NSP_CODE = "nsp"
#: Suffix of the answer key holding the text of an "Autre, précisez" option.
OTHER_SUFFIX = "__autre"

Labels = dict  # lang -> text; "fr" always present


def label_in(labels: Mapping[str, str] | None, lang: str = "fr") -> str:
    """Return the label in ``lang``, falling back to French."""
    if not labels:
        return ""
    return labels.get(lang) or labels.get("fr") or next(iter(labels.values()), "")


def _labels_out(labels: Mapping[str, str]) -> dict:
    # French first, then the others in alphabetical order: a stable canonical form
    return {k: labels[k] for k in sorted(labels, key=lambda k: (k != "fr", k))}


@dataclass(eq=True)
class Option:
    code: str
    labels: Labels
    other: bool = False
    exclusive: bool = False

    def label(self, lang: str = "fr") -> str:
        return label_in(self.labels, lang)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "label": _labels_out(self.labels)}
        if self.other:
            out["other"] = True
        if self.exclusive:
            out["exclusive"] = True
        return out


YESNO_OPTIONS = (
    Option("oui", {"fr": "Oui", "en": "Yes"}),
    Option("non", {"fr": "Non", "en": "No"}),
)


@dataclass(eq=True)
class Indicator:
    """A share of respondents with a need: those whose answer is in ``need``."""

    name: str
    labels: Labels
    need: tuple[str, ...]
    question_id: str = ""
    row_id: str | None = None
    axis: str | None = None

    def label(self, lang: str = "fr") -> str:
        return label_in(self.labels, lang)

    def to_dict(self) -> dict:
        return {"name": self.name, "label": _labels_out(self.labels), "need": list(self.need)}


@dataclass(eq=True)
class Row:
    id: str
    labels: Labels
    indicator: Indicator | None = None

    def label(self, lang: str = "fr") -> str:
        return label_in(self.labels, lang)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "label": _labels_out(self.labels)}
        if self.indicator:
            out["indicator"] = self.indicator.to_dict()
        return out


@dataclass(eq=True)
class Constraint:
    """A cross-question rule: ``expr`` must hold, else ``message`` is shown."""

    expr: str
    messages: Labels
    attach: str | None = None
    section_id: str | None = None
    node: Node | None = field(default=None, compare=False, repr=False)
    #: question ids whose *value* the rule uses: it is skipped while one is missing
    value_refs: tuple[str, ...] = field(default=(), compare=False, repr=False)
    #: question the message is shown on (``attach`` or the last referenced one)
    target: str | None = field(default=None, compare=False, repr=False)

    def message(self, lang: str = "fr") -> str:
        return label_in(self.messages, lang)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"expr": self.expr, "message": _labels_out(self.messages)}
        if self.attach:
            out["attach"] = self.attach
        return out


# keys written by Question.to_dict, in canonical order, with their default value
_QUESTION_FIELDS = (
    ("widget", None), ("required", False), ("show_if", None), ("min", None), ("max", None),
    ("unit", None), ("min_label", None), ("max_label", None), ("min_choices", None),
    ("max_choices", None), ("rank_count", None), ("max_length", None), ("pattern", None),
    ("pattern_message", None), ("role", None), ("axis", None), ("theme", None),
)
_LABEL_FIELDS = frozenset({"unit", "min_label", "max_label", "pattern_message"})


@dataclass(eq=True)
class Question:
    id: str
    type: str
    labels: Labels
    help: Labels | None = None
    required: bool = False
    show_if: str | None = None
    widget: str | None = None
    options: list[Option] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    min: Any = None
    max: Any = None
    unit: Labels | None = None
    min_label: Labels | None = None
    max_label: Labels | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    rank_count: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Labels | None = None
    role: str | None = None
    axis: str | None = None
    theme: str | None = None
    indicator: Indicator | None = None
    section_id: str = ""
    #: position in the questionnaire (0-based), for "earlier question" checks
    position: int = field(default=0, compare=False)
    show_if_node: Node | None = field(default=None, compare=False, repr=False)

    def label(self, lang: str = "fr") -> str:
        return label_in(self.labels, lang)

    def help_text(self, lang: str = "fr") -> str:
        return label_in(self.help, lang)

    @property
    def codes(self) -> list[str]:
        return [o.code for o in self.options]

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    @property
    def other_option(self) -> Option | None:
        return next((o for o in self.options if o.other), None)

    @property
    def row_ids(self) -> list[str]:
        return [r.id for r in self.rows]

    @property
    def answerable(self) -> bool:
        return self.type != "note"

    def options_for(self, districts: Iterable = ()) -> list[Option]:
        """Options as shown to a respondent (district lists come from the campaign)."""
        if self.type == "district":
            return district_options(districts)
        return list(self.options)

    def indicators(self) -> list[Indicator]:
        found = [self.indicator] if self.indicator else []
        return found + [r.indicator for r in self.rows if r.indicator]

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "type": self.type,
                               "label": _labels_out(self.labels)}
        if self.help:
            out["help"] = _labels_out(self.help)
        for name, default in _QUESTION_FIELDS:
            value = getattr(self, name)
            if value != default and value is not None:
                out[name] = _labels_out(value) if name in _LABEL_FIELDS else value
        if self.options and self.type in OPTION_TYPES:
            out["options"] = [o.to_dict() for o in self.options]
        if self.rows:
            out["rows"] = [r.to_dict() for r in self.rows]
        if self.indicator:
            out["indicator"] = self.indicator.to_dict()
        return out


def district_options(districts: Iterable = ()) -> list[Option]:
    """Options of a district question: the campaign's districts plus "nsp".

    ``districts`` holds codes or dicts with ``code`` and optionally ``name``.
    """
    options = []
    for d in districts or ():
        if isinstance(d, Mapping):
            code, name = str(d["code"]), str(d.get("name") or d["code"])
        else:
            code = name = str(d)
        if code != NSP_CODE:
            options.append(Option(code, {"fr": name}))
    options.append(Option(NSP_CODE, {"fr": "Je ne sais pas", "en": "I don't know"}))
    return options


@dataclass(eq=True)
class Section:
    id: str
    title: Labels
    intro: Labels | None = None
    show_if: str | None = None
    questions: list[Question] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    show_if_node: Node | None = field(default=None, compare=False, repr=False)

    def label(self, lang: str = "fr") -> str:
        return label_in(self.title, lang)

    def intro_text(self, lang: str = "fr") -> str:
        return label_in(self.intro, lang)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "title": _labels_out(self.title)}
        if self.intro:
            out["intro"] = _labels_out(self.intro)
        if self.show_if:
            out["show_if"] = self.show_if
        out["questions"] = [q.to_dict() for q in self.questions]
        if self.constraints:
            out["constraints"] = [c.to_dict() for c in self.constraints]
        return out


class Definition:
    """A validated questionnaire (build it with ``load_definition``/``parse_definition``)."""

    def __init__(self, *, id: str, title: Labels, languages: list[str],
                 axes: dict[str, Labels], sections: list[Section],
                 constraints: list[Constraint] | None = None,
                 description: Labels | None = None, source: str = "<texte>"):
        self.id = id
        self.title = title
        self.description = description
        self.languages = list(languages)
        self.axes = axes
        self.sections = sections
        self.constraints = constraints or []
        self.source = source
        self.questions: dict[str, Question] = {
            q.id: q for s in sections for q in s.questions}
        self.sections_by_id = {s.id: s for s in sections}

    def __repr__(self) -> str:
        return f"<Definition {self.id} ({len(self.questions)} questions)>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Definition) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def label(self, lang: str = "fr") -> str:
        return label_in(self.title, lang)

    def description_text(self, lang: str = "fr") -> str:
        return label_in(self.description, lang)

    def axis_label(self, key: str, lang: str = "fr") -> str:
        return label_in(self.axes.get(key), lang) or key

    def question(self, question_id: str) -> Question:
        return self.questions[question_id]

    def section(self, section_id: str) -> Section:
        return self.sections_by_id[section_id]

    def all_constraints(self) -> list[Constraint]:
        """Section constraints in order, then questionnaire-level ones."""
        return [c for s in self.sections for c in s.constraints] + list(self.constraints)

    def indicators(self) -> list[Indicator]:
        """Every need indicator (question- or matrix-row-level), in order."""
        return [i for q in self.questions.values() for i in q.indicators()]

    def roles(self) -> dict[str, Question]:
        """Role name -> the question carrying it (district, age_band, sex, …)."""
        return {q.role: q for q in self.questions.values() if q.role}

    def question_for_role(self, role: str) -> Question | None:
        return self.roles().get(role)

    def condition_trees(self) -> dict:
        """JSON trees of every show_if and constraint, for a browser-side evaluator
        (derived once from this definition, like :attr:`content_hash`; do not modify)."""
        return self._condition_trees

    @cached_property
    def _condition_trees(self) -> dict:
        return {
            "sections": {s.id: s.show_if_node.to_json()
                         for s in self.sections if s.show_if_node is not None},
            "questions": {q.id: q.show_if_node.to_json()
                          for q in self.questions.values() if q.show_if_node is not None},
            "constraints": [{"section": c.section_id, "target": c.target,
                             "tree": c.node.to_json()}
                            for c in self.all_constraints() if c.node is not None],
        }

    def to_dict(self) -> dict:
        """Canonical JSON-able dict; a valid definition file in its own right."""
        out: dict[str, Any] = {"id": self.id, "title": _labels_out(self.title)}
        if self.description:
            out["description"] = _labels_out(self.description)
        out["languages"] = list(self.languages)
        # the default axes' labels in the questionnaire's languages only, so that the
        # dict is a valid file again (a French-only questionnaire has no "en" label)
        out["axes"] = {k: _labels_out({lang: text for lang, text in v.items()
                                       if lang in self.languages} or v)
                       for k, v in self.axes.items()}
        out["sections"] = [s.to_dict() for s in self.sections]
        if self.constraints:
            out["constraints"] = [c.to_dict() for c in self.constraints]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> "Definition":
        """Rebuild (and re-validate) a definition from ``to_dict()`` output.

        Validation takes a fraction of a second: the service keeps the definitions it
        rebuilt (``survey_app.infra.caches.DEFINITIONS``), not this plain-data module.
        """
        from .loader import build_definition
        return build_definition(data, source=source)

    @cached_property
    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))

    @cached_property
    def content_hash(self) -> str:
        """sha256 (hex) of the canonical JSON: equal for equal content."""
        return hashlib.sha256(self.canonical_json.encode("utf-8")).hexdigest()
