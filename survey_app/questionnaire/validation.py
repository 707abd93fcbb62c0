"""Which sections and questions are shown, and whether a set of answers is valid.

Visibility is computed in questionnaire order: a condition only refers to earlier
questions, so one pass in which hidden (or invalid) answers count as missing
gives the final state.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping

from .answers import coerce_answer, coerce_other_text, is_blank, message
from .errors import AnswerError
from .model import OTHER_SUFFIX, Definition, Question, Section

__all__ = ["visible_sections", "visible_questions", "validate_answers", "prune_hidden",
           "effective_answers", "constraint_failures"]

_EXTRA = {
    "required": ("Réponse obligatoire.", "An answer is required."),
    "hidden": ("Question non affichée : cette réponse ne doit pas être donnée.",
               "Question not shown: this answer must not be given."),
    "rows": ("Répondez pour chaque ligne (manque : {rows}).",
             "Please answer every row (missing: {rows})."),
    "unknown": ("Question inconnue dans ce questionnaire.",
                "Unknown question in this questionnaire."),
    "no_other": ("Cette question n'a pas de choix « Autre, précisez ».",
                 "This question has no 'Other, please specify' choice."),
    "other_unselected": ("Précision « Autre » donnée alors que « {label} » n'est pas choisi.",
                         "'Other' text given but '{label}' is not selected."),
}


def _message(key: str, lang: str, **params: Any) -> str:
    fr, en = _EXTRA[key]
    template = en if lang == "en" else fr
    values = {k: (v.get(lang) or v.get("fr")) if isinstance(v, dict) else v
              for k, v in params.items()}
    return template.format(**values)


def _other_selected(q: Question, value: Any) -> bool:
    other = q.other_option
    if other is None or value is None:
        return False
    return other.code in value if isinstance(value, list) else value == other.code


class _Walk:
    """One ordered pass over a definition: visibility and typed answers."""

    def __init__(self, definition: Definition, answers: Mapping[str, Any], *,
                 districts: Iterable = (), coerce: bool = True):
        self.effective: dict[str, Any] = {}
        self.visible_sections: list[Section] = []
        self.visible: list[Question] = []
        self.hidden: set[str] = set()
        self.errors: dict[str, AnswerError] = {}
        districts = tuple(districts or ())
        for section in definition.sections:
            shown = section.show_if_node is None or bool(
                section.show_if_node.evaluate(self.effective))
            if shown:
                self.visible_sections.append(section)
            for q in section.questions:
                if not shown or (q.show_if_node is not None
                                 and not q.show_if_node.evaluate(self.effective)):
                    self.hidden.add(q.id)
                    continue
                self.visible.append(q)
                raw = answers.get(q.id)
                if is_blank(raw) or q.type == "note":
                    if q.type == "note" and not is_blank(raw):
                        self.errors[q.id] = AnswerError(message("note"))
                    continue
                if not coerce:
                    self.effective[q.id] = raw
                    continue
                try:
                    value = coerce_answer(q, raw, districts=districts)
                except AnswerError as exc:
                    self.errors[q.id] = exc
                    continue
                if value is not None:
                    self.effective[q.id] = value


def _walk(definition: Definition, answers: Mapping[str, Any], *, districts: Iterable = ()) -> _Walk:
    return _Walk(definition, answers, districts=districts)


def effective_answers(definition: Definition, answers: Mapping[str, Any], *,
                      districts: Iterable = ()) -> dict[str, Any]:
    """Typed answers of the visible questions only (invalid ones left out)."""
    return dict(_walk(definition, answers, districts=districts).effective)


def visible_sections(definition: Definition, answers: Mapping[str, Any]) -> list[Section]:
    """Sections shown for these answers, in order."""
    return list(_walk(definition, answers).visible_sections)


def visible_questions(definition: Definition, answers: Mapping[str, Any],
                      section: Section | str | None = None) -> list[Question]:
    """Questions (notes included) shown for these answers, optionally in one section."""
    visible = _walk(definition, answers).visible
    if section is None:
        return list(visible)
    section_id = section if isinstance(section, str) else section.id
    return [q for q in visible if q.section_id == section_id]


def prune_hidden(definition: Definition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those to hidden (or unknown) questions, nor stray "autre" texts."""
    walk = _walk(definition, answers)
    kept = {}
    for q in walk.visible:
        if q.id in answers and q.type != "note":
            kept[q.id] = answers[q.id]
        other_key = q.id + OTHER_SUFFIX
        if other_key in answers and _other_selected(q, walk.effective.get(q.id)):
            kept[other_key] = answers[other_key]
    return kept


