"""Files of a campaign's diagnostic report, kept in the database.

The report is built by a background job that may run on another machine than the web
server: its outputs (HTML, PDF, slides) are stored with the campaign rather than on
one machine's disk.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import Timestamp, utcnow


class ReportFile(db.Model):
    __tablename__ = "report_file"
    __table_args__ = (Index("ix_report_file_lookup", "campaign_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: The job that built it (kept when the job row is purged).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    #: ``html`` (download), ``page`` (workspace view), ``pdf`` or ``pptx``.
    kind: Mapped[str] = mapped_column(String(10))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
