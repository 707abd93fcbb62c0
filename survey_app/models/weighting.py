"""Survey weights computed for a campaign, one run at a time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

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

    #: The weights, one per weighted response: the response ids (little-endian 64-bit
    #: integers) and, in the same order, the weights (little-endian doubles), read and
    #: written whole by :mod:`survey_app.findings.weights`. A run's weights are one vector,
    #: computed at once and never edited; stored as rows, 100,000 of them cost 1.6 s of
    #: foreign-key checks and index updates on PostgreSQL for a table read whole every time.
    #: Deferred: listing runs does not load them. ``None``: erased with the responses.
    weight_response_ids: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    weight_values: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
