"""The codes an agent types for each answer, printed beside each box of the paper form.

Options keep their own code when every code of the question is short (``f``/``h``/``x``,
``1`` to ``5``); otherwise they are numbered in order (``1`` to ``9``, or ``01`` to ``12``
when there are ten or more), so one or two keys select any option. Codes of a question
all have the same length, so several choices are typed one after another (``135``).
Two marks work for every question: ``.`` « non renseigné » (left blank on the paper)
and ``*`` « illisible / réponses multiples ».
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..questionnaire.answers import message
from ..questionnaire.errors import AnswerError
from ..questionnaire.model import Option, Question

BLANK, ILLEGIBLE = "blank", "illegible"
#: The key typed for each mark.
MARK_KEYS = {".": BLANK, "*": ILLEGIBLE}
#: Types answered by typing option codes.
CODED_TYPES = frozenset({"single", "yesno", "district", "multiple", "ranking", "matrix"})
_SEPARATORS = re.compile(r"[\s,;+/]+")


@dataclass(frozen=True)
class Choice:
    key: str
    option: Option


def choices(question: Question, districts: Iterable = ()) -> list[Choice]:
    """The options of a coded question with the code typed for each, in order (kept per question)."""
    districts = tuple(districts or ())
    key = tuple((d.get("code"), d.get("name")) if isinstance(d, dict) else d for d in districts) \
        if question.type == "district" else ()
    memo = question.__dict__.setdefault("_entry_choices", {})
    found = memo.get(key)
    if found is None:
        if len(memo) > 16:
            memo.clear()
        found = memo[key] = _choices(question, districts)
    return found


def _choices(question: Question, districts: tuple) -> list[Choice]:
    options = question.options_for(districts)
    codes = [o.code for o in options]
    folded = {c.casefold() for c in codes}
    if codes and len(folded) == len(codes) and all(
            len(c) <= 2 and c.isalnum() for c in codes) and len({len(c) for c in codes}) == 1:
        return [Choice(o.code, o) for o in options]
    width = 1 if len(options) <= 9 else 2
    return [Choice(str(i).zfill(width), o) for i, o in enumerate(options, start=1)]


def key_width(keyed: list[Choice]) -> int:
    return len(keyed[0].key) if keyed else 1


def _unknown(text: str, keyed: list[Choice], row_label: dict | None = None) -> AnswerError:
    codes = ", ".join(c.key for c in keyed)
    if row_label is not None:
        return AnswerError(message("row_code", row=row_label, value=text, codes=codes))
    return AnswerError(message("code", value=text, codes=codes))


def _one(text: str, keyed: list[Choice], row_label: dict | None = None) -> str:
    folded = text.casefold()
    for choice in keyed:
        if choice.key.casefold() == folded:
            return choice.option.code
    for choice in keyed:  # the definition's own code is understood too
        if choice.option.code.casefold() == folded:
            return choice.option.code
    raise _unknown(text, keyed, row_label)


def _split(text: str, keyed: list[Choice]) -> list[str]:
    if _SEPARATORS.search(text):
        return [t for t in _SEPARATORS.split(text) if t]
    width = key_width(keyed)
    if any(text.casefold() in (c.key.casefold(), c.option.code.casefold()) for c in keyed):
        return [text]
    if len(text) > width and len(text) % width == 0:
        return [text[i:i + width] for i in range(0, len(text), width)]
    return [text]


def mark_of(text: str) -> str | None:
    """``blank`` or ``illegible`` when ``text`` is one of the two marks."""
    return MARK_KEYS.get(text.strip())


def decode(question: Question, text: str, districts: Iterable = (), *, row: str | None = None) -> Any:
    """The answer value (option codes) for what the agent typed; raise AnswerError.

    Returns ``None`` for an empty field. Numbers, dates and texts are returned as typed:
    the questionnaire's own rules (:func:`coerce_answer`) check them.
    """
    text = (text or "").strip()
    if not text:
        return None
    if question.type not in CODED_TYPES:
        return text
    keyed = choices(question, districts)
    if question.type == "matrix":
        row_label = next((r.labels for r in question.rows if r.id == row), None)
        return _one(text, keyed, row_label)
    if question.type in ("multiple", "ranking"):
        return [_one(part, keyed) for part in _split(text, keyed)]
    return _one(text, keyed)


def encode(question: Question, value: Any, districts: Iterable = ()) -> str:
    """What an agent would type for ``value`` (the reverse of :func:`decode`)."""
    if value is None:
        return ""
    if question.type not in CODED_TYPES:
        return str(value)
    keys = {c.option.code: c.key for c in choices(question, districts)}
    if isinstance(value, list):
        parts = [keys.get(v, str(v)) for v in value]
        return "".join(parts) if all(len(p) == len(parts[0]) for p in parts) else " ".join(parts)
    return keys.get(value, str(value))
