"""Large reads on the database driver's cursor: every answer of a campaign for the
analysis table (:mod:`survey_app.findings.frame`) and the exports
(:mod:`survey_app.exports.table`).

Rows come back as the driver returns them, without SQLAlchemy's per-row type processing
(on 100,000 responses that processing is most of the time of a read). The statement runs
on the session's own connection, inside its transaction. Its parameters are rendered in
the SQL as literals: only for our own statements holding integers and status names,
never for a value typed by someone.
"""
from __future__ import annotations

from typing import Iterator

from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


def _cursor(session: Session, statement: ClauseElement):
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    return cursor, sql


def raw_batches(session: Session, statement: ClauseElement, size: int = 20_000) -> Iterator[list[tuple]]:
    """Batches of at most ``size`` rows of ``statement``, read as they are needed."""
    cursor, sql = _cursor(session, statement)
    try:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


def raw_rows(session: Session, statement: ClauseElement) -> list[tuple]:
    """Every row of ``statement`` at once."""
    cursor, sql = _cursor(session, statement)
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
