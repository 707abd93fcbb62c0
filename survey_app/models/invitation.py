"""Invitation codes mailed on paper: one response per code."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class InvitationCode(db.Model):
    __tablename__ = "invitation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code printed on the letter; the code itself is not kept.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Day the code started a response (day only, as for responses).
    used_on: Mapped[dt.date | None] = mapped_column(Date)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"), unique=True)
