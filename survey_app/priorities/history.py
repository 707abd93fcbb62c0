"""The history of a campaign's priorities: every change is an audit event
(``entity_type="priorities"``, ``entity_id`` the campaign's id), shown with its field
and values in French.

This module imports :mod:`analysis`: import it (or :mod:`.services`) inside the
functions that use it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.priorities import PEARL_ITEMS, VARIANTS, format_number_fr

from ..models import AuditEvent, Campaign, User

__all__ = ["AUDIT_ENTITY", "GRID_PREFIX", "STATUS_LABELS", "FIELD_LABELS", "VARIANT_LABELS",
           "HistoryEntry", "history"]

#: Audit trail of the priorities: ``entity_type`` of every event, the campaign's id as ``entity_id``.
AUDIT_ENTITY = "priorities"
#: Field prefix of the grid's events (``grille.variant``...).
GRID_PREFIX = "grille"
STATUS_LABELS = {"proposed": "à examiner", "kept": "retenue par le comité", "set_aside": "écartée par le comité"}
FIELD_LABELS = {
    "label": "libellé", "status": "décision du comité", "seriousness": "gravité (B)",
    "effectiveness": "efficacité (C)", "note": "note", "merged_into": "regroupement",
    "variant": "variante de la grille", "inequity_weight": "poids des inégalités (I)",
    "demand_weight": "poids de la demande exprimée (D)",
    **{f"pearl.{item}": f"PEARL : {text.split(' (')[0].lower()}" for item, text in PEARL_ITEMS.items()},
}
VARIANT_LABELS = {key: text for key, (_factor, text) in VARIANTS.items()}


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    field: str
    old: str
    new: str


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return STATUS_LABELS.get(value, str(value))
    if name.startswith("pearl."):
        return "oui" if value is True else "non" if value is False else "—"
    if name == "variant":
        return VARIANT_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float)):
        return format_number_fr(float(value), 2)
    return str(value)


def history(session: Session, campaign: Campaign, *, labels: Mapping[str, str] | None = None,
            limit: int = 500) -> list[HistoryEntry]:
    """Every change to the campaign's priorities, the latest first: who, when, what, from, to."""
    labels = dict(labels or {})
    rows = session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.entity_type == AUDIT_ENTITY, AuditEvent.entity_id == str(campaign.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    out = []
    for event, name in rows:
        subject, _, attribute = (event.field or "").partition(":")
        what = "grille de notation" if subject == GRID_PREFIX else labels.get(subject, subject)
        old, new = event.old_value, event.new_value
        if attribute == "merged_into":
            old = labels.get(old, old) if old else old
            new = labels.get(new, new) if new else new
        out.append(HistoryEntry(event.at, name or "compte supprimé", what,
                                FIELD_LABELS.get(attribute, attribute),
                                _shown(attribute, old), _shown(attribute, new)))
    return out
