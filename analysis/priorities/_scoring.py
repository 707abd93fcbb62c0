"""Scoring candidate priorities on a Hanlon-style grid, with inequity and expressed demand.

Private module of :mod:`analysis.priorities`. See :class:`ScoringGrid`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ._candidates import PEARL_ITEMS, Candidate

__all__ = ["SizeScale", "InequityScale", "DemandScale", "ScoringGrid", "Score", "score",
           "VARIANTS", "format_number_fr"]

#: Grid variants: the weight of B inside the bracket, and their French names.
VARIANTS = {"basic": (1, "forme usuelle de Hanlon"), "double_b": (2, "variante de Hanlon doublant B")}
_PEARL_NAMES = "pertinence, économie, acceptabilité, ressources, légalité"


def format_number_fr(value: float, digits: int = 1) -> str:
    """Return ``value`` with a decimal comma and no trailing zeros ("33,3", "8", "0,5")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return "0" if text in ("-0", "") else text.replace(".", ",")


def _percent(share: float) -> str:
    return f"{format_number_fr(100 * share, 2)} %"


@dataclass(frozen=True)
class SizeScale:
    """A, size of the problem: 0 to 10 from the share of the population concerned.

    A continuous version of Hanlon's table (25 % or more: 9-10; 10-24.9 %: 7-8;
    1-9.9 %: 5-6; 0.1-0.9 %: 3-4; 0.01-0.09 %: 1-2): linear interpolation between
    ``points`` (share, score), 10 beyond the last point.
    """

    points: tuple[tuple[float, float], ...] = (
        (0.0, 0.0), (0.0001, 1.0), (0.001, 3.0), (0.01, 5.0), (0.10, 7.0), (0.25, 9.0),
        (0.50, 10.0))

    def __call__(self, share: float) -> float:
        xs, ys = zip(*self.points)
        return float(np.interp(min(max(share, 0.0), 1.0), xs, ys))

    def text_fr(self) -> str:
        steps = " ; ".join(f"{_percent(p)} → {format_number_fr(s)}" for p, s in self.points[1:])
        return (f"taille du problème, de 0 à 10 selon la part des habitants concernés "
                f"(barème continu d'après Hanlon : {steps} et au-delà, interpolation "
                f"linéaire entre ces points)")


@dataclass(frozen=True)
class InequityScale:
    """I, territorial inequity: 0 to 10 from the gap of the worst district or QPV.

    ``I = 10 × min(1, gap / full_gap)``, ``gap`` the largest difference, in share
    points, between a group significantly less favourable than the rest of the town
    (Benjamini-Hochberg) and the rest; 0 when no group is.
    """

    full_gap: float = 0.20

    def __call__(self, gap: float) -> float:
        return 10.0 * min(1.0, max(0.0, gap) / self.full_gap)

    def text_fr(self) -> str:
        points = format_number_fr(100 * self.full_gap)
        per_point = format_number_fr(100 * self.full_gap / 10)
        return (f"inégalités territoriales, de 0 à 10 : 1 point par tranche de "
                f"{per_point} points d'écart entre le quartier (ou les QPV) le moins "
                f"favorisé et le reste de la ville, 10 dès {points} points d'écart ; 0 "
                f"si aucun écart n'est significatif (tests corrigés par la méthode de "
                f"Benjamini-Hochberg)")


@dataclass(frozen=True)
class DemandScale:
    """D, demand expressed by residents: 0 to 10 from their ranking and their free text.

    ``D = max(10 × min(1, top / top_full), 10 × min(1, theme / theme_full))``: ``top``
    the largest share of respondents placing an option of this need in their top
    three, ``theme`` the largest share raising one of its themes.
    """

    top_full: float = 0.50
    theme_full: float = 0.25

    def __call__(self, top: float, theme: float) -> float:
        return 10.0 * max(min(1.0, max(0.0, top) / self.top_full),
                          min(1.0, max(0.0, theme) / self.theme_full))

    def text_fr(self) -> str:
        return (f"demande exprimée par les habitants, de 0 à 10 : la plus forte des deux "
                f"valeurs, 10 × part des habitants qui classent ce besoin parmi leurs "
                f"trois priorités / {format_number_fr(100 * self.top_full)} %, et 10 × part "
                f"de ceux qui l'évoquent dans leurs réponses libres / "
                f"{format_number_fr(100 * self.theme_full)} % (plafonnées à 10)")


