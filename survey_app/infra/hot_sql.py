"""Statements of the residents' pages, run on the database driver's cursor.

A resident's page runs the same few statements thousands of times a day; SQLAlchemy's
per-execution work (cache key, result metadata, type processing of every row) costs
more than the statements themselves. A :class:`HotStatement` is a Core statement that
SQLAlchemy compiles once per database dialect; it then runs on the cursor of the
session's own connection, inside the session's transaction (commit and rollback go
through the session as usual). Parameters must be plain values (no type processing
is applied) and rows come back as the driver returns them, as named tuples read by
column name (``row.question_id``): see :func:`as_date` and :func:`as_json` for the two
types the drivers return differently. Only :mod:`survey_app.survey.store` uses it.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
from typing import Any, Mapping

from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


class HotStatement:
    """A Core statement compiled once per dialect, executed on the DBAPI cursor."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        #: SQL text and parameter order per dialect name: the statement never changes.
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self._row_type: type | None = None

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
        parameters = tuple(params[name] for name in order) if order is not None else params
        listeners = connection.dispatch.before_cursor_execute
        if listeners:  # statements stay visible to SQLAlchemy's listeners (logging, counting)
            for listener in listeners:
                listener(connection, cursor, sql, parameters, None, False)
        try:
            cursor.execute(sql, parameters)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def rows(self, session: Session, params: Mapping[str, Any]) -> list:
        """Run the statement and return every row, as named tuples (``row.column``)."""
        cursor = self.send(session, params)
        try:
            make = self._row_type
            if make is None:
                names = [d[0] for d in cursor.description]
                make = self._row_type = collections.namedtuple("Row", names)._make
            return [make(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def many(self, session: Session, rows: list[Mapping[str, Any]]) -> None:
        """Run the statement once per parameter set (``executemany``)."""
        connection = session.connection()
        sql, order = self._compile(connection.dialect)
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, [tuple(p[name] for name in order) if order is not None else p for p in rows])
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
