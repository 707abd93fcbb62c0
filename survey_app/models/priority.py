"""The coordinator's decisions on a campaign's candidate priorities, and the scoring grid.

Candidates themselves are not stored: they are rebuilt from the data
(:mod:`survey_app.priorities.evidence`). What is stored is what people decided about
them, keyed by the candidate's key (an indicator's name). Every change is also an audit
event (``entity_type="priorities"``, ``entity_id`` the campaign's id), which is the
history shown on the workspace page.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow

#: What the comité decided for a candidate.
PRIORITY_STATUSES = ("proposed", "kept", "set_aside")


class PriorityDecision(db.Model):
    """What the coordinator decided about one candidate priority of a campaign."""

    __tablename__ = "priority_decision"
    __table_args__ = (UniqueConstraint("campaign_id", "candidate_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: Key of the candidate as built from the data (the name of its lead indicator).
    candidate_key: Mapped[str] = mapped_column(String(100))
    #: The coordinator's wording of the candidate; empty keeps the one from the data.
    label: Mapped[str | None] = mapped_column(String(200))
    #: Key of the candidate this one was merged into (its evidence goes there).
    merged_into: Mapped[str | None] = mapped_column(String(100))
    #: ``proposed`` (to examine), ``kept`` (by the comité) or ``set_aside``.
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    #: B (seriousness) and C (effectiveness), 0 to 10; empty: proposed from the data / default.
    seriousness: Mapped[float | None] = mapped_column(Float)
    effectiveness: Mapped[float | None] = mapped_column(Float)
    #: PEARL answers: ``{"propriety": true, "legality": false, ...}``; absent: not assessed.
    pearl: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: Why (printed beside the values).
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class PriorityGrid(db.Model):
    """The scoring grid of a campaign: its variant and the weights of I and D."""

    __tablename__ = "priority_grid"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    #: ``basic`` ((A + B …) × C / 3) or ``double_b`` ((A + 2B …) × C / 3).
    variant: Mapped[str] = mapped_column(String(20), default="basic")
    inequity_weight: Mapped[float] = mapped_column(Float, default=1.0)
    demand_weight: Mapped[float] = mapped_column(Float, default=1.0)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
