"""The candidate priorities and the decisions stored about them: the evidence they rest on,
the campaign's grid, and the merges, renames and assessments applied on top (in that
order: the evidence of a merged candidate goes to the one it was merged into).

This module imports :mod:`analysis`: import it (or :mod:`.services`) inside the
functions that use it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.priorities import MAX_VERBATIMS, PEARL_ITEMS, Assessment, Candidate, Pearl, ScoringGrid

from ..models import Campaign, PriorityDecision, PriorityGrid

__all__ = ["grid_of", "decisions_of", "apply_decisions", "current_evidence"]


def grid_of(session: Session, campaign: Campaign) -> ScoringGrid:
    """Return the campaign's scoring grid (the default one until the coordinator adjusts it)."""
    row = session.get(PriorityGrid, campaign.id)
    if row is None:
        return ScoringGrid()
    return ScoringGrid(row.variant, float(row.inequity_weight), float(row.demand_weight))


def decisions_of(session: Session, campaign: Campaign) -> dict[str, PriorityDecision]:
    """Return the stored decisions of the campaign, by candidate key."""
    rows = session.scalars(select(PriorityDecision).where(PriorityDecision.campaign_id == campaign.id))
    return {row.candidate_key: row for row in rows}


def _resolve(key: str, merges: Mapping[str, str], known) -> str:
    """The candidate `key` ends up in, following merges (a merge into an unknown key is ignored)."""
    seen = {key}
    while key in merges and merges[key] in known and merges[key] not in seen:
        key = merges[key]
        seen.add(key)
    return key


def _unique(items, key_of):
    seen, out = set(), []
    for item in items:
        k = key_of(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return tuple(out)


def _combine(target: Candidate, sources: list[Candidate]) -> Candidate:
    """`target` with the evidence of `sources` added (its own first)."""
    every = [target, *sources]
    gaps = _unique((g for c in every for g in c.districts), lambda g: (g.indicator, g.variable, g.group))
    gaps = tuple(sorted(gaps, key=lambda g: (g.direction != "worse", -abs(g.difference), g.group)))
    merged = dataclasses.replace(
        target,
        indicators=_unique((i for c in every for i in c.indicators), lambda i: i.name),
        themes=_unique((t for c in every for t in c.themes), lambda t: t.key),
        ranking=_unique((r for c in every for r in c.ranking), lambda r: r.option),
        professional=_unique((p for c in every for p in c.professional), lambda p: p.key),
        districts=gaps,
        verbatims=_unique((v for c in every for v in c.verbatims), lambda v: v)[:MAX_VERBATIMS],
    )
    lead = merged.lead
    return dataclasses.replace(merged, thin=lead is None, fragile=lead is not None and lead[1].fragile)


def _assessment(decision: PriorityDecision | None) -> Assessment:
    if decision is None:
        return Assessment()
    pearl = {item: decision.pearl.get(item) for item in PEARL_ITEMS} if decision.pearl else {}
    return Assessment(decision.seriousness, decision.effectiveness, Pearl(**pearl), decision.note or "")


def apply_decisions(candidates, decisions: Mapping[str, PriorityDecision]) -> tuple[list[Candidate], dict]:
    """Apply merges, renames and assessments; return the candidates and ``target -> merged keys``."""
    by_key = {c.key: c for c in candidates}
    merges = {k: d.merged_into for k, d in decisions.items() if d.merged_into}
    members: dict[str, list[str]] = {}
    for key in by_key:
        target = _resolve(key, merges, by_key)
        if target != key:
            members.setdefault(target, []).append(key)
    out = []
    for candidate in candidates:
        if _resolve(candidate.key, merges, by_key) != candidate.key:
            continue
        if candidate.key in members:
            candidate = _combine(candidate, [by_key[k] for k in members[candidate.key]])
        decision = decisions.get(candidate.key)
        if decision is not None and decision.label:
            candidate = dataclasses.replace(candidate, label=decision.label)
        out.append(candidate.with_assessment(_assessment(decision)))
    return out, members


def current_evidence(session: Session, campaign: Campaign, *, build: bool = True):
    """The evidence the candidates rest on: the one the job "priorities" stored, if any.

    When none was ever stored, it is gathered here, synchronously, when `build` (the
    command line, the report); a page passes ``build=False`` and gets ``None``.
    """
    from . import evidence as evidence_service
    from . import stored

    found = stored.stored_evidence(session, campaign, check=False)
    if found is not None:
        return found.evidence
    if not build:
        return None
    return evidence_service.campaign_evidence(session, campaign)
