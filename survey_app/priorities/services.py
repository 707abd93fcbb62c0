"""Candidate priorities of a campaign, with the coordinator's decisions applied.

Candidates are built from the evidence the job "priorities" stored (:mod:`.stored`;
gathered here by :mod:`.evidence` when it was never built), then
:func:`analysis.priorities.build_candidates`: one per need indicator of the residents'
questionnaire, with the themes, ranking options and professionals' items of its CLS
axis. What people decide is stored (:class:`~survey_app.models.PriorityDecision`,
:class:`~survey_app.models.PriorityGrid`) and applied on top, in this order: merges
(the evidence of a merged candidate goes to the one it was merged into), renames, the
assessments (B, C, PEARL, note), then the campaign's grid ranks them. Every change is
an audit event (``entity_type="priorities"``, ``entity_id`` the campaign's id): that is
the history the workspace shows.

The comité's status of a candidate (kept, set aside, to examine) is a decision beside
the grid: it never changes a score or a rank (the grid says what the data and the
entered values give; the comité decides). PEARL, on the other hand, is the grid's gate:
a candidate failing one of its items is set aside by the grid.

Services take the acting user as an argument and never commit: the caller does.
The candidates, with the decisions applied, are built in :mod:`.candidates`, the history
is read in :mod:`.history`, the decisions are stored by :mod:`.decisions`; this module
ranks them for the workspace, the report and the public page, and re-exports the names
of the others (the views and the tests import them from here).
This module imports pandas and :mod:`analysis` (through :mod:`.evidence`): import it
inside the functions that use it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.axes import AXIS_LABELS
from analysis.priorities import Ranking, RankedCandidate, build_candidates, group_by_axis, rank_candidates

from ..models import PRIORITY_STATUSES, Campaign, PriorityDecision, PriorityGrid
from .candidates import apply_decisions, current_evidence, decisions_of, grid_of
from .decisions import (MAX_LABEL, MAX_NOTE, MAX_WEIGHT, check_score, check_weight, merge, separate,
                        set_grid, update_decision)
from .history import (AUDIT_ENTITY, FIELD_LABELS, GRID_PREFIX, STATUS_LABELS, VARIANT_LABELS,
                      HistoryEntry, history)

__all__ = [
    "Workspace", "workspace", "ranked_priorities", "kept_priorities", "decision_statuses",
    # from .candidates
    "grid_of", "decisions_of", "apply_decisions", "current_evidence",
    # from .history
    "AUDIT_ENTITY", "GRID_PREFIX", "STATUS_LABELS", "FIELD_LABELS", "VARIANT_LABELS",
    "HistoryEntry", "history",
    # from .decisions
    "MAX_LABEL", "MAX_NOTE", "MAX_WEIGHT", "check_score", "update_decision", "merge", "separate",
    "check_weight", "set_grid",
]


@dataclass
class Workspace:
    """What the workspace page shows: the ranking and everything around it."""

    campaign: Campaign
    evidence: object
    ranking: Ranking
    #: Every candidate built from the data, before merges (key -> Candidate).
    base: dict
    decisions: dict
    #: ``target key -> keys merged into it``.
    members: dict
    #: Evidence no candidate took, and declared keys found in no input.
    unmatched: tuple = ()
    #: Decisions about candidates the data no longer gives (questionnaire changed).
    orphans: tuple = ()
    grid_row: PriorityGrid | None = None
    history: list = field(default_factory=list)

    def status(self, key: str) -> str:
        decision = self.decisions.get(key)
        return decision.status if decision is not None else "proposed"

    def status_label(self, key: str) -> str:
        return STATUS_LABELS[self.status(key)]

    def original_label(self, key: str) -> str:
        return self.base[key].label if key in self.base else key

    def by_axis(self) -> dict:
        """Every candidate (ranked, set aside by PEARL, too thin) grouped by CLS axis, ranked first."""
        return group_by_axis(self.ranking.all, list(self.evidence.axis_labels) or None)

    def axis_label(self, axis: str | None) -> str:
        if axis is None:
            return "Sans axe du CLS"
        return self.evidence.axis_labels.get(axis) or AXIS_LABELS.get(axis, axis)

    def counts(self) -> dict[str, int]:
        """How many candidates the comité kept, set aside, and has still to examine."""
        found = {status: 0 for status in PRIORITY_STATUSES}
        for item in self.ranking.all:
            found[self.status(item.key)] += 1
        return found

    def unmatched_items(self) -> list[tuple[str, str]]:
        """``(source in French, label)`` of the evidence no candidate took (no axis, or none of its axis)."""
        kinds = {"ThemeEvidence": "thème des réponses libres", "RankingEvidence": "classement des habitants",
                 "ProfessionalEvidence": "questionnaire des professionnels"}
        return [(kinds.get(type(e).__name__, "autre source"), e.label) for e in self.unmatched]

    def merge_targets(self, key: str) -> list[tuple[str, str]]:
        """``(key, label)`` of the candidates `key` may be merged into."""
        return [(item.key, item.candidate.label) for item in self.ranking.all if item.key != key]


def _build(session: Session, campaign: Campaign, found=None):
    found = found if found is not None else current_evidence(session, campaign)
    candidates = build_candidates(found.indicators, found.themes, found.ranking, found.professional)
    decisions = decisions_of(session, campaign)
    applied, members = apply_decisions(candidates, decisions)
    ranking = rank_candidates(applied, grid_of(session, campaign))
    return found, candidates, decisions, applied, members, ranking


def workspace(session: Session, campaign: Campaign, *, found=None) -> Workspace:
    """Return the ranked candidates with their evidence, the decisions and the history.

    `found` is the evidence to rank (a :class:`.stored.CampaignEvidence`); by default
    :func:`current_evidence`. Decisions and the grid are read each time and applied on
    top: a decision never needs the evidence to be built again.

    Raises
    ------
    ServiceError
        No resident has answered yet, or the residents' questionnaire is not loaded.
    """
    found, candidates, decisions, _applied, members, ranking = _build(session, campaign, found)
    base = {c.key: c for c in candidates}
    orphans = tuple(sorted(k for k in decisions if k not in base))
    return Workspace(campaign, found, ranking, base, decisions, members,
                     tuple(candidates.unmatched), orphans, session.get(PriorityGrid, campaign.id),
                     history(session, campaign, labels={k: c.label for k, c in base.items()}))


def ranked_priorities(session: Session, campaign: Campaign) -> Ranking:
    """Return the campaign's candidate priorities, scored and ranked, decisions applied.

    The candidates are built from every source the campaign has (need indicators of
    the residents, weighted when the campaign has census margins; district and QPV
    gaps after Benjamini-Hochberg; free-text themes of the codebook coding; the
    residents' ranking of priorities; the professionals' questionnaire), then the
    coordinator's decisions are applied: merged candidates are gone and their evidence
    is in the one they were merged into, renamed ones carry their new label, each
    candidate's :class:`~analysis.priorities.Assessment` holds the B, C, PEARL answers
    and note entered, and the ranking uses the campaign's grid (variant and weights).

    Parameters
    ----------
    session : Session
    campaign : Campaign

    Returns
    -------
    analysis.priorities.Ranking
        ``ranked`` (passed the PEARL gate, best first, ranks 1, 2…), ``set_aside``
        (failed a PEARL item), ``insufficient`` (fewer than 11 respondents: no finding);
        ``grid`` and ``formula`` (the French text to print beside the list). Each
        :class:`~analysis.priorities.RankedCandidate` carries its evidence (figures with
        CIs and counts, districts concerned, up to three masked verbatims) and its
        score's parts. The comité's own status (kept, set aside) does not change the
        ranking: see :func:`kept_priorities` and :func:`decision_statuses`.

    Raises
    ------
    ServiceError
        No resident has completed the questionnaire yet (message in French), or the
        residents' questionnaire is not loaded in the campaign.

    Notes
    -----
    The evidence is the one the job "priorities" stored last (even when the data
    changed since: the workspace says it is stale); when it was never built, it is
    gathered here (:func:`.evidence.campaign_evidence`, once per state of the
    campaign's data and per process; the first call in a process builds the free-text
    coder, tens of seconds). Decisions are read each time.
    """
    return _build(session, campaign)[-1]


def kept_priorities(session: Session, campaign: Campaign) -> tuple[RankedCandidate, ...]:
    """Return the candidates the comité kept, in the order of :func:`ranked_priorities`.

    For the report and the residents' public results page. Each item is a
    :class:`~analysis.priorities.RankedCandidate` (``.key``, ``.rank`` — None when the
    grid set it aside or its data are too thin —, ``.candidate`` with its label,
    axis and evidence, ``.score``). Empty when the comité has kept none yet.

    Raises
    ------
    ServiceError
        As :func:`ranked_priorities`.
    """
    ranking = ranked_priorities(session, campaign)
    statuses = decision_statuses(session, campaign)
    return tuple(item for item in ranking.all if statuses.get(item.key) == "kept")


def decision_statuses(session: Session, campaign: Campaign) -> dict[str, str]:
    """Return ``candidate key -> "kept" | "set_aside"`` (candidates absent: still to examine)."""
    rows = session.execute(select(PriorityDecision.candidate_key, PriorityDecision.status)
                           .where(PriorityDecision.campaign_id == campaign.id,
                                  PriorityDecision.status != "proposed"))
    return {key: status for key, status in rows}
