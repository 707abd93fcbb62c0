"""French wording of numbers, shares and dates for chart labels and text alternatives.

Private module of :mod:`analysis.charts`. No locale is used (a server's locale is
not the reader's): the rules are written here.
"""
from __future__ import annotations

import datetime as dt
import math
import textwrap

__all__ = ["number_fr", "percent_fr", "integer_fr", "date_fr", "short_date_fr", "wrap",
           "join_fr"]

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")


def number_fr(value: float, digits: int = 1) -> str:
    """``1234.5`` -> ``"1 234,5"``; trailing zeros dropped; NaN -> ``"–"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(",", " ").replace(".", ",")
    return "0" if text == "-0" else text


def integer_fr(value: int) -> str:
    """``12345`` -> ``"12 345"``."""
    return number_fr(float(value), 0)


def percent_fr(share: float, digits: int = 0) -> str:
    """A share in [0, 1] as a French percentage: ``0.234`` -> ``"23 %"``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number_fr(100 * share, digits)} %"


def date_fr(day: dt.date) -> str:
    """``2026-03-01`` -> ``"1er mars 2026"``."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS[day.month - 1]} {day.year}"


def short_date_fr(day: dt.date) -> str:
    """``2026-03-01`` -> ``"01/03"``."""
    return f"{day.day:02d}/{day.month:02d}"


def wrap(label: str, width: int = 28) -> str:
    """Break a long label on several lines (axis labels of horizontal bars)."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=True)) or label


def join_fr(items) -> str:
    """``["a", "b", "c"]`` -> ``"a, b et c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
