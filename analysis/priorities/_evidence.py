"""The evidence a candidate priority rests on: small value types a service can fill.

Private module of :mod:`analysis.priorities`. Every figure passes through
:class:`Figure`, which applies the publication rule of :mod:`analysis.crosstab`
(nothing from fewer than 11 respondents) when it is built, so a figure too thin to
publish cannot reach a page by mistake.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from analysis.crosstab import FRAGILE_BELOW, MIN_CELL

__all__ = [
    "Figure", "GroupFigure", "DistrictGap", "IndicatorEvidence", "ThemeEvidence",
    "RankingEvidence", "ProfessionalEvidence", "DIRECTIONS", "NEED_KINDS",
]

#: Direction of a district-vs-rest gap, and its French wording.
DIRECTIONS = {
    "worse": "significativement moins favorable que le reste de la ville",
    "better": "significativement plus favorable que le reste de la ville",
    "similar": "pas de différence significative",
    "insufficient": "effectif insuffisant (moins de 11 répondants)",
}
#: What a professionals' item says: a need they see, or the capacity of care.
NEED_KINDS = {"need": "besoin observé", "capacity": "capacité de l'offre de soins"}

_NAN = float("nan")


def _number(value) -> float:
    """Return a float, NaN for None, pandas NA and other missing values."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _NAN
    return number


def _count(value) -> int | None:
    number = _number(value)
    return None if math.isnan(number) else int(round(number))


@dataclass(frozen=True)
class Figure:
    """A (weighted) share with its confidence interval and its counts.

    Built from a row of :func:`analysis.crosstab.indicator_tables`,
    :func:`analysis.estimation.survey_proportion` or a theme-share table. When it is
    too thin to publish (``suppressed``, fewer than :data:`MIN_CELL` respondents in
    the group or with the need, or no estimate), the figures are blanked on creation
    and ``suppressed`` is set: the object still says *that* there is a figure, never
    what it is.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        Share in [0, 1] and its interval; NaN when suppressed.
    n : int or None
        Respondents in the base (who answered); None when below the threshold.
    n_cell : int or None
        Respondents with the need, when known.
    suppressed : bool
    fragile : bool
        Fewer than :data:`FRAGILE_BELOW` respondents: to be read with care.
    """

    estimate: float
    ci_low: float = _NAN
    ci_high: float = _NAN
    n: int | None = None
    n_cell: int | None = None
    suppressed: bool = False
    fragile: bool = False

    def __post_init__(self):
        put = object.__setattr__
        for name in ("estimate", "ci_low", "ci_high"):
            put(self, name, _number(getattr(self, name)))
        put(self, "n", _count(self.n))
        put(self, "n_cell", _count(self.n_cell))
        small_group = self.n is None or self.n < MIN_CELL
        small_cell = self.n_cell is not None and self.n_cell < MIN_CELL
        thin = bool(self.suppressed) or small_group or small_cell or math.isnan(self.estimate)
        put(self, "suppressed", thin)
        put(self, "fragile", bool(self.fragile) or small_group
            or (self.n is not None and self.n < FRAGILE_BELOW))
        if thin:
            put(self, "estimate", _NAN)
            put(self, "ci_low", _NAN)
            put(self, "ci_high", _NAN)
            put(self, "n_cell", None)
            if small_group:
                put(self, "n", None)

    @classmethod
    def from_row(cls, row) -> Figure:
        """Build from a mapping or Series with ``estimate, ci_low, ci_high, n`` (others optional)."""
        get = row.get
        return cls(get("estimate"), get("ci_low", _NAN), get("ci_high", _NAN), get("n"),
                   get("n_cell", get("n_need")), bool(_truthy(get("suppressed", False))),
                   bool(_truthy(get("fragile", False))))

    @classmethod
    def from_counts(cls, count: int, n: int, *, level: float = 0.95) -> Figure:
        """An unweighted share ``count / n`` with its Wilson score interval.

        For the professionals' questionnaire, which is a census of the professionals
        who answered rather than a weighted sample.
        """
        if n <= 0:
            return cls(_NAN, n=n)
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + level / 2)
        p = count / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return cls(p, max(0.0, centre - half), min(1.0, centre + half), n, count)

    @property
    def publishable(self) -> bool:
        """True when the figure may be shown (not suppressed)."""
        return not self.suppressed


def _truthy(value) -> bool:
    if value is None:
        return False
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pandas NA
        return False


@dataclass(frozen=True)
class GroupFigure:
    """The figure of one group of a profile variable (a district, "QPV", an age band)."""

    variable: str
    group: str
    figure: Figure


@dataclass(frozen=True)
class DistrictGap:
    """A district (or QPV) compared with the rest of the town, after Benjamini-Hochberg.

    One row of :func:`analysis.crosstab.compare_domains`, with the p-value adjusted
    across the whole family of comparisons (every district and every indicator) by
    :func:`analysis.crosstab.benjamini_hochberg`.

    Attributes
    ----------
    indicator : str
    variable : str
        The domain variable, usually ``"district"`` or ``"qpv"``.
    group : str
        The district (or "QPV").
    estimate, estimate_rest, difference : float
        Share in the group, in the rest of the town, and their difference.
    ci_low, ci_high : float
        Interval of the difference.
    p_value, p_adjusted : float
        Raw and FDR-adjusted p-values.
    n, n_rest : int or None
    direction : {"worse", "better", "similar", "insufficient"}
        See :data:`DIRECTIONS`; "insufficient" (figures blanked) when the group has
        fewer than :data:`MIN_CELL` respondents.
    """

    indicator: str
    variable: str
    group: str
    estimate: float
    estimate_rest: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float
    n: int | None
    n_rest: int | None
    direction: str = "similar"

    def __post_init__(self):
        put = object.__setattr__
        for name in ("estimate", "estimate_rest", "difference", "ci_low", "ci_high",
                     "p_value", "p_adjusted"):
            put(self, name, _number(getattr(self, name)))
        put(self, "n", _count(self.n))
        put(self, "n_rest", _count(self.n_rest))
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {sorted(DIRECTIONS)}")
        if self.n is None or self.n < MIN_CELL or self.direction == "insufficient":
            for name in ("estimate", "difference", "ci_low", "ci_high", "p_value",
                         "p_adjusted"):
                put(self, name, _NAN)
            put(self, "n", None)
            put(self, "direction", "insufficient")

    @property
    def significant(self) -> bool:
        """Significantly different from the rest of the town after FDR correction."""
        return self.direction in ("worse", "better")

    @property
    def direction_fr(self) -> str:
        return DIRECTIONS[self.direction]


