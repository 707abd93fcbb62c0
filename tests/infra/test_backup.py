"""``flask db backup`` / ``flask db restore``: a round trip that compares every row of every table."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.conftest import PROJECT_ROOT

# the backup reads the database file or runs pg_dump, the restore replaces the database
pytestmark = pytest.mark.usefixtures("committed_db")


def snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = [tuple(row) for row in session.execute(select(table)).all()]
        tables[table.name] = sorted(rows, key=repr)
    return tables


@pytest.fixture()
def filled(db_session):
    from survey_app.campaigns import demo

    demo.setup_demo(db_session, responses=40, seed=7, questionnaires_dir=PROJECT_ROOT / "questionnaires")
    db_session.commit()
    return db_session


def test_round_trip_restores_every_row_of_every_table(filled, runner, tmp_path, app):
    session = filled
    before = snapshot(session)
    assert sum(len(rows) for rows in before.values()) > 500
    assert len(before["response"]) >= 40
    out = tmp_path / "sauvegarde.bak"
    session.close()

    result = runner.invoke(args=["db", "backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Sauvegarde" in result.output and out.stat().st_size > 0

    # change and delete rows after the backup
    first = session.scalars(select(Response).order_by(Response.id)).first()
    session.execute(update(Response).where(Response.id == first.id).values(exclusion_reason="modifié après la sauvegarde", created_on=dt.date(2001, 1, 1)))
    session.execute(delete(Answer).where(Answer.response_id != first.id))
    session.execute(delete(Response).where(Response.id != first.id))
    session.commit()
    changed = snapshot(session)
    assert changed != before
    session.close()

    result = runner.invoke(args=["db", "restore", str(out)], input="oui\n")
    assert result.exit_code == 0, result.output
    assert "restaurée" in result.output

    db.session.remove()
    after = snapshot(db.session)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    # the database is still usable: write and read
    db.session.execute(delete(Answer))
    db.session.commit()


def test_restore_asks_for_confirmation_and_changes_nothing_without_it(filled, runner, tmp_path):
    out = tmp_path / "s.bak"
    filled.close()
    assert runner.invoke(args=["db", "backup", "--out", str(out)]).exit_code == 0
    filled.execute(delete(Answer))
    filled.commit()
    result = runner.invoke(args=["db", "restore", str(out)], input="n\n")
    assert result.exit_code == 1
    assert "annulée" in result.output and "Traceback" not in result.output
    assert filled.scalar(select(Answer.id)) is None
    result = runner.invoke(args=["db", "restore", "--yes", str(out)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(select(Answer.id)) is not None


def test_clear_messages_on_bad_files(runner, tmp_path, app):
    kind = "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"
    cases = {}
    cases["introuvable"] = tmp_path / "absent.bak"
    text = tmp_path / "texte.bak"
    text.write_text("bonjour\n")
    cases["n'est pas une sauvegarde"] = text
    other = tmp_path / "autre.bak"
    if kind == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        cases["sauvegarde PostgreSQL, mais la base configurée est SQLite"] = other
        import sqlite3

        foreign = tmp_path / "etrangere.sqlite3"
        sqlite3.connect(foreign).execute("create table t (x)").connection.commit()
        cases["pas une sauvegarde de ce service"] = foreign
    else:
        other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        cases["sauvegarde SQLite, mais la base configurée est PostgreSQL"] = other
    for message, path in cases.items():
        result = runner.invoke(args=["db", "restore", "--yes", str(path)])
        assert result.exit_code == 1, (message, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    result = runner.invoke(args=["db", "backup", "--out", str(tmp_path / "nulle-part" / "x.bak")])
    assert result.exit_code == 1 and "n'existe pas" in result.output
    result = runner.invoke(args=["db", "backup", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "est un dossier" in result.output


def test_missing_postgresql_client_is_said_in_french(runner, tmp_path, app, monkeypatch):
    from survey_app.infra import backup

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    result = runner.invoke(args=["db", "backup", "--out", str(tmp_path / "x.bak")])
    assert result.exit_code == 1
    assert "Programme « pg_dump » introuvable" in result.output and "postgresql-client" in result.output
