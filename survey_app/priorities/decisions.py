"""What the coordinator decides about the candidate priorities: a candidate's label,
the comité's status, the assessments (B, C, PEARL, note), merges, and the campaign's
grid (variant, weights of I and D). Every value is checked first (refusals in French);
every change is an audit event (:mod:`.history`).

Services take the acting user as an argument and never commit: the caller does.
This module imports :mod:`analysis`: import it (or :mod:`.services`) inside the
functions that use it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.priorities import PEARL_ITEMS, VARIANTS, ScoringGrid, build_candidates

from .. import audit
from ..domain import ServiceError
from ..models import PRIORITY_STATUSES, Campaign, PriorityDecision, PriorityGrid, User
from .candidates import current_evidence, decisions_of
from .history import AUDIT_ENTITY, GRID_PREFIX

__all__ = ["MAX_LABEL", "MAX_NOTE", "MAX_WEIGHT", "check_score", "update_decision", "merge",
           "separate", "check_weight", "set_grid"]

MAX_LABEL, MAX_NOTE = 200, 2000
#: Weights of I and D the grid accepts.
MAX_WEIGHT = 10.0


def _record(session, actor, campaign, action, subject, name, old, new) -> None:
    audit.record(session, actor, action, AUDIT_ENTITY, campaign.id, field=f"{subject}:{name}",
                 old=old, new=new)


def check_score(value, letter: str) -> float | None:
    """Return a B or C value as a float in [0, 10] (None: not entered), or refuse in French."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        raise ServiceError(f"{letter} doit être un nombre entre 0 et 10 (valeur reçue : « {str(value)[:20]} »).") from None
    if not math.isfinite(number) or not 0 <= number <= 10:
        raise ServiceError(f"{letter} doit être comprise entre 0 et 10 (valeur reçue : {str(value)[:20]}).")
    return number


def _candidate_keys(session: Session, campaign: Campaign) -> tuple[set[str], dict]:
    found = current_evidence(session, campaign)
    candidates = build_candidates(found.indicators, found.themes, found.ranking, found.professional)
    return {c.key for c in candidates}, {c.key: c.label for c in candidates}


def _decision(session: Session, campaign: Campaign, key: str, *, create: bool = True) -> PriorityDecision | None:
    """The stored decision of `key`; a new one (added to the session) when there is none and `create`.

    Two coordinators deciding on the same new candidate at the same moment: the second
    commit fails on the unique key (the views say so; nothing of it is stored). A
    savepoint would not do: on SQLite, releasing the outermost one commits.
    """
    row = session.scalar(select(PriorityDecision).where(
        PriorityDecision.campaign_id == campaign.id, PriorityDecision.candidate_key == key))
    if row is None and create:
        row = PriorityDecision(campaign_id=campaign.id, candidate_key=key, status="proposed", pearl={},
                               note="")
        session.add(row)
    return row


def _known(session, campaign, key) -> dict:
    keys, labels = _candidate_keys(session, campaign)
    if key not in keys:
        raise ServiceError(f"La priorité candidate « {str(key)[:60]} » n'existe pas (ou plus) dans cette campagne.")
    return labels


