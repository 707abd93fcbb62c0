"""What retention leaves of a campaign's raw responses once they are deleted."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class RetentionPurge(db.Model):
    """One purge: old web drafts, or a campaign's raw responses after its retention date.

    ``summary`` keeps the aggregates the dashboard showed (counts by status, channel,
    district and day) so that they remain once the responses are gone.
    """

    __tablename__ = "retention_purge"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: ``drafts`` or ``responses``.
    kind: Mapped[str] = mapped_column(String(20))
    #: Number of responses deleted.
    count: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)
