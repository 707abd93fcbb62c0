"""Loaded questionnaire definitions, one row per version."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class QuestionnaireVersion(db.Model):
    """One version of a questionnaire used by a campaign.

    Responses point at the version they answered, so a later change of the file never
    changes what an earlier response meant.
    """

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key", "version"),
        Index("ix_questionnaire_version_current", "campaign_id", "key", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: The questionnaire's ``id`` in its file (``resident``, ``professional``...).
    key: Mapped[str] = mapped_column(String(60))
    #: 1, 2, 3... per campaign and key.
    version: Mapped[int]
    #: SHA-256 of the canonical JSON of the definition.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The validated definition as canonical JSON.
    definition: Mapped[dict] = mapped_column(JSONType)
    #: File the version was loaded from.
    source_name: Mapped[str] = mapped_column(String(255), default="")
    #: The version new responses use.
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    campaign: Mapped["Campaign"] = relationship()

    @property
    def title(self) -> str:
        title = self.definition.get("title") or {}
        return title.get("fr") or self.key


from .campaign import Campaign  # noqa: E402