@dataclass(frozen=True)
class ScoringGrid:
    """The grid the comité de pilotage scores candidates on.

    ``score = (A + k·B + w_I·I + w_D·D) × C / 3`` with ``k = 1`` (``"basic"``, the
    usual form of Hanlon's basic priority rating, ``(A + B) × C / 3`` when both
    weights are 0) or ``k = 2`` (``"double_b"``, ``(A + 2B) × C / 3``). PEARL is a
    yes/no gate applied beside the score.

    Attributes
    ----------
    variant : {"basic", "double_b"}
    inequity_weight, demand_weight : float
        ``w_I`` and ``w_D`` (0 drops the term).
    size, inequity, demand : scales
        How A, I and D are computed from the data.
    default_seriousness : float
        B when neither entered nor proposed from the professionals' answers.
    default_effectiveness : float
        C when not entered.

    Notes
    -----
    Hanlon's method rates size (A), seriousness (B) and effectiveness (C) and uses
    PEARL as a screen; PAHO's adaptation keeps A, B and C, drops PEARL from the
    equation and adds inequity (its component E) and institutional positioning. Here
    inequity (I) and the residents' expressed demand (D, the population's perception
    the French CLS guides add) sit inside the bracket, so that an intervention judged
    ineffective (C low) cannot rank high on demand alone; PEARL stays a gate.

    References
    ----------
    Hanlon JJ, Pickett GE (1984). *Public Health Administration and Practice*, 8th
    ed. St Louis: Times Mirror/Mosby.
    NACCHO. *Guide to Prioritization Techniques*. Washington DC: National Association
    of County and City Health Officials ("Hanlon method", PEARL test).
    Choi BCK, Maza RA, Mujica OJ et al. (2019). The Pan American Health
    Organization-adapted Hanlon method for prioritization of health programs. *Rev
    Panam Salud Publica* 43:e61. doi:10.26633/RPSP.2019.61
    """

    variant: str = "basic"
    inequity_weight: float = 1.0
    demand_weight: float = 1.0
    size: SizeScale = field(default_factory=SizeScale)
    inequity: InequityScale = field(default_factory=InequityScale)
    demand: DemandScale = field(default_factory=DemandScale)
    default_seriousness: float = 5.0
    default_effectiveness: float = 5.0

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {sorted(VARIANTS)}")
        if self.inequity_weight < 0 or self.demand_weight < 0:
            raise ValueError("weights must be zero or positive")
        for value in (self.default_seriousness, self.default_effectiveness):
            if not 0 <= value <= 10:
                raise ValueError("default values must be between 0 and 10")

    @classmethod
    def hanlon(cls, variant: str = "basic") -> ScoringGrid:
        """Hanlon's rating alone: ``(A + B) × C / 3`` (or ``(A + 2B) × C / 3``)."""
        return cls(variant, 0.0, 0.0)

    @property
    def b_factor(self) -> int:
        return VARIANTS[self.variant][0]

    def rating(self, a: float, b: float, c: float, i: float = 0.0, d: float = 0.0) -> float:
        """The score of these parts."""
        return (a + self.b_factor * b + self.inequity_weight * i + self.demand_weight * d) \
            * c / 3

    @property
    def maximum(self) -> float:
        return self.rating(10, 10, 10, 10, 10)

    def _terms(self, values: Mapping[str, str]) -> str:
        """The bracket of the formula with `values` (letters or numbers) for A, B, I, D."""
        b = values["B"]
        if self.b_factor != 1:
            b = f"{self.b_factor}B" if b == "B" else f"{self.b_factor} × {b}"
        terms = [values["A"], b]
        for letter, weight in (("I", self.inequity_weight), ("D", self.demand_weight)):
            if weight:
                terms.append(values[letter] if weight == 1
                             else f"{format_number_fr(weight, 2)} × {values[letter]}")
        return " + ".join(terms)

    def formula_fr(self) -> str:
        """The formula alone: ``Score de priorité = (A + B + I + D) × C / 3``."""
        letters = {k: k for k in "ABCID"}
        return f"Score de priorité = ({self._terms(letters)}) × C / 3"

    def legend_fr(self) -> list[tuple[str, str]]:
        """``(letter, French description with its scale)`` for every term of the formula."""
        lines = [("A", self.size.text_fr()),
                 ("B", "gravité du problème, de 0 à 10 (urgence, sévérité, pertes, retentissement "
                       "sur l'entourage) : saisie par le comité ; à défaut proposée d'après les "
                       "professionnels (10 × la plus forte part des professionnels qui jugent "
                       "le besoin important ou signalent une offre insuffisante) ; à défaut "
                       f"{format_number_fr(self.default_seriousness)}"),
                 ("C", "efficacité des interventions possibles, de 0 à 10 : saisie par la "
                       f"coordination ; {format_number_fr(self.default_effectiveness)} tant "
                       "qu'elle n'est pas saisie")]
        if self.inequity_weight:
            lines.append(("I", self.inequity.text_fr()))
        if self.demand_weight:
            lines.append(("D", self.demand.text_fr()))
        return lines

    def formula_text_fr(self) -> str:
        """The formula, its terms and the PEARL gate, as printed on the page and in the report."""
        variant = VARIANTS[self.variant][1]
        added = [name for name, weight in (("les inégalités (I)", self.inequity_weight),
                                           ("la demande exprimée (D)", self.demand_weight))
                 if weight]
        if added:
            variant += ", complétée par " + " et ".join(added)
        head = (f"{self.formula_fr()} ({variant} ; de 0 à "
                f"{format_number_fr(self.maximum)}).")
        terms = [f"{letter} : {text}." for letter, text in self.legend_fr()]
        gate = (f"Critères PEARL ({_PEARL_NAMES}) : chacun est jugé par oui ou par non ; un "
                "besoin qui ne satisfait pas l'un d'eux est écarté, quel que soit son score.")
        return "\n".join([head, *terms, gate])


