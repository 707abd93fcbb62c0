"""Single-use links that let a staff member set their password: invitations and resets."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import Timestamp, enum_column, utcnow


class LinkPurpose(str, enum.Enum):
    """Why the link was made: a first password (invitation) or a new one (reset)."""

    INVITATION = "invitation"
    RESET = "reset"


class AccountLink(db.Model):
    """A link given once to its owner; only the SHA-256 of its secret is stored."""

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "account_link_purpose"))
    #: Hex SHA-256 of the secret in the link, never the secret itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    #: The administrator who made the link.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: When the password was set with it (a link serves once).
    used_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    #: When it was replaced by a newer link or cancelled (deactivation).
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])


from .user import User  # noqa: E402  (relationship target)
