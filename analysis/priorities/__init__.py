"""Candidate priorities of the CLS diagnostic, scored on a Hanlon-style grid.

A diagnostic ends with candidate priorities for the comité de pilotage. This package
gathers, for each need, the evidence the rest of :mod:`analysis` produced, and scores
it on a stated grid:

1. evidence: need indicators (:func:`indicator_evidence` reads
   :func:`analysis.crosstab.indicator_tables` and the district comparisons of
   :func:`compare_indicators`, Benjamini-Hochberg adjusted), free-text themes
   (:func:`theme_evidence`), the residents' ranking question (:func:`ranking_shares`,
   :func:`ranking_evidence`) and the professionals' questionnaire
   (:class:`ProfessionalEvidence`);
2. :func:`build_candidates`: one :class:`Candidate` per need, by a declared
   :class:`Need` mapping or by axis, with its figures, the districts concerned and up
   to three masked verbatims;
3. :func:`score` on a :class:`ScoringGrid`: size A, seriousness B, effectiveness C,
   inequity I and expressed demand D, ``(A + B + I + D) × C / 3`` by default, PEARL a
   yes/no gate; :func:`rank_candidates` ranks them and :func:`group_by_axis` groups
   them by CLS axis.

>>> candidates = build_candidates(indicator_evidence(tables, comparisons),   # doctest: +SKIP
...                               themes, ranking, needs=needs)
>>> ranking = rank_candidates(candidates, ScoringGrid(variant="double_b"))  # doctest: +SKIP
>>> print(ranking.grid.formula_text_fr())                                   # doctest: +SKIP

References
----------
Hanlon JJ, Pickett GE (1984). *Public Health Administration and Practice*, 8th ed.
NACCHO. *Guide to Prioritization Techniques*.
Choi BCK, Maza RA, Mujica OJ et al. (2019). The Pan American Health
Organization-adapted Hanlon method. *Rev Panam Salud Publica* 43:e61.
"""
from __future__ import annotations

from ._candidates import (
    MAX_VERBATIMS, PEARL_ITEMS, Assessment, Candidate, CandidateSet, Need, Pearl,
    build_candidates,
)
from ._evidence import (
    DIRECTIONS, NEED_KINDS, DistrictGap, Figure, GroupFigure, IndicatorEvidence,
    ProfessionalEvidence, RankingEvidence, ThemeEvidence,
)
from ._ranking import Ranking, RankedCandidate, group_by_axis, rank_candidates
from ._readers import (
    compare_indicators, gap_direction, indicator_evidence, ranking_evidence, ranking_shares,
    stack_comparisons, theme_evidence,
)
from ._scoring import (
    VARIANTS, DemandScale, InequityScale, Score, ScoringGrid, SizeScale, format_number_fr,
    score,
)

__all__ = [
    # evidence
    "Figure", "GroupFigure", "DistrictGap", "IndicatorEvidence", "ThemeEvidence",
    "RankingEvidence", "ProfessionalEvidence", "DIRECTIONS", "NEED_KINDS",
    # readers
    "compare_indicators", "stack_comparisons", "indicator_evidence", "gap_direction",
    "theme_evidence", "ranking_shares", "ranking_evidence",
    # candidates
    "Need", "Pearl", "Assessment", "Candidate", "CandidateSet", "build_candidates",
    "PEARL_ITEMS", "MAX_VERBATIMS",
    # scoring and ranking
    "ScoringGrid", "SizeScale", "InequityScale", "DemandScale", "Score", "score",
    "VARIANTS", "format_number_fr", "Ranking", "RankedCandidate", "rank_candidates",
    "group_by_axis",
]
