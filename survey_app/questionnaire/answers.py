"""Turn what a form or a paper-entry agent gives into a typed answer value.

Typed values: single/dropdown/district/yesno -> code (str); multiple -> list of
codes in option order; ranking -> ordered list of codes; matrix -> {row: code};
scale/integer/year -> int; decimal -> float; date -> "YYYY-MM-DD"; text and
longtext -> stripped str. An empty raw value gives ``None`` (no answer).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Iterable, Mapping

from .errors import AnswerError
from .model import Question

__all__ = ["coerce_answer", "coerce_other_text", "is_blank", "TEXT_LIMITS", "message"]

#: Default (and maximum) length of free texts.
TEXT_LIMITS = {"text": 500, "longtext": 5000}
YEAR_BOUNDS = (1900, 2100)

_MESSAGES = {
    "type": ("Réponse de type invalide : {expected} attendu.",
             "Invalid answer type: {expected} expected."),
    "one": ("Une seule réponse est attendue.", "Only one answer is expected."),
    "code": ("« {value} » n'est pas un choix possible (choix : {codes}).",
             "'{value}' is not an available choice (choices: {codes})."),
    "integer": ("« {value} » n'est pas un nombre entier.", "'{value}' is not a whole number."),
    "number": ("« {value} » n'est pas un nombre.", "'{value}' is not a number."),
    "min": ("La valeur doit être au moins {min}.", "The value must be at least {min}."),
    "max": ("La valeur doit être au plus {max}.", "The value must be at most {max}."),
    "year": ("« {value} » n'est pas une année (4 chiffres).", "'{value}' is not a 4-digit year."),
    "date": ("« {value} » n'est pas une date (JJ/MM/AAAA).",
             "'{value}' is not a date (YYYY-MM-DD)."),
    "date_min": ("La date doit être le {min} ou après.", "The date must be {min} or later."),
    "date_max": ("La date doit être le {max} ou avant.", "The date must be {max} or earlier."),
    "too_long": ("Texte trop long : {length} caractères pour {max} au maximum.",
                 "Text too long: {length} characters, {max} at most."),
    "pattern": ("Format invalide.", "Invalid format."),
    "too_many": ("Au plus {max} choix.", "At most {max} choices."),
    "too_few": ("Au moins {min} choix.", "At least {min} choices."),
    "exclusive": ("« {label} » ne peut pas être combiné avec un autre choix.",
                  "'{label}' cannot be combined with another choice."),
    "duplicate_rank": ("« {value} » est classé plusieurs fois.", "'{value}' is ranked twice."),
    "rank_many": ("Classez au plus {max} choix.", "Rank at most {max} choices."),
    "rank_few": ("Classez au moins {min} choix.", "Rank at least {min} choices."),
    "row": ("Ligne inconnue « {value} » (lignes : {rows}).",
            "Unknown row '{value}' (rows: {rows})."),
    "row_code": ("{row} : « {value} » n'est pas un choix possible (choix : {codes}).",
                 "{row}: '{value}' is not an available choice (choices: {codes})."),
    "note": ("Cette question n'attend pas de réponse.", "This item expects no answer."),
}
_EXPECTED = {
    "code": ("un code", "a code"), "codes": ("une liste de codes", "a list of codes"),
    "matrix": ("un choix par ligne", "one choice per row"), "number": ("un nombre", "a number"),
    "text": ("un texte", "a text"), "date": ("une date", "a date"),
}


def message(key: str, **params: Any) -> dict[str, str]:
    """The message ``key`` in every language; a param may itself be {lang: text}."""
    out = {}
    for index, lang in enumerate(("fr", "en")):
        values = {k: (v.get(lang) or v.get("fr")) if isinstance(v, dict) else v
                  for k, v in params.items()}
        out[lang] = _MESSAGES[key][index].format(**values)
    return out


def _fail(key: str, **params: Any) -> AnswerError:
    return AnswerError(message(key, **params))


def _type_error(kind: str) -> AnswerError:
    fr, en = _EXPECTED[kind]
    return AnswerError(message("type", expected={"fr": fr, "en": en}))


def is_blank(raw: Any) -> bool:
    """True for what counts as no answer: None, "", whitespace, [], {}."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple, dict)):
        return all(is_blank(v) for v in (raw.values() if isinstance(raw, dict) else raw))
    return False


def _codes_list(codes: list[str]) -> str:
    shown = codes if len(codes) <= 12 else codes[:12] + ["…"]
    return ", ".join(shown)


def _choice_labels(q: Question, districts: Iterable) -> tuple[list, bool]:
    options = q.options_for(districts)
    open_list = q.type == "district" and not districts
    return options, open_list


def _one_code(q: Question, raw: Any, options, open_list: bool, *, row: str | None = None
              ) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise _type_error("code")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise _type_error("code")
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None
    codes = [o.code for o in options]
    if text in codes:
        return text
    folded = text.casefold()
    for o in options:
        if o.code.casefold() == folded or any(
                label.strip().casefold() == folded for label in o.labels.values()):
            return o.code
    if open_list and re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text):
        return text
    if row is not None:
        raise _fail("row_code", row=row, value=text, codes=_codes_list(codes))
    raise _fail("code", value=text, codes=_codes_list(codes))


def _code_items(raw: Any) -> list:
    if isinstance(raw, str):
        return [x for x in re.split(r"[,;\s]+", raw) if x]
    if isinstance(raw, (list, tuple)):
        return [x for x in raw if not is_blank(x)]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return [raw]
    raise _type_error("codes")


