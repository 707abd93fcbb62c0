"""The audit trail: who changed what, when, from which value to which."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    #: Staff member who acted; empty for the system or a resident.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    #: What happened, as a dotted verb: ``user.create``, ``answer.update``...
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60))
    #: Field changed, when one is.
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[object | None] = mapped_column(JSONType)
    new_value: Mapped[object | None] = mapped_column(JSONType)

    actor: Mapped["User | None"] = relationship()


from .user import User  # noqa: E402
