"""Column helpers shared by the models."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, Enum
from sqlalchemy.dialects import postgresql


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.timezone.utc)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum as its string value with a CHECK constraint, the same on both databases."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")

#: Always timezone-aware timestamps.
Timestamp = DateTime(timezone=True)
