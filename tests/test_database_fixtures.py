"""The suite's two database fixtures (``tests/conftest.py``): ``db_session`` rolls back what
a test wrote, ``committed_db`` commits for real and empties the tables afterwards."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from survey_app.extensions import db
from survey_app.infra.raw_rows import raw_rows
from survey_app.models import User
from tests.conftest import TEST_PASSWORD, emptied_afterwards, rolled_back


def _add_user(session, email: str) -> None:
    from survey_app.accounts import services as users

    users.create_user(session, email, TEST_PASSWORD, "agent", display_name="Essai")


def _count(connection_or_session, email: str) -> int:
    return connection_or_session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_what_a_test_commits_is_seen_on_its_connection_only_and_rolled_back_afterwards(app):
    with rolled_back(app) as session:
        _add_user(session, "annulee@ville.test")
        session.commit()  # the application's commits release a savepoint
        assert _count(session, "annulee@ville.test") == 1
        # the raw driver cursor of the survey path runs on the same connection
        assert raw_rows(session, select(User.email).where(User.email == "annulee@ville.test")) == [
            ("annulee@ville.test",)]
        test_connection = session.connection()
        driver = test_connection.connection.driver_connection
        with test_connection.engine.connect() as other:  # another connection sees nothing yet
            assert _count(other, "annulee@ville.test") == 0
    with app.app_context():
        assert isinstance(db.engines[None], Engine)  # the engine lookup is given back
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert driver.isolation_level == ""  # pysqlite's own transaction handling is given back
    with app.app_context():
        assert _count(db.session, "annulee@ville.test") == 0
        db.session.remove()


def test_a_rollback_in_the_test_undoes_only_what_followed_the_last_commit(app):
    with rolled_back(app) as session:
        _add_user(session, "gardee@ville.test")
        session.commit()
        _add_user(session, "oubliee@ville.test")
        session.flush()
        session.rollback()
        assert _count(session, "gardee@ville.test") == 1
        assert _count(session, "oubliee@ville.test") == 0


def test_a_request_sees_the_rows_of_the_test_and_the_test_sees_what_it_commits(app):
    with rolled_back(app) as session:
        _add_user(session, "requete@ville.test")
        session.commit()
        client = app.test_client()
        response = client.post("/connexion", data={"email": "requete@ville.test", "password": TEST_PASSWORD})
        assert response.status_code == 302  # the request's session read the test's row
        session.expire_all()
        assert session.scalar(select(User.last_login_at).where(User.email == "requete@ville.test")) is not None


def test_a_page_asking_for_autocommit_reads_inside_the_test_transaction(app):
    from survey_app.survey import store

    with rolled_back(app) as session:
        _add_user(session, "lecture@ville.test")
        session.commit()
        store.read_only(session)  # PostgreSQL: asks for autocommit, kept in the transaction here
        assert _count(session, "lecture@ville.test") == 1


def test_committed_rows_are_seen_by_other_connections_and_emptied_afterwards(app):
    with emptied_afterwards(app) as session:
        _add_user(session, "validee@ville.test")
        session.commit()
        with db.engine.connect() as other:
            assert _count(other, "validee@ville.test") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.remove()
