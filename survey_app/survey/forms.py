"""Between the questionnaire definition and HTML forms: field names, parsing, display.

A page posts one field per simple question (``<question id>``), one field per
checked box of a multiple choice (the same name, repeated), ``<question>.<row>``
per matrix row, ``<question>.<rank>`` per ranking position (1, 2, 3…) and
``<question>__autre`` for an « Autre, précisez » text.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..questionnaire import OTHER_SUFFIX, Question, Section
from ..questionnaire.answers import TEXT_LIMITS
from ..questionnaire.conditions import tree_refs
from ..questionnaire.model import label_in

#: A page never holds more fields than this; beyond, the post is forged.
MAX_FIELDS = 2000
#: Longest value read from a field holding a code or a number (longer ones are cut, then
#: refused). A text is read whole (the body is bounded by MAX_CONTENT_LENGTH), so that
#: the message says its real length; it is cut only where it is shown again.
MAX_FIELD_LENGTH = TEXT_LIMITS["longtext"] * 4


def _one(form: MultiDict, name: str, *, text: bool = False) -> Any:
    values = form.getlist(name) if text else [v[:MAX_FIELD_LENGTH] for v in form.getlist(name)]
    if not values:
        return None
    return values[0] if len(values) == 1 else values  # several values: refused as « one answer expected »


def parse_page(section: Section, form: MultiDict) -> dict[str, Any]:
    """Return the raw answers of ``section`` found in ``form`` (other fields are ignored)."""
    raw: dict[str, Any] = {}
    for q in section.questions:
        if not q.answerable:
            continue
        if q.type == "multiple":
            value: Any = [v[:MAX_FIELD_LENGTH] for v in form.getlist(q.id)][:len(q.options) + 1] or None
        elif q.type == "matrix":
            value = {row.id: _one(form, f"{q.id}.{row.id}") for row in q.rows}
            value = {k: v for k, v in value.items() if v not in (None, "")} or None
        elif q.type == "ranking":
            value = [v for v in (_one(form, f"{q.id}.{i}") for i in range(1, rank_positions(q) + 1)) if v not in (None, "")] or None
        else:
            value = _one(form, q.id, text=q.type in TEXT_LIMITS)
        if value is not None:
            raw[q.id] = value
        if q.other_option is not None:
            other = _one(form, q.id + OTHER_SUFFIX, text=True)
            if other is not None:
                raw[q.id + OTHER_SUFFIX] = other
    return raw


def rank_positions(q: Question) -> int:
    return min(q.rank_count or len(q.options), len(q.options))


def text_limit(q: Question) -> int:
    limit = TEXT_LIMITS.get(q.type, TEXT_LIMITS["text"])
    return min(q.max_length or limit, limit)


def is_checked(value: Any, code: str) -> bool:
    """Tell whether option ``code`` is selected in ``value`` (typed or raw)."""
    if value is None:
        return False
    if isinstance(value, (list, tuple)):
        return code in [str(v) for v in value]
    return str(value) == code


def as_text(value: Any) -> str:
    """The value to put back in a text field (a text far too long is cut: it was refused)."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_FIELD_LENGTH]


def first_field_id(q: Question) -> str:
    """Id of the field the error summary links to."""
    if q.type in ("single", "multiple", "yesno", "scale") and q.widget != "dropdown":
        return f"f-{q.id}-0"
    if q.type == "district" and q.widget != "dropdown":
        return f"f-{q.id}-0"
    if q.type == "matrix":
        return f"f-{q.id}-{q.rows[0].id}-0" if q.rows else f"f-{q.id}"
    if q.type == "ranking":
        return f"f-{q.id}-1"
    return f"f-{q.id}"


def scale_points(q: Question) -> list[int]:
    low = int(q.min if q.min is not None else 0)
    high = int(q.max if q.max is not None else 10)
    return list(range(low, high + 1)) if 0 <= high - low <= 20 else []


def condition_refs(tree: Any) -> set[str]:
    """Question ids a JSON condition tree refers to."""
    return tree_refs(tree)


def display_answer(q: Question, answers: Mapping[str, Any], lang: str, districts: Iterable = ()) -> list[str]:
    """The answer to ``q`` as lines of text for the review page (empty: not answered)."""
    value = answers.get(q.id)
    if value is None:
        return []
    options = {o.code: o.label(lang) for o in q.options_for(districts)}
    other = answers.get(q.id + OTHER_SUFFIX)
    lines: list[str]
    if q.type == "matrix" and isinstance(value, dict):
        lines = [f"{row.label(lang)} : {options.get(value[row.id], value[row.id])}" for row in q.rows if row.id in value]
    elif q.type == "ranking" and isinstance(value, list):
        lines = [f"{position}. {options.get(code, code)}" for position, code in enumerate(value, start=1)]
    elif isinstance(value, list):
        lines = [options.get(code, code) for code in value]
    elif q.type == "scale":
        # the end points of a scale have labels (« 0 : Pas du tout »): shown with the number
        low, high = (q.min if q.min is not None else 0), (q.max if q.max is not None else 10)
        label = label_in(q.min_label, lang) if value == low else label_in(q.max_label, lang) if value == high else ""
        unit = q.unit.get(lang) or q.unit.get("fr") if q.unit else ""
        number = f"{format_decimal(value)} {unit}".strip()
        lines = [f"{number} ({label})" if label else number]
    elif q.type in ("integer", "decimal"):
        unit = q.unit.get(lang) or q.unit.get("fr") if q.unit else ""
        lines = [f"{format_decimal(value)} {unit}".strip()]
    elif q.type in ("single", "district", "yesno") or str(value) in options:
        # a closed answer shows its option's label in the respondent's language, never its code
        lines = [options.get(str(value), str(value))]
    else:
        lines = [str(value)]
    if other:
        lines.append(_("Précision : %(text)s", text=other))
    return lines