def constraint_failures(definition: Definition, effective: Mapping[str, Any],
                        sections: Iterable[str] | None = None, *, include_global: bool = True
                        ) -> list:
    """Constraints broken by typed visible answers (skipped while a used value is missing)."""
    wanted = None if sections is None else set(sections)
    candidates = [c for s in definition.sections if wanted is None or s.id in wanted
                  for c in s.constraints]
    if include_global:
        candidates += definition.constraints
    failed = []
    for c in candidates:
        if c.node is None or any(ref not in effective for ref in c.value_refs):
            continue
        if not c.node.evaluate(effective):
            failed.append(c)
    return failed


def validate_answers(definition: Definition, answers: Mapping[str, Any], *, lang: str = "fr",
                     districts: Iterable = (), section_id: str | None = None
                     ) -> dict[str, list[str]]:
    """Messages (in ``lang``) per question id; empty when the answers are valid.

    Checks types and codes, bounds, patterns, choice counts, exclusive options,
    ranking counts, required questions, answers given to hidden questions and
    cross-question constraints. With ``section_id`` only that section is checked
    (conditions still use every answer).
    """
    errors: dict[str, list[str]] = defaultdict(list)
    walk = _walk(definition, answers, districts=districts)
    in_scope = (lambda q: True) if section_id is None else (lambda q: q.section_id == section_id)
    visible_ids = {q.id for q in walk.visible}
    for q in walk.visible:
        if not in_scope(q):
            continue
        if q.id in walk.errors:
            errors[q.id].append(walk.errors[q.id].message(lang))
        elif q.required and q.id not in walk.effective:
            errors[q.id].append(_message("required", lang))
        elif q.required and q.type == "matrix":
            missing = [r.label(lang) for r in q.rows if r.id not in walk.effective[q.id]]
            if missing:
                errors[q.id].append(_message("rows", lang, rows=", ".join(missing)))
    for key, raw in answers.items():
        if key in definition.questions:
            q = definition.questions[key]
            if key in walk.hidden and in_scope(q) and not is_blank(raw):
                errors[key].append(_message("hidden", lang))
            continue
        base = key[:-len(OTHER_SUFFIX)] if key.endswith(OTHER_SUFFIX) else None
        q = definition.questions.get(base) if base else None
        if q is None:
            if section_id is None:
                errors[key].append(_message("unknown", lang))
            continue
        if not in_scope(q) or is_blank(raw):
            continue
        if q.other_option is None:
            errors[q.id].append(_message("no_other", lang))
        elif q.id not in visible_ids:
            if q.id not in errors:
                errors[q.id].append(_message("hidden", lang))
        elif not _other_selected(q, walk.effective.get(q.id)):
            errors[q.id].append(_message("other_unselected", lang,
                                         label=q.other_option.labels))
        else:
            try:
                coerce_other_text(raw)
            except AnswerError as exc:
                errors[q.id].append(exc.message(lang))
    scope = None if section_id is None else [section_id]
    shown = {s.id for s in walk.visible_sections}
    for c in constraint_failures(definition, walk.effective,
                                 [s for s in (scope or shown) if s in shown],
                                 include_global=section_id is None):
        errors[c.target or "__constraints__"].append(c.message(lang))
    return {k: list(dict.fromkeys(v)) for k, v in errors.items()}
