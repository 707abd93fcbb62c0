"""A database lost under a resident's page: a French 503 page, never a 500 or a trace; the
next page works again without restarting anything (found by bench/bench_faults.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from survey_app.campaigns import questionnaires
from survey_app.survey import answering

MINI = Path(__file__).resolve().parents[1] / "data" / "survey_mini.yaml"
BASE = "/enquete/ville-test/mini"


def _kill_the_app_connections(database_url: str) -> int:
    """What a PostgreSQL restart does to the pooled connections of the app."""
    killer = create_engine(database_url)
    with killer.connect() as other:
        killed = other.execute(text(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()")).scalar()
    killer.dispose()
    return killed


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.usefixtures("committed_db")  # the app's connections are killed under it
def test_a_lost_connection_under_a_page_gives_the_french_503_and_the_next_page_works(
        app, client, db_session, create_campaign, database_url):
    campaign = create_campaign()
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    assert client.post(f"{BASE}/commencer").status_code == 302
    page = client.get(f"{BASE}/page/un").get_data(as_text=True)
    version = re.search(r'name="version_id" value="(\d+)"', page).group(1)
    form = {"version_id": version, "section_id": "un", "action": "next", "fume": "non"}
    db_session.commit()
    assert _kill_the_app_connections(database_url) >= 1

    # the draft is read on the driver's cursor: the driver's own error, not SQLAlchemy's
    reply = client.post(f"{BASE}/page/un", data=form)
    body = reply.get_data(as_text=True)
    assert reply.status_code == 503, body[:500]
    assert "Réessayez dans quelques instants" in body and reply.headers["Retry-After"] == "5"
    for leak in ("Traceback", "psycopg", "OperationalError", "server closed"):
        assert leak not in body

    # nothing restarted: the same page is saved at the next try
    reply = client.post(f"{BASE}/page/un", data=form)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/page/trois"), reply.get_data(as_text=True)[:500]
    db_session.expire_all()
    from survey_app.models import Response

    response = db_session.query(Response).one()
    assert answering.stored_answers(db_session, response)["fume"] == "non"
