"""Statements of the residents' pages, run on the database driver's cursor.

A resident's page runs the same few statements thousands of times a day; SQLAlchemy's
per-execution work (cache key, result metadata, type processing of every row) costs
more than the statements themselves. A :class:`HotStatement` is a Core statement that
SQLAlchemy compiles once per database dialect; it then runs on the cursor of the
session's own connection, inside the session's transaction (commit and rollback go
through the session as usual). Parameters must be plain values (no type processing
is applied) and rows come back as the driver returns them: see :func:`as_date` and
:func:`as_json` for the two types the drivers return differently.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping

from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


class HotStatement:
    """A Core statement compiled once per dialect, executed on the DBAPI cursor."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def _compile(self, dialect) -> tuple[str, tuple[str, ...] | None]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = self._compiled[dialect.name] = (compiled.string, order)
        return found

    def send(self, session: Session, params: Mapping[str, Any]):
        """Run the statement and return its open cursor, whose rows the caller reads and
        then closes (an ``INSERT ... RETURNING``)."""
        connection = session.connection()
        sql, order = self._compile(connection.dialect)
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, tuple(params[name] for name in order) if order is not None else params)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple]:
        """Run the statement and return every row (tuples, in the order of the columns)."""
        cursor = self.send(session, params)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def run(self, session: Session, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; return the number of rows it changed."""
        cursor = self.send(session, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()


def as_date(value: Any) -> dt.date | None:
    """A date column: PostgreSQL's driver returns dates, SQLite stores ISO text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def json_text(value: Any) -> str | None:
    """A value for a JSON column, as the text both databases accept."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def as_json(value: Any) -> Any:
    """A JSON column: PostgreSQL's driver returns it decoded, SQLite stores the text."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
