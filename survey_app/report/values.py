"""Plain values of the report: figures formatted in French, small cells suppressed.

Every figure that reaches a template passes through :func:`share` or :func:`count`:
a cell from fewer than 11 respondents keeps no number at all (not even hidden), so
that no template, chart or annex can print it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

#: Cells from fewer respondents are never published (same rule as ``analysis.MIN_CELL``).
MIN_CELL = 11
#: Estimates from fewer respondents are flagged fragile.
FRAGILE_BELOW = 30
SUPPRESSED_MARK = "< 11"
#: A count of 11 or more hidden so that a smaller hidden one cannot be found by difference.
SECONDARY_MARK = "n.p."
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


def number_fr(value: float, digits: int = 1) -> str:
    """Return ``value`` with a decimal comma ("12,3"); a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}".replace("-", "−").replace(".", ",")


def integer_fr(value: int) -> str:
    """Return ``value`` with a thin space between thousands ("5 000")."""
    return f"{int(value):,}".replace(",", "\u202f")


def date_fr(day: dt.date | None) -> str:
    """Return « 3 mars 2026 » (a dash when unknown)."""
    if day is None:
        return "–"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def _finite(value) -> bool:
    try:
        return value is not None and not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _int_or_none(value) -> int | None:
    if not _finite(value):
        return None
    return int(value)


@dataclass(frozen=True)
class Share:
    """A weighted share with its interval, or nothing when the cell is too small."""

    shown: bool
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    fragile: bool = False

    @property
    def pct(self) -> str:
        return f"{number_fr(100 * self.estimate)} %" if self.shown else SUPPRESSED_MARK

    @property
    def ci(self) -> str:
        if not self.shown or self.ci_low is None:
            return ""
        return f"[{number_fr(100 * self.ci_low)} ; {number_fr(100 * self.ci_high)}]"

    @property
    def n_text(self) -> str:
        return count(self.n).text if self.n is not None else SUPPRESSED_MARK

    @property
    def note(self) -> str:
        if not self.shown:
            return "moins de 11 répondants : non publié"
        return "fragile (moins de 30 répondants)" if self.fragile else ""


HIDDEN = Share(False)


def share(estimate, ci_low=None, ci_high=None, n=None, n_cell=None, *,
          suppressed: bool = False, fragile: bool = False) -> Share:
    """Build a :class:`Share`, suppressed when the group or the cell is under 11."""
    n_value, cell = _int_or_none(n), _int_or_none(n_cell)
    if suppressed or not _finite(estimate) or n_value is None or n_value < MIN_CELL \
            or (cell is not None and cell < MIN_CELL):
        return HIDDEN
    low = float(ci_low) if _finite(ci_low) else None
    high = float(ci_high) if _finite(ci_high) else None
    return Share(True, float(estimate), low, high if low is not None else None, n_value,
                 bool(fragile) or n_value < FRAGILE_BELOW)


def share_from_row(row) -> Share:
    """Build a :class:`Share` from an indicator-table row (``estimate, ci_low, ...``)."""
    get = row.get
    return share(get("estimate"), get("ci_low"), get("ci_high"), get("n"),
                 get("n_cell", get("n_need")), suppressed=bool(get("suppressed", False) is True
                                                               or get("suppressed", False) == 1),
                 fragile=bool(get("fragile", False)))


@dataclass(frozen=True)
class Count:
    """A number of respondents, hidden under 11 (zero is shown: it reveals nobody)."""

    value: int | None
    #: Hidden although 11 or more (secondary suppression): shown as « n.p. », not « < 11 ».
    secondary: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None

    @property
    def text(self) -> str:
        if self.value is not None:
            return integer_fr(self.value)
        return SECONDARY_MARK if self.secondary else SUPPRESSED_MARK


def count(value) -> Count:
    number = _int_or_none(value)
    if number is None or 0 < number < MIN_CELL:
        return Count(None)
    return Count(number)


def counts(values) -> list[Count]:
    """The counts of one set whose total is published (the districts of the town, the
    channels of the responses…): a count under 11 is hidden (primary suppression), and
    while the hidden counts add up to fewer than 11 the smallest shown count is hidden too
    (secondary suppression), so that no hidden count can be worked out from the total."""
    numbers = [_int_or_none(v) for v in values]
    primary = [n is None or 0 < n < MIN_CELL for n in numbers]
    hidden = list(primary)
    if any(hidden):
        while sum(n or 0 for n, h in zip(numbers, hidden) if h) < MIN_CELL:
            shown = [i for i, (n, h) in enumerate(zip(numbers, hidden)) if not h and n]
            if not shown:
                break
            hidden[min(shown, key=lambda i: numbers[i])] = True
    return [Count(None, secondary=not p) if h else Count(n) for n, h, p in zip(numbers, hidden, primary)]


@dataclass
class Table:
    """A table of the report (in the text or the annexes): headers and rows of strings."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    #: Row header column (``<th scope="row">``): the first one.
    note: str = ""
    source: str = ""


@dataclass
class Chart:
    """A chart with its text alternative and the table of its figures."""

    id: str
    svg: str
    alt_text: str
    caption: str
    table: Table
    #: ``(group, Share)`` drawn, for a PNG of the same figures (slides).
    rows: list = field(default_factory=list, repr=False)
    reference: Share | None = None

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` address, for the PDF (an image there, not inline markup)."""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