def _number(q: Question, raw: Any, integer: bool) -> int | float:
    if isinstance(raw, bool):
        raise _type_error("number")
    if isinstance(raw, (int, float)):
        value = raw
    elif isinstance(raw, str):
        text = re.sub(r"[\s\u00a0\u202f]", "", raw)
        try:
            value = int(text) if integer else float(text.replace(",", "."))
        except ValueError:
            raise _fail("integer" if integer else "number", value=raw.strip()) from None
    else:
        raise _type_error("number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail("number", value=raw)
        if integer:
            if not value.is_integer():
                raise _fail("integer", value=raw)
            value = int(value)
    elif not integer:
        value = float(value)
    low, high = q.min, q.max
    if q.type == "year":
        low = YEAR_BOUNDS[0] if low is None else low
        high = YEAR_BOUNDS[1] if high is None else high
        if not 1000 <= value <= 9999:
            raise _fail("year", value=raw)
    if low is not None and value < low:
        raise _fail("min", min=low)
    if high is not None and value > high:
        raise _fail("max", max=high)
    return value


def _date(q: Question, raw: Any) -> str:
    if isinstance(raw, _dt.datetime):
        raw = raw.date()
    if isinstance(raw, _dt.date):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                value = _dt.date(year, month, day)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                value = _dt.date.fromisoformat(text)
            else:
                raise ValueError
        except ValueError:
            raise _fail("date", value=text) from None
    else:
        raise _type_error("date")
    iso = value.isoformat()
    if isinstance(q.min, str) and iso < q.min:
        raise _fail("date_min", min=q.min)
    if isinstance(q.max, str) and iso > q.max:
        raise _fail("date_max", max=q.max)
    return iso


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(raw: Any, limit: int, q: Question | None = None) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise _type_error("text")
    text = _CONTROL.sub("", str(raw)).strip()
    if not text:
        return None
    if len(text) > limit:
        raise _fail("too_long", length=len(text), max=limit)
    if q is not None and q.pattern and not re.fullmatch(q.pattern, text):
        if q.pattern_message:
            raise AnswerError({lang: q.pattern_message.get(lang) or q.pattern_message["fr"]
                               for lang in ("fr", "en")})
        raise _fail("pattern")
    return text


def coerce_other_text(raw: Any) -> str | None:
    """The text of an "Autre, précisez" answer (``{qid}__autre``)."""
    return _text(raw, TEXT_LIMITS["text"])


def coerce_answer(question: Question, raw: Any, *, districts: Iterable = ()) -> Any:
    """Typed value of ``raw`` for ``question`` (None when blank); raise AnswerError."""
    try:
        return _coerce(question, raw, tuple(districts or ()))
    except AnswerError:
        raise
    except (TypeError, ValueError, AttributeError, OverflowError, KeyError):
        raise _type_error("text" if question.type in TEXT_LIMITS else "code") from None


def _coerce(q: Question, raw: Any, districts: Iterable) -> Any:
    if is_blank(raw):
        return None
    qtype = q.type
    if qtype == "note":
        raise _fail("note")
    if qtype in ("single", "yesno", "district"):
        if isinstance(raw, (list, tuple)):
            items = [x for x in raw if not is_blank(x)]
            if len(items) > 1:
                raise _fail("one")
            raw = items[0]
        options, open_list = _choice_labels(q, districts)
        return _one_code(q, raw, options, open_list)
    if qtype in ("multiple", "ranking"):
        codes = [_one_code(q, item, q.options, False) for item in _code_items(raw)]
        codes = [c for c in codes if c is not None]
        if qtype == "ranking":
            return _ranking(q, codes)
        return _multiple(q, codes)
    if qtype == "matrix":
        if not isinstance(raw, Mapping):
            raise _type_error("matrix")
        rows = {r.id: r for r in q.rows}
        out = {}
        for key, value in raw.items():
            if str(key) not in rows:
                raise _fail("row", value=key, rows=_codes_list(list(rows)))
        for row in q.rows:
            if row.id in raw and not is_blank(raw[row.id]):
                if isinstance(raw[row.id], (list, tuple)):
                    raise _fail("one")
                out[row.id] = _one_code(q, raw[row.id], q.options, False, row=row.labels)
        return out or None
    if qtype in ("integer", "year", "scale"):
        return _number(q, raw, integer=True)
    if qtype == "decimal":
        return _number(q, raw, integer=False)
    if qtype == "date":
        return _date(q, raw)
    limit = min(q.max_length or TEXT_LIMITS[qtype], TEXT_LIMITS[qtype])
    return _text(raw, limit, q)


def _multiple(q: Question, codes: list[str]) -> list[str] | None:
    chosen = set(codes)
    ordered = [o.code for o in q.options if o.code in chosen]
    if not ordered:
        return None
    exclusive = [o for o in q.options if o.exclusive and o.code in chosen]
    if exclusive and len(ordered) > 1:
        raise _fail("exclusive", label=exclusive[0].labels)
    if q.max_choices is not None and len(ordered) > q.max_choices:
        raise _fail("too_many", max=q.max_choices)
    if q.min_choices is not None and len(ordered) < q.min_choices and not exclusive:
        raise _fail("too_few", min=q.min_choices)  # "aucun" alone is a full answer
    return ordered


def _ranking(q: Question, codes: list[str]) -> list[str] | None:
    if not codes:
        return None
    seen = set()
    for code in codes:
        if code in seen:
            raise _fail("duplicate_rank", value=code)
        seen.add(code)
    high = q.rank_count or len(q.options)
    if len(codes) > high:
        raise _fail("rank_many", max=high)
    if q.min_choices is not None and len(codes) < q.min_choices:
        raise _fail("rank_few", min=q.min_choices)
    return codes