@dataclass(frozen=True)
class Score:
    """The score of one candidate, with every part beside the total.

    Attributes
    ----------
    key : str
    size, seriousness, effectiveness, inequity, demand : float
        A, B, C, I and D (``size`` is NaN when the data are too thin).
    sources : dict
        ``letter -> French text``: where each value comes from.
    pearl : dict
        ``item -> True/False/None``.
    set_aside : bool
        A PEARL item failed: not ranked.
    thin : bool
        No publishable figure for A: not ranked, no total.
    total : float
        NaN when thin.
    """

    key: str
    size: float
    seriousness: float
    effectiveness: float
    inequity: float
    demand: float
    sources: dict
    pearl: dict
    set_aside: bool
    thin: bool
    total: float
    grid: ScoringGrid = field(repr=False, default_factory=ScoringGrid)

    @property
    def pearl_failed(self) -> tuple[str, ...]:
        return tuple(item for item, ok in self.pearl.items() if ok is False)

    @property
    def status(self) -> str:
        """``"ranked"``, ``"set_aside"`` (PEARL) or ``"insufficient"`` (thin data)."""
        return "insufficient" if self.thin else "set_aside" if self.set_aside else "ranked"

    @property
    def status_fr(self) -> str:
        if self.thin:
            return "données insuffisantes (moins de 11 répondants)"
        if self.set_aside:
            names = ", ".join(PEARL_ITEMS[i].split(" (")[0].lower() for i in self.pearl_failed)
            return f"écarté (PEARL : {names})"
        return "retenu"

    def parts(self) -> dict[str, float]:
        """``{"A": ..., "B": ..., "C": ..., "I": ..., "D": ...}``."""
        return {"A": self.size, "B": self.seriousness, "C": self.effectiveness,
                "I": self.inequity, "D": self.demand}

    def computation_fr(self) -> str:
        """The formula with this candidate's values: ``(8 + 6 + 4 + 2) × 5 / 3 = 33,3``."""
        values = {k: format_number_fr(v) for k, v in self.parts().items()}
        return (f"({self.grid._terms(values)}) × {values['C']} / 3 = "
                f"{format_number_fr(self.total)}")


