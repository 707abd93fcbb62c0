"""Coding of free-text answers: the campaign's codebook and every coding made."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class Codebook(db.Model):
    """The campaign's codebook (themes, seed terms), first copied from the default file."""

    __tablename__ = "codebook"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    #: The codebook as its YAML file would hold it.
    definition: Mapped[dict] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class AnswerCoding(db.Model):
    """One coding of one answer: its themes, by a person or by the machine.

    Rows are never updated: a correction is a new row, so the history stays.
    """

    __tablename__ = "answer_coding"
    __table_args__ = (Index("ix_answer_coding_lookup", "campaign_id", "question_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(100))
    #: ``human`` or ``auto``.
    source: Mapped[str] = mapped_column(String(10))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Theme keys of the codebook, main theme first; empty means "not coded".
    themes: Mapped[list] = mapped_column(JSONType)
    #: Confidence per theme (automatic codings).
    confidences: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
