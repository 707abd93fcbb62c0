"""What an agent typed, read question by question and checked with the web survey's rules.

Pure functions (no database): the fields of the entry screen are named ``k-<question>``
(``k-<question>.<row>`` for a matrix row, ``k-<question>__autre`` for the text of an
"Autre, précisez" choice) and hold the codes of :mod:`.codes`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..questionnaire import coerce_answer, coerce_other_text, effective_answers, prune_hidden, validate_answers
from ..questionnaire.errors import AnswerError
from ..questionnaire.model import OTHER_SUFFIX, Definition, Question
from ..questionnaire.validation import _message as validation_message
from ..questionnaire.validation import visible_questions
from . import codes

PREFIX = "k-"
_REQUIRED = validation_message("required", "fr")


def field_names(question: Question) -> list[str]:
    """Names (without the prefix) of the fields keyed for ``question``."""
    if not question.answerable:
        return []
    names = [f"{question.id}.{row.id}" for row in question.rows] if question.type == "matrix" else [question.id]
    if question.other_option is not None:
        names.append(question.id + OTHER_SUFFIX)
    return names


@dataclass
class Keyed:
    """The fields of a form read: answers with option codes, marks, decoding errors."""

    #: What the agent typed, by field name (kept to show the page again).
    texts: dict[str, str] = field(default_factory=dict)
    #: Raw answers with the definition's codes (what the web form would post).
    answers: dict[str, Any] = field(default_factory=dict)
    #: ``{question id or "question.row": "blank" | "illegible"}``.
    markers: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def read(definition: Definition, texts: Mapping[str, str], districts: Iterable = ()) -> Keyed:
    """Read every keyed field of ``texts`` (field name -> typed text) for the whole form."""
    districts = tuple(districts or ())
    keyed = Keyed()
    for question in definition.questions.values():
        for name in field_names(question):
            text = str(texts.get(name) or "").strip()
            if not text:
                continue
            keyed.texts[name] = text
            if name.endswith(OTHER_SUFFIX):
                keyed.answers[name] = text
                continue
            mark = codes.mark_of(text)
            if mark is not None:
                keyed.markers[name] = mark
                continue
            row = name.split(".", 1)[1] if "." in name else None
            try:
                value = codes.decode(question, text, districts, row=row)
            except AnswerError as error:
                keyed.errors.setdefault(question.id, []).append(error.message("fr"))
                continue
            if row is not None:
                keyed.answers.setdefault(question.id, {})[row] = value
            else:
                keyed.answers[question.id] = value
    return keyed


def check(definition: Definition, keyed: Keyed, districts: Iterable = (), *,
          section_id: str | None = None, require: bool = True) -> dict[str, list[str]]:
    """Messages per question id (empty: valid), the web survey's rules and messages.

    A question marked « non renseigné » or « illisible » counts as answered for the
    required rule; a mark or a code given to a question the conditions skip is refused.
    With ``require=False`` (a form saved as incomplete) required answers may be missing.
    """
    districts = tuple(districts or ())
    errors = {qid: list(msgs) for qid, msgs in validate_answers(
        definition, keyed.answers, lang="fr", districts=districts, section_id=section_id).items()}
    shown = {q.id for q in visible_questions(definition, keyed.answers)}
    in_scope = (lambda q: True) if section_id is None else (lambda q: q.section_id == section_id)
    for name in keyed.markers:
        qid = name.split(".", 1)[0]
        question = definition.questions.get(qid)
        if question is not None and in_scope(question) and qid not in shown:
            errors.setdefault(qid, [validation_message("hidden", "fr")])
    for qid, messages in keyed.errors.items():
        question = definition.questions[qid]
        if not in_scope(question):
            continue
        if qid in shown:
            errors[qid] = messages  # the code itself is wrong: say that first
        else:
            errors[qid] = [validation_message("hidden", "fr")]
    for qid in list(errors):
        question = definition.questions.get(qid)
        if question is None or qid not in shown:
            continue
        marked_rows = {name.split(".", 1)[1] for name in keyed.markers if name.startswith(qid + ".")}
        if qid in keyed.markers or (question.type == "matrix" and marked_rows and all(
                r.id in marked_rows or r.id in (keyed.answers.get(qid) or {}) for r in question.rows)):
            errors[qid] = [m for m in errors[qid] if not _is_required_message(m)]
        elif not require:
            errors[qid] = [m for m in errors[qid] if not _is_required_message(m)]
        if not errors[qid]:
            del errors[qid]
    return errors


def _is_required_message(text: str) -> bool:
    return text == _REQUIRED or text.startswith(validation_message("rows", "fr", rows="").split("(")[0])


def typed_answers(definition: Definition, keyed: Keyed, districts: Iterable = ()) -> dict[str, Any]:
    """The typed values to store: visible questions only, "Autre" texts when chosen."""
    districts = tuple(districts or ())
    values = effective_answers(definition, keyed.answers, districts=districts)
    for key, raw in prune_hidden(definition, keyed.answers).items():
        if key.endswith(OTHER_SUFFIX):
            text = coerce_other_text(raw)
            if text:
                values[key] = text
    return values


def visible_markers(definition: Definition, keyed: Keyed) -> dict[str, str]:
    """Marks of the questions the conditions show (those of skipped ones are dropped)."""
    shown = {q.id for q in visible_questions(definition, keyed.answers)}
    return {name: mark for name, mark in keyed.markers.items() if name.split(".", 1)[0] in shown}


def from_entry(definition: Definition, answers: Mapping[str, Any], markers: Mapping[str, str],
               districts: Iterable = ()) -> dict[str, str]:
    """The field texts that key ``answers`` and ``markers`` again (to show a stored entry)."""
    mark_keys = {mark: key for key, mark in codes.MARK_KEYS.items()}
    texts: dict[str, str] = {}
    for question in definition.questions.values():
        value = answers.get(question.id)
        if question.type == "matrix" and isinstance(value, dict):
            for row, code in value.items():
                texts[f"{question.id}.{row}"] = codes.encode(question, code, districts)
        elif value is not None:
            texts[question.id] = codes.encode(question, value, districts)
        other = answers.get(question.id + OTHER_SUFFIX)
        if other:
            texts[question.id + OTHER_SUFFIX] = str(other)
    for name, mark in markers.items():
        texts[name] = mark_keys.get(mark, "")
    return texts


def coerce_one(question: Question, text: str, districts: Iterable = ()) -> tuple[str, Any]:
    """``("value", typed)`` or ``("blank"|"illegible", None)`` for one typed answer; raise AnswerError."""
    mark = codes.mark_of(text or "")
    if mark is not None:
        return mark, None
    if question.type == "matrix":
        raise AnswerError({"fr": "Saisissez les lignes de cette question une à une.",
                           "en": "Key the rows of this question one by one."})
    value = coerce_answer(question, codes.decode(question, text, districts), districts=districts)
    if value is None:
        return "missing", None
    return "value", value
