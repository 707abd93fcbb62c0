"""Campaigns: creation, districts, who sees which."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Campaign, CampaignMember, CampaignStatus, District, Response, ResponseStatus, Role, User
from ..domain import ServiceError
from .. import audit

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def get_by_slug(session: Session, slug: str) -> Campaign:
    """Return the campaign ``slug`` or raise a clear error."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise ServiceError(f"Campagne inconnue : « {slug} ».")
    return campaign


def create_campaign(
    session: Session,
    slug: str,
    name: str,
    *,
    organisation: str = "",
    districts: list[dict] | None = None,
    status: CampaignStatus = CampaignStatus.DRAFT,
    actor: User | None = None,
    **fields,
) -> Campaign:
    """Create a campaign with its districts (dicts of code, name, qpv, target)."""
    if not SLUG_RE.match(slug):
        raise ServiceError(
            f"Identifiant de campagne invalide : « {slug} » (minuscules, chiffres et tirets, 3 à 60 caractères)."
        )
    if session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        raise ServiceError(f"La campagne « {slug} » existe déjà.")
    campaign = Campaign(slug=slug, name=name, organisation=organisation, status=status, **fields)
    codes = set()
    for position, spec in enumerate(districts or []):
        code = str(spec["code"]).strip()
        if code in codes:
            raise ServiceError(f"Code de quartier en double : « {code} ».")
        codes.add(code)
        campaign.districts.append(
            District(
                code=code,
                name=spec.get("name", code),
                qpv=bool(spec.get("qpv", False)),
                target=spec.get("target"),
                position=position,
            )
        )
    session.add(campaign)
    session.flush()
    audit.record(session, actor, "campaign.create", "campaign", campaign.id, new={"slug": slug})
    return campaign


def add_member(session: Session, campaign: Campaign, user: User, *, actor: User | None = None) -> None:
    """Give ``user`` access to ``campaign`` (no-op when already a member)."""
    if any(m.user_id == user.id for m in campaign.members):
        return
    campaign.members.append(CampaignMember(user=user))
    audit.record(session, actor, "campaign.member_add", "campaign", campaign.id, new={"user": user.email})


def visible_campaigns(session: Session, user: User) -> list[Campaign]:
    """Return the campaigns ``user`` works on (administrators: all)."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if not user.has_role(Role.ADMIN):
        query = query.join(CampaignMember).where(CampaignMember.user_id == user.id)
    return list(session.scalars(query))


def campaign_for_user(session: Session, user: User, slug: str) -> Campaign | None:
    """Return the campaign if ``user`` may see it, else ``None``."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        return None
    if user.has_role(Role.ADMIN) or any(m.user_id == user.id for m in campaign.members):
        return campaign
    return None


def response_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    """Return the number of responses per status."""
    return response_counts_of(session, [campaign])[campaign.id]


def response_counts_of(session: Session, campaigns) -> dict[int, dict[str, int]]:
    """Return, for each campaign's id, its number of responses per status (one query)."""
    ids = [campaign.id for campaign in campaigns]
    counts = {id_: {status.value: 0 for status in ResponseStatus} for id_ in ids}
    if ids:
        rows = session.execute(
            select(Response.campaign_id, Response.status, func.count())
            .where(Response.campaign_id.in_(ids))
            .group_by(Response.campaign_id, Response.status)
        )
        for campaign_id, status, count in rows:
            counts[campaign_id][status.value] = count
    return counts


def set_status(session: Session, campaign: Campaign, status: CampaignStatus, *, actor: User | None = None) -> None:
    """Change the campaign's status (draft, open, closed, archived), audited."""
    if campaign.status is not status:
        audit.record(session, actor, "campaign.status", "campaign", campaign.id, field="status", old=campaign.status.value, new=status.value)
        campaign.status = status
