"""Write the audit trail."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id,
    *,
    field: str | None = None,
    old=None,
    new=None,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed with the change it describes)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        field=field,
        old_value=old,
        new_value=new,
    )
    session.add(event)
    return event
