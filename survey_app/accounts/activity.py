"""Who did what lately: the audit trail read for the administrators.

Each event gives who acted, the action, when, and the campaign it concerns (found
from the object it names: a campaign, a response, an answer, a questionnaire). The
values an event keeps are *not* given back, except a few known to hold no health data
(a role, an account's state, a campaign's status, a member's address): an answer's
old and new text never leaves the audit table through this page.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from ..models import AuditEvent, Campaign, QuestionnaireVersion, Response, User

PER_PAGE = 50
#: The town's clock, for the pages (the database keeps UTC).
LOCAL_ZONE = ZoneInfo("Europe/Paris")

#: Entity types whose id is the campaign's own.
_CAMPAIGN_ENTITIES = {"campaign", "priorities"}
#: Actions whose values may be shown, and which side of them.
_SHOWN_VALUES = {
    "user.role": ("old", "new"),
    "user.active": ("old", "new"),
    "campaign.status": ("old", "new"),
    "campaign.member_add": ("new",),
    "campaign.member_remove": ("old",),
    "user.invite": ("new",),
}


def local_zone() -> ZoneInfo:
    """The town's clock: ``CLS_TIMEZONE`` of the running app (Europe/Paris by default)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return LOCAL_ZONE


def local_time(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` (UTC, aware or naive as SQLite gives it back) on the town's clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(local_zone())


@dataclass(frozen=True)
class ActivityRow:
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    entity_type: str
    entity_id: str
    #: The account an event about an account names (its display name), else ``None``.
    subject: str | None
    campaign_slug: str | None
    campaign_name: str | None
    #: ``(old, new)`` for the actions of ``_SHOWN_VALUES`` (a side not shown is ``None``), else ``None``.
    values: tuple | None


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    page: int
    pages: int
    total: int


def _shown(event: AuditEvent) -> tuple | None:
    sides = _SHOWN_VALUES.get(event.action)
    if sides is None:
        return None

    def plain(value):
        if isinstance(value, dict):  # {"user": email} or {"email":…, "role":…}
            return value.get("user") or value.get("role")
        return value

    return (plain(event.old_value) if "old" in sides else None, plain(event.new_value) if "new" in sides else None)


def _campaign_ids(session: Session, events: list[AuditEvent]) -> dict[int, int]:
    """Return, for each event's id, the id of the campaign it concerns (one query per kind of object)."""
    found: dict[int, int] = {}
    responses: dict[int, list[int]] = {}
    versions: dict[int, list[int]] = {}
    for event in events:
        key = event.entity_id.split(":", 1)[0]
        if not key.isdigit():
            continue
        if event.entity_type in _CAMPAIGN_ENTITIES:
            found[event.id] = int(key)
        elif event.entity_type in ("response", "answer"):
            responses.setdefault(int(key), []).append(event.id)
        elif event.entity_type == "questionnaire_version":
            versions.setdefault(int(key), []).append(event.id)
    for model, wanted in ((Response, responses), (QuestionnaireVersion, versions)):
        if wanted:
            for object_id, campaign_id in session.execute(
                select(model.id, model.campaign_id).where(model.id.in_(list(wanted)))
            ):
                for event_id in wanted[object_id]:
                    found[event_id] = campaign_id
    return found


def recent_activity(session: Session, *, actor_id: int | None = None, page: int = 1,
                    per_page: int = PER_PAGE) -> ActivityPage:
    """Return one page of the latest events, newest first (of one staff member's actions with ``actor_id``)."""
    condition = AuditEvent.actor_id == actor_id if actor_id is not None else true()
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    events = list(session.scalars(
        select(AuditEvent).where(condition).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ))
    campaign_of = _campaign_ids(session, events)
    people = {event.actor_id for event in events if event.actor_id is not None}
    people |= {int(e.entity_id) for e in events if e.entity_type == "user" and e.entity_id.isdigit()}
    names = {row.id: row.display_name for row in session.execute(select(User.id, User.display_name).where(User.id.in_(people)))} if people else {}
    campaigns = {
        row.id: (row.slug, row.name)
        for row in session.execute(select(Campaign.id, Campaign.slug, Campaign.name)
                                   .where(Campaign.id.in_(set(campaign_of.values()))))
    } if campaign_of else {}
    rows = []
    for event in events:
        slug, name = campaigns.get(campaign_of.get(event.id), (None, None))
        subject = names.get(int(event.entity_id)) if event.entity_type == "user" and event.entity_id.isdigit() else None
        rows.append(ActivityRow(
            id=event.id, at=local_time(event.at), actor_id=event.actor_id, actor_name=names.get(event.actor_id),
            action=event.action, entity_type=event.entity_type, entity_id=event.entity_id, subject=subject,
            campaign_slug=slug, campaign_name=name, values=_shown(event),
        ))
    return ActivityPage(rows, page, pages, total)