def update_decision(session: Session, campaign: Campaign, actor: User, key: str, *,
                    label: str | None = None, status: str = "proposed",
                    seriousness=None, effectiveness=None,
                    pearl: Mapping[str, bool | None] | None = None, note: str = "") -> list[str]:
    """Store what the coordinator decided for candidate `key`; return the fields changed.

    Every value is checked first; on any problem nothing is changed and a
    :class:`ServiceError` lists every problem in French. Each changed field is an audit
    event. ``label`` empty keeps the label from the data; ``seriousness`` (B) and
    ``effectiveness`` (C) None leave the grid's proposal or default.
    """
    labels = _known(session, campaign, key)
    problems = []
    label = " ".join((label or "").split()) or None
    if label is not None and len(label) > MAX_LABEL:
        problems.append(f"Le libellé ne doit pas dépasser {MAX_LABEL} caractères.")
    if label == labels.get(key):
        label = None
    if status not in PRIORITY_STATUSES:
        problems.append("Choisissez la décision du comité : à examiner, retenue ou écartée.")
    values = {}
    for name, value, letter in (("seriousness", seriousness, "La gravité (B)"),
                                ("effectiveness", effectiveness, "L'efficacité (C)")):
        try:
            values[name] = check_score(value, letter)
        except ServiceError as error:
            problems.append(str(error))
    pearl = dict(pearl or {})
    unknown = sorted(set(pearl) - set(PEARL_ITEMS))
    if unknown or any(v not in (True, False, None) for v in pearl.values()):
        problems.append("Chaque critère PEARL se juge par oui, par non, ou reste non évalué.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        problems.append(f"La note ne doit pas dépasser {MAX_NOTE} caractères (elle en a {len(note)}).")
    if problems:
        raise ServiceError(" ".join(problems))
    row = _decision(session, campaign, key)
    if row.merged_into:
        raise ServiceError(f"« {labels.get(key, key)} » est regroupée avec « "
                           f"{labels.get(row.merged_into, row.merged_into)} » : modifiez cette dernière, "
                           "ou séparez-les d'abord.")
    wanted = {"label": label, "status": status, **values, "note": note}
    changed = []
    for name, value in wanted.items():
        old = getattr(row, name)
        if name in ("label", "note"):  # empty and missing text are the same
            old, value = old or None, value or None
        if old != value:
            _record(session, actor, campaign, "priority.decision", key, name, old, value)
            setattr(row, name, value if name != "note" else value or "")
            changed.append(name)
    stored = dict(row.pearl or {})
    for item in PEARL_ITEMS:
        old, new = stored.get(item), pearl.get(item)
        if old != new:
            _record(session, actor, campaign, "priority.decision", key, f"pearl.{item}", old, new)
            changed.append(f"pearl.{item}")
    if any(c.startswith("pearl.") for c in changed):
        row.pearl = {item: pearl[item] for item in PEARL_ITEMS if pearl.get(item) is not None}
    if changed:
        row.updated_by_id = actor.id if actor is not None else None
        session.flush()
    return changed


def merge(session: Session, campaign: Campaign, actor: User, key: str, into: str) -> None:
    """Merge candidate `key` into `into`: its evidence joins `into`'s, it leaves the list."""
    labels = _known(session, campaign, key)
    if not into:
        raise ServiceError("Choisissez la priorité candidate avec laquelle regrouper celle-ci.")
    if into not in labels:
        raise ServiceError(f"La priorité candidate « {str(into)[:60]} » n'existe pas (ou plus) dans cette campagne.")
    if into == key:
        raise ServiceError("Une priorité candidate ne peut pas être regroupée avec elle-même.")
    decisions = decisions_of(session, campaign)
    target = decisions.get(into)
    if target is not None and target.merged_into:
        raise ServiceError(f"« {labels[into]} » est elle-même regroupée avec « "
                           f"{labels.get(target.merged_into, target.merged_into)} » : choisissez cette dernière.")
    row = _decision(session, campaign, key)
    if row.merged_into == into:
        return
    _record(session, actor, campaign, "priority.merge", key, "merged_into", row.merged_into, into)
    row.merged_into = into
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()


def separate(session: Session, campaign: Campaign, actor: User, key: str) -> None:
    """Undo the merge of candidate `key`: it is listed again with its own evidence."""
    _known(session, campaign, key)
    row = _decision(session, campaign, key, create=False)
    if row is None or not row.merged_into:
        raise ServiceError("Cette priorité candidate n'est regroupée avec aucune autre.")
    _record(session, actor, campaign, "priority.merge", key, "merged_into", row.merged_into, None)
    row.merged_into = None
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()


def check_weight(value, name: str) -> float:
    """Return a weight of the grid as a float in [0, MAX_WEIGHT], or refuse in French."""
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ServiceError(f"{name} doit être un nombre entre 0 et {MAX_WEIGHT:g} (valeur reçue : « {str(value)[:20]} »).") from None
    if not math.isfinite(number) or not 0 <= number <= MAX_WEIGHT:
        raise ServiceError(f"{name} doit être compris entre 0 et {MAX_WEIGHT:g} (valeur reçue : {str(value)[:20]}).")
    return number


def set_grid(session: Session, campaign: Campaign, actor: User, *, variant: str,
             inequity_weight, demand_weight) -> list[str]:
    """Adjust the campaign's grid (variant, weights of I and D); return the fields changed."""
    problems, values = [], {}
    if variant not in VARIANTS:
        problems.append("Choisissez la variante de la grille : forme usuelle de Hanlon, ou B doublé.")
    for name, value, text in (("inequity_weight", inequity_weight, "Le poids des inégalités (I)"),
                              ("demand_weight", demand_weight, "Le poids de la demande exprimée (D)")):
        try:
            values[name] = check_weight(value, text)
        except ServiceError as error:
            problems.append(str(error))
    if problems:
        raise ServiceError(" ".join(problems))
    row = session.get(PriorityGrid, campaign.id)
    if row is None:
        default = ScoringGrid()
        row = PriorityGrid(campaign_id=campaign.id, variant=default.variant,
                           inequity_weight=default.inequity_weight, demand_weight=default.demand_weight)
        session.add(row)
    changed = []
    for name, value in {"variant": variant, **values}.items():
        old = getattr(row, name)
        if old != value:
            _record(session, actor, campaign, "priority.grid", GRID_PREFIX, name, old, value)
            setattr(row, name, value)
            changed.append(name)
    if changed:
        row.updated_by_id = actor.id if actor is not None else None
        session.flush()
    return changed