@dataclass(frozen=True)
class IndicatorEvidence:
    """A need indicator: the town figure, the groups, the district-vs-rest gaps.

    Attributes
    ----------
    name : str
        The indicator's name (``sans_medecin_traitant``).
    label : str
        French label ("Sans médecin traitant").
    axis : str or None
        The CLS axis of its question (``acces_soins``).
    town : Figure
        Whole-town figure (rows ``variable == TOWN`` of ``indicator_tables``).
    groups : tuple of GroupFigure
        Figures by district, QPV, age band...
    gaps : tuple of DistrictGap
        Comparisons of each district (and QPV) with the rest of the town.
    higher_is_worse : bool
        True for a need (a higher share is worse), the usual case.
    """

    name: str
    label: str
    axis: str | None
    town: Figure
    groups: tuple[GroupFigure, ...] = ()
    gaps: tuple[DistrictGap, ...] = ()
    higher_is_worse: bool = True

    @property
    def thin(self) -> bool:
        """The town figure cannot be published."""
        return self.town.suppressed

    def groups_frame(self, variable: str = "district"):
        """Figures of the groups of `variable` with their gap direction, one row per group.

        Columns ``group, estimate, ci_low, ci_high, n, suppressed, direction``: ready
        for :func:`analysis.charts.bar_chart_with_ci` with ``highlight="direction"``
        and ``reference=self.town.estimate``.
        """
        import pandas as pd

        directions = {g.group: g.direction for g in self.gaps if g.variable == variable}
        rows = [{"group": g.group, "estimate": g.figure.estimate, "ci_low": g.figure.ci_low,
                 "ci_high": g.figure.ci_high, "n": g.figure.n,
                 "suppressed": g.figure.suppressed,
                 "direction": directions.get(g.group) if not g.figure.suppressed else None}
                for g in self.groups if g.variable == variable]
        return pd.DataFrame(rows, columns=["group", "estimate", "ci_low", "ci_high", "n",
                                           "suppressed", "direction"])

    @property
    def significant_gaps(self) -> tuple[DistrictGap, ...]:
        """Groups significantly different from the rest, the less favourable first."""
        found = [g for g in self.gaps if g.significant]
        return tuple(sorted(found, key=lambda g: (g.direction != "worse",
                                                  -abs(g.difference), g.group)))


@dataclass(frozen=True)
class ThemeEvidence:
    """A theme residents raise in free text: who raises it, and what they write.

    Attributes
    ----------
    key, label : str
        Codebook key and French label.
    axis : str or None
        The theme's CLS axis (codebook ``axis``, or :func:`analysis.axes.best_axis`).
    share : Figure
        Weighted share of respondents who raise it (``theme_shares``, whole town).
    groups : tuple of GroupFigure
        The same by district, when computed.
    verbatims : tuple of str
        Typical answers, as written: they are masked with
        :func:`analysis.privacy.mask_pii` when a candidate is built.
    match : str or None
        Set by :func:`build_candidates`: ``"mapping"``, ``"words"`` or ``"axis"`` (``analysis.priorities._candidates.MATCHES``).
    """

    key: str
    label: str
    axis: str | None
    share: Figure
    groups: tuple[GroupFigure, ...] = ()
    verbatims: tuple[str, ...] = ()
    match: str | None = None


@dataclass(frozen=True)
class RankingEvidence:
    """An option of the residents' ranking question ("the town's 3 health priorities").

    Attributes
    ----------
    option, label : str
        Option code and French label.
    axis : str or None
    first : Figure
        Share of respondents who ranked it first.
    top : Figure
        Share who placed it among their first ``top_k``.
    top_k : int
    match : str or None
        Set by :func:`build_candidates`.
    """

    option: str
    label: str
    axis: str | None
    first: Figure
    top: Figure
    top_k: int = 3
    match: str | None = None


@dataclass(frozen=True)
class ProfessionalEvidence:
    """What the health professionals' questionnaire says about a need.

    Attributes
    ----------
    key, label : str
        E.g. ``besoin_fort_sante_mentale``, "Besoin jugé important : santé mentale";
        or ``depart_5_ans``, "Départ prévu d'ici cinq ans".
    axis : str or None
    kind : {"need", "capacity"}
        A need the professionals report, or the capacity of care (doctors leaving,
        new patients refused).
    share : Figure
        Share of the professionals who answered (see :meth:`Figure.from_counts`).
    detail : str
        Free wording for the page ("dont 3 médecins généralistes"), already checked
        by the service for small counts.
    match : str or None
        Set by :func:`build_candidates`.
    """

    key: str
    label: str
    axis: str | None
    kind: str
    share: Figure
    detail: str = ""
    match: str | None = field(default=None)

    def __post_init__(self):
        if self.kind not in NEED_KINDS:
            raise ValueError(f"kind must be one of {sorted(NEED_KINDS)}")
