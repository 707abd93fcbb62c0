"""Survey weights computed for a campaign, one run at a time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class WeightingRun(db.Model):
    """One computation of the weights (raking or post-stratification) and its diagnostics."""

    __tablename__ = "weighting_run"
    __table_args__ = (Index("ix_weighting_run_current", "campaign_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: ``rake``, ``poststratify``...
    method: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    converged: Mapped[bool] = mapped_column(default=True)
    iterations: Mapped[int] = mapped_column(default=0)
    #: Settings and diagnostics (design effect, effective size, distribution, collapsing).
    diagnostics: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: The run analyses use.
    is_current: Mapped[bool] = mapped_column(default=True)

    weights: Mapped[list["ResponseWeight"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class ResponseWeight(db.Model):
    __tablename__ = "response_weight"

    run_id: Mapped[int] = mapped_column(ForeignKey("weighting_run.id", ondelete="CASCADE"), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True, index=True)
    weight: Mapped[float]
