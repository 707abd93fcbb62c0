"""Ranking scored candidates and grouping them by CLS axis.

Private module of :mod:`analysis.priorities`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.axes import AXIS_LABELS

from ._candidates import Candidate
from ._scoring import Score, ScoringGrid, score

__all__ = ["RankedCandidate", "Ranking", "rank_candidates", "group_by_axis"]


@dataclass(frozen=True)
class RankedCandidate:
    """A candidate, its score and its rank (None when set aside or too thin)."""

    rank: int | None
    candidate: Candidate
    score: Score

    @property
    def key(self) -> str:
        return self.candidate.key


@dataclass(frozen=True)
class Ranking:
    """Candidates scored on one grid.

    Attributes
    ----------
    grid : ScoringGrid
    ranked : tuple of RankedCandidate
        Retained candidates, best first (ranks 1, 2, ...).
    set_aside : tuple of RankedCandidate
        Failed a PEARL item; kept with their parts for the record.
    insufficient : tuple of RankedCandidate
        Data too thin (fewer than 11 respondents): listed, never as findings.
    """

    grid: ScoringGrid
    ranked: tuple[RankedCandidate, ...]
    set_aside: tuple[RankedCandidate, ...] = ()
    insufficient: tuple[RankedCandidate, ...] = ()
    formula: str = field(default="", repr=False)

    @property
    def all(self) -> tuple[RankedCandidate, ...]:
        return self.ranked + self.set_aside + self.insufficient

    def by_axis(self, axes: Iterable[str] | None = None) -> dict:
        """Retained candidates grouped by axis, see :func:`group_by_axis`."""
        return group_by_axis(self.ranked, axes)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: rank, axis, every part, total, status (for tables and CSV)."""
        rows = []
        for item in self.all:
            parts = item.score.parts()
            rows.append({
                "rank": item.rank, "key": item.key, "label": item.candidate.label,
                "axis": item.candidate.axis, "axis_label": item.candidate.axis_label,
                **parts, "total": item.score.total, "status": item.score.status,
                "status_fr": item.score.status_fr,
                "pearl_failed": ", ".join(item.score.pearl_failed),
                "fragile": item.candidate.fragile,
            })
        frame = pd.DataFrame(rows, columns=["rank", "key", "label", "axis", "axis_label",
                                            "A", "B", "C", "I", "D", "total", "status",
                                            "status_fr", "pearl_failed", "fragile"])
        frame["rank"] = frame["rank"].astype("Int64")
        return frame


def _order(item: RankedCandidate):
    # Ties: the larger inequity first (reducing inequalities is what a CLS is for),
    # then the larger size, then the key, so that the order never depends on input order.
    s = item.score
    total = -s.total if not math.isnan(s.total) else math.inf
    return (total, -s.inequity, -(s.size if not math.isnan(s.size) else -1), item.key)


def rank_candidates(candidates: Iterable[Candidate], grid: ScoringGrid | None = None
                    ) -> Ranking:
    """Score every candidate on `grid` and rank those that pass the PEARL gate.

    Parameters
    ----------
    candidates : iterable of Candidate
        E.g. the :class:`CandidateSet` of :func:`build_candidates`.
    grid : ScoringGrid, optional

    Returns
    -------
    Ranking
        Retained candidates by decreasing score (ties broken by inequity, then
        size, then key); candidates failing PEARL and thin ones apart, unranked.
    """
    grid = grid or ScoringGrid()
    scored = [RankedCandidate(None, c, score(c, grid)) for c in candidates]
    keys = [item.key for item in scored]
    if len(set(keys)) != len(keys):
        raise ValueError("two candidates have the same key")
    kept = sorted((i for i in scored if i.score.status == "ranked"), key=_order)
    ranked = tuple(RankedCandidate(n, i.candidate, i.score) for n, i in enumerate(kept, 1))
    aside = tuple(sorted((i for i in scored if i.score.status == "set_aside"), key=_order))
    thin = tuple(sorted((i for i in scored if i.score.status == "insufficient"),
                        key=lambda i: i.key))
    return Ranking(grid, ranked, aside, thin, grid.formula_text_fr())


def group_by_axis(items: Iterable[RankedCandidate], axes: Iterable[str] | None = None
                  ) -> dict[str | None, tuple[RankedCandidate, ...]]:
    """Group ranked candidates by CLS axis, keeping their order within each axis.

    Parameters
    ----------
    items : iterable of RankedCandidate
    axes : iterable of str, optional
        Order of the axes (default: :data:`analysis.axes.AXIS_LABELS`); other axes
        follow in alphabetical order, candidates with no axis (key None) last.

    Returns
    -------
    dict
        ``axis -> candidates``; only axes with candidates appear.
    """
    items = list(items)
    known = list(axes) if axes is not None else list(AXIS_LABELS)
    present = {i.candidate.axis for i in items}
    order = [a for a in known if a in present]
    order += sorted(a for a in present if a is not None and a not in order)
    if None in present:
        order.append(None)
    return {axis: tuple(i for i in items if i.candidate.axis == axis) for axis in order}