def _max(values) -> float:
    values = [v for v in values if not math.isnan(v)]
    return max(values) if values else 0.0


def score(candidate: Candidate, grid: ScoringGrid | None = None) -> Score:
    """Score one candidate on `grid` (default :class:`ScoringGrid`).

    Parameters
    ----------
    candidate : Candidate
    grid : ScoringGrid, optional

    Returns
    -------
    Score
        Every part and its source beside the total. A thin candidate gets no total;
        one failing a PEARL item keeps its parts and total for the record but is
        ``set_aside`` (PEARL never multiplies the score).

    References
    ----------
    Hanlon & Pickett (1984); NACCHO, *Guide to Prioritization Techniques*.
    """
    grid = grid or ScoringGrid()
    assessment = candidate.assessment
    sources = {}
    lead = candidate.lead
    if lead is None:
        a = math.nan
        sources["A"] = candidate.thin_reason or "aucune donnée"
    else:
        a = grid.size(lead[1].estimate)
        sources["A"] = f"{lead[0]} : {_percent(lead[1].estimate)}"
    # evidence tied to the candidate by its CLS axis alone speaks of the axis, not of this need
    pro = [e for e in candidate.professional if e.share.publishable and e.match != "axis"]
    if assessment.seriousness is not None:
        b, sources["B"] = assessment.seriousness, "saisie par le comité"
    elif pro:
        best = max(pro, key=lambda e: e.share.estimate)
        b = 10 * best.share.estimate
        sources["B"] = f"proposée d'après les professionnels ({best.label} : " \
                       f"{_percent(best.share.estimate)})"
    else:
        b, sources["B"] = grid.default_seriousness, "valeur par défaut (à saisir)"
    if assessment.effectiveness is not None:
        c, sources["C"] = assessment.effectiveness, "saisie par la coordination"
    else:
        c, sources["C"] = grid.default_effectiveness, "valeur par défaut (à saisir)"
    worse = candidate.worse_districts
    gap = _max(abs(g.difference) for g in worse)
    i = grid.inequity(gap)
    sources["I"] = (f"{worse[0].group} : écart de {format_number_fr(100 * gap)} points"
                    if worse else "aucun écart significatif")
    ranking = [e for e in candidate.ranking if e.top.publishable and e.match != "axis"]
    themes = [e for e in candidate.themes if e.share.publishable and e.match != "axis"]
    top = _max(e.top.estimate for e in ranking)
    theme = _max(e.share.estimate for e in themes)
    d = grid.demand(top, theme)
    if ranking or themes:
        sources["D"] = (f"classement : {_percent(top)} parmi les trois priorités ; "
                        f"réponses libres : {_percent(theme)}")
    else:
        sources["D"] = ("aucune demande des habitants propre à ce besoin (ni option du classement ni thème "
                        "des réponses libres qui le nomme ; ce qui ne relève que de son axe n'est pas compté)")
    thin = lead is None
    total = math.nan if thin else grid.rating(a, b, c, i, d)
    return Score(candidate.key, a, b, c, i, d, sources, assessment.pearl.results(),
                 not assessment.pearl.passes, thin, total, grid)
