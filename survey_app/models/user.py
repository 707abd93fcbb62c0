"""Staff accounts: municipal agents, CLS coordinators, administrators."""
from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy import false as sa_false
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
    #: Raised to end every session of the account (logout, new password, deactivation):
    #: a session remembers the generation it was opened in, and an older one is refused.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Invited and not yet accepted: no password of its owner yet, cannot log in.
    invitation_pending: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    memberships: Mapped[list["CampaignMember"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """Return what the session keeps: the account and the generation of its sessions."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Make every session opened so far for this account invalid."""
        self.session_generation = (self.session_generation or 0) + 1

    def has_role(self, role: Role) -> bool:
        """Tell whether this account's role is ``role`` or above."""
        return self.role.rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class LoginThrottle(db.Model):
    """Failed logins for one e-mail address, known or not, shared by every worker.

    Keyed by a keyed hash of the normalised address, so that unknown addresses are
    counted (and locked) exactly like real accounts without storing them.
    """

    __tablename__ = "login_throttle"

    #: HMAC-SHA256 (hex) of the lower-cased address with the application's secret key.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Failures since ``window_started_at``.
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    #: Logins with this address are refused until then.
    locked_until: Mapped[dt.datetime | None] = mapped_column(Timestamp)


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
