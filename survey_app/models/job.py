"""Background jobs: long work (weighting, tables, themes, report) run by a queue consumer.

The row is the truth every web worker and consumer reads: its state, its progress, its
result. The queue (huey) only carries the job's id.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import JSONType, Timestamp, enum_column, utcnow


class JobState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


#: The states of a job that is not finished: one such job per campaign and kind.
ACTIVE_STATES = (JobState.QUEUED.value, JobState.RUNNING.value)
_ACTIVE = text("state IN ('queued', 'running')")


class Job(db.Model):
    """One run of a job kind on a campaign."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_campaign_kind", "campaign_id", "kind", "created_at"),
        # one unfinished job per campaign and kind, even when two pages start it at once
        Index(
            "uq_job_active", "campaign_id", "kind", unique=True,
            sqlite_where=_ACTIVE, postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: Registered name of the task function (``weights``, ``indicators``...).
    kind: Mapped[str] = mapped_column(String(60))
    #: Module defining the kind's function, imported by a consumer that meets it first.
    module: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state"), default=JobState.QUEUED)
    #: Fraction done, 0 to 1.
    progress: Mapped[float] = mapped_column(default=0.0)
    #: What the job is doing now, in French.
    message: Mapped[str] = mapped_column(Text, default="")
    #: Keyword arguments of the task function (JSON).
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: What the task function returned (JSON).
    result: Mapped[dict | None] = mapped_column(JSONType)
    #: Why it failed, in French, for the coordinator (details only in the log).
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    #: Last sign of life of the consumer running it; a running job silent for too long was interrupted.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    #: How many times a consumer started it.
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state.value if self.state else None}>"
