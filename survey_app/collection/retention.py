"""Retention: old web drafts are deleted; after a campaign's retention date its raw
responses may be deleted, while the aggregates (kept in :class:`RetentionPurge`) and the
report remain. Both are audited.

Paper drafts (a form saved as incomplete) are kept: they stand for a questionnaire an
agent holds and will finish keying; only the web drafts a resident abandoned go.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..domain import ServiceError
from ..models import Campaign, Channel, Response, ResponseStatus, RetentionPurge, User, WeightingRun
from . import dashboard


def purge_drafts(session: Session, days: int, *, today: dt.date, actor: User | None = None,
                 campaign: Campaign | None = None) -> dict[str, int]:
    """Delete web drafts started more than ``days`` days before ``today``; return the count per campaign slug."""
    if days < 1:
        raise ServiceError("La durée de conservation des brouillons doit être d'au moins un jour.")
    limit = today - dt.timedelta(days=days)
    query = (select(Response.campaign_id, func.count()).where(
        Response.status == ResponseStatus.DRAFT, Response.channel == Channel.WEB, Response.created_on < limit)
        .group_by(Response.campaign_id))
    if campaign is not None:
        query = query.where(Response.campaign_id == campaign.id)
    counts = dict(session.execute(query).all())
    done: dict[str, int] = {}
    for campaign_id, count in counts.items():
        session.execute(delete(Response).where(
            Response.campaign_id == campaign_id, Response.status == ResponseStatus.DRAFT,
            Response.channel == Channel.WEB, Response.created_on < limit).execution_options(synchronize_session=False))
        session.add(RetentionPurge(campaign_id=campaign_id, actor_id=actor.id if actor else None, kind="drafts",
                                   count=count, summary={"before": limit.isoformat(), "days": days}))
        audit.record(session, actor, "retention.drafts", "campaign", campaign_id,
                     old={"drafts": count}, new={"drafts": 0, "before": limit.isoformat()})
        slug = session.scalar(select(Campaign.slug).where(Campaign.id == campaign_id))
        done[slug] = count
    session.flush()
    return done


def purge_responses(session: Session, campaign: Campaign, *, today: dt.date, actor: User | None = None) -> int:
    """Delete every raw response of ``campaign`` once its retention date has passed; keep the aggregates."""
    if campaign.retention_until is None:
        raise ServiceError("La campagne n'a pas de date de fin de conservation : indiquez-la dans ses réglages.")
    if today <= campaign.retention_until:
        raise ServiceError(f"Les réponses sont conservées jusqu'au {campaign.retention_until:%d/%m/%Y} : "
                           "elles ne peuvent pas encore être supprimées.")
    count = session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)) or 0
    if not count:
        raise ServiceError("La campagne n'a plus de réponse à supprimer.")
    summary = dashboard.summary(session, campaign)
    session.execute(delete(Response).where(Response.campaign_id == campaign.id)
                    .execution_options(synchronize_session=False))
    # The weights name the responses they weighted: they go with them (the runs' diagnostics stay).
    session.execute(update(WeightingRun).where(WeightingRun.campaign_id == campaign.id)
                    .values(weight_response_ids=None, weight_values=None).execution_options(synchronize_session=False))
    session.add(RetentionPurge(campaign_id=campaign.id, actor_id=actor.id if actor else None, kind="responses",
                               count=count, summary=summary))
    audit.record(session, actor, "retention.responses", "campaign", campaign.id,
                 old={"responses": count}, new={"responses": 0, "retention_until": campaign.retention_until.isoformat()})
    session.flush()
    session.expire_all()
    return count


def purges(session: Session, campaign: Campaign) -> list[RetentionPurge]:
    return list(session.scalars(select(RetentionPurge).where(RetentionPurge.campaign_id == campaign.id)
                                .order_by(RetentionPurge.id.desc())))


def kept_summary(session: Session, campaign: Campaign) -> dict | None:
    """The aggregates kept when the raw responses were deleted (``None``: never deleted)."""
    found = session.scalar(select(RetentionPurge).where(RetentionPurge.campaign_id == campaign.id,
                                                        RetentionPurge.kind == "responses")
                           .order_by(RetentionPurge.id.desc()).limit(1))
    return None if found is None else {"at": found.at, "count": found.count, **found.summary}
