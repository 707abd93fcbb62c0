"""Pooled PostgreSQL connections: checked before use only after being idle, renewed when dead."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from survey_app import ConfigError, create_app
from survey_app.extensions import db

from .conftest import make_test_app


def test_the_idle_delay_is_a_setting_with_a_clear_error(tmp_path):
    app = create_app(environ={"CLS_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "CLS_PING_AFTER_IDLE_SECONDS": "2.5"})
    assert app.config["CLS_PING_AFTER_IDLE_SECONDS"] == 2.5
    with pytest.raises(ConfigError, match="CLS_PING_AFTER_IDLE_SECONDS"):
        create_app(environ={"CLS_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "CLS_PING_AFTER_IDLE_SECONDS": "bientôt"})


# PostgreSQL only: SQLite has no server connection to lose
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_connection_killed_while_idle_is_replaced_before_use(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory, CLS_PING_AFTER_IDLE_SECONDS=0.0)
    with app.app_context():
        pids = set()
        with db.engine.connect() as connection:
            pids.add(connection.execute(text("select pg_backend_pid()")).scalar())
        # the server loses the pooled connection (restart, idle timeout, network)
        killer = create_engine(database_url)
        with killer.connect() as other:
            assert other.execute(text("select pg_terminate_backend(:pid)"), {"pid": next(iter(pids))}).scalar()
        killer.dispose()
        with db.engine.connect() as connection:  # checked, found dead, replaced: no error
            pid = connection.execute(text("select pg_backend_pid()")).scalar()
        assert pid not in pids
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("idle, pings", [(60.0, 0), (0.0, 1)])
def test_only_a_connection_idle_for_a_while_is_pinged(database_url, tmp_path_factory, monkeypatch, idle, pings):
    import psycopg

    app = make_test_app(database_url, tmp_path_factory, CLS_PING_AFTER_IDLE_SECONDS=idle)
    sent = []
    real_execute = psycopg.Cursor.execute

    def spy(cursor, query, *args, **kwargs):
        sent.append(str(query))
        return real_execute(cursor, query, *args, **kwargs)

    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("select 1 as warm"))
        monkeypatch.setattr(psycopg.Cursor, "execute", spy)
        with db.engine.connect() as connection:
            connection.execute(text("select 2 as used"))
        db.engine.dispose()
    assert sent.count("SELECT 1") == pings and sent[-1] == "select 2 as used"
