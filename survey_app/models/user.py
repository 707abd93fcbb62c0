"""Staff accounts: municipal agents, CLS coordinators, administrators."""
from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import Timestamp, enum_column, utcnow


class Role(str, enum.Enum):
    """What a staff member may do; each role includes the ones before it."""

    AGENT = "agent"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the login identifier.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    #: A werkzeug scrypt hash, never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)

    memberships: Mapped[list["CampaignMember"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, role: Role) -> bool:
        """Tell whether this account's role is ``role`` or above."""
        return self.role.rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class CampaignMember(db.Model):
    """Which staff work on which campaign (administrators see every campaign)."""

    __tablename__ = "campaign_member"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    campaign: Mapped["Campaign"] = relationship(back_populates="members")


from .campaign import Campaign  # noqa: E402  (relationship target)
