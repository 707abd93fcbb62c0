"""Fixtures shared by the whole suite.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL. PostgreSQL is
reached at ``CLS_TEST_POSTGRES_URL`` (default: the local server, user postgres); the run
creates its own database with a random name and drops it at the end. Without a server
the PostgreSQL runs are skipped and the summary says why, unless
``CLS_TEST_REQUIRE_POSTGRES=1`` (CI), which makes that a failure.
"""
from __future__ import annotations

import contextvars
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_TESTDATA = PROJECT_ROOT.parent / "shared" / "testdata"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEST_PASSWORD = "mot-de-passe-de-test"

_postgres_state: dict = {}


def postgres_admin_url() -> str:
    return os.environ.get("CLS_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def postgres_unavailable_reason() -> str | None:
    """Return why PostgreSQL cannot be used, or ``None`` when it can (checked once)."""
    if "reason" not in _postgres_state:
        try:
            engine = create_engine(postgres_admin_url(), connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            engine.dispose()
            _postgres_state["reason"] = None
        except Exception as error:  # any failure means: not usable here
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            _postgres_state["reason"] = f"PostgreSQL unreachable at {postgres_admin_url()}: {first_line}"
    return _postgres_state["reason"]


def pytest_sessionstart(session):
    if os.environ.get("CLS_TEST_REQUIRE_POSTGRES") == "1":
        reason = postgres_unavailable_reason()
        if reason:
            raise pytest.UsageError(f"CLS_TEST_REQUIRE_POSTGRES=1 but {reason}")


def pytest_collection_modifyitems(config, items):
    """With ``pytest -n 2 --dist loadgroup`` (``make test``), the SQLite half and the
    PostgreSQL half each stay on one worker, so each worker builds its database once;
    tests that use no database are shared out freely."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "database_url" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(callspec.params["database_url"]))


def pytest_sessionfinish(session):
    """On an xdist worker: hand what the summary needs to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.robustness.hostile import TRIED

        workeroutput["postgres_state"] = dict(_postgres_state)
        workeroutput["tried"] = dict(TRIED)


def pytest_testnodedown(node, error):
    """On the xdist controller: gather the workers' PostgreSQL state and input counts."""
    from tests.robustness.hostile import TRIED

    output = getattr(node, "workeroutput", {})
    state = output.get("postgres_state", {})
    if "reason" in state and not _postgres_state.get("reason"):
        _postgres_state["reason"] = state["reason"]
    TRIED.update(output.get("tried", {}))


def pytest_terminal_summary(terminalreporter):
    from tests.robustness.hostile import TRIED

    if TRIED:
        terminalreporter.write_line("Generated inputs tried (both databases together): "
                                    + ", ".join(f"{target} {count}" for target, count in sorted(TRIED.items())))
    reason = _postgres_state.get("reason")
    if reason:
        terminalreporter.write_line(f"PostgreSQL tests were SKIPPED — {reason}", yellow=True, bold=True)
    elif "reason" in _postgres_state:
        terminalreporter.write_line("PostgreSQL tests ran against a temporary database.", green=True)


@pytest.fixture(scope="session")
def shared_testdata():
    """The folder of files written by others; skipped visibly in a fresh clone."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_TESTDATA} (present in CI)")
    return SHARED_TESTDATA


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory):
    """A fresh, empty database of each kind for the session."""
    with empty_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@contextmanager
def empty_database(kind: str, folder: Path, prefix: str = "cls_test"):
    """The URL of a new empty database: a SQLite file in ``folder``, or a temporary PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.sqlite3'}"
        return
    with temporary_postgres_database(prefix) as url:
        yield url


@contextmanager
def temporary_postgres_database(prefix: str):
    """The URL of a new PostgreSQL database with a random name, dropped at the end (skips the test without a server)."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's application context.

    A test holds an application context for its database session; without this, Flask
    would reuse it for every request, and per-request state (the locale, the signed-in
    user) would leak from one request to the next as it never does in production.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url: str, tmp_path_factory, **overrides):
    """Build an application on ``database_url`` with test settings."""
    from survey_app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    application = create_app(config, environ={})
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, its database migrated with ``flask db upgrade``."""
    import flask_migrate

    application = make_test_app(database_url, tmp_path_factory)
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        from survey_app.extensions import db

        db.engine.dispose()


@pytest.fixture()
def committed_db(app):
    """The database session for a test whose rows must really be committed: read by another
    connection, thread or process (a job consumer, a live server, a second application, a
    concurrency test), or by a test that disposes or kills connections, or that needs the
    application's own transaction modes. A test (or a fixture) that asks for it, as an
    argument or with ``@pytest.mark.usefixtures("committed_db")``, gets it as ``db_session``.
    """
    with emptied_afterwards(app) as session:
        yield session


@pytest.fixture()
def db_session(request, app):
    """The database session inside an application context; what the test wrote is rolled
    back afterwards (:func:`rolled_back`), unless the test asked for ``committed_db``."""
    if "committed_db" in request.fixturenames:
        yield request.getfixturevalue("committed_db")
        return
    with rolled_back(app) as session:
        yield session


@contextmanager
def emptied_afterwards(app):
    """``db.session`` on the application's engine as in production; every table emptied at the end."""
    from survey_app.extensions import db, limiter
    from survey_app.survey import answering

    with app.app_context():
        yield db.session
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        answering.forget_surveys()  # the rows were deleted without the ORM
        db.session.remove()
    limiter.reset()


def _keep_isolation_level(connection, options):
    """The test's connection stays in the test's transaction: a page that asks for
    autocommit (``survey.store.read_only``) reads inside it instead."""
    options.pop("isolation_level", None)


@contextmanager
def rolled_back(app):
    """``db.session`` on one connection whose transaction is rolled back at the end.

    SQLAlchemy's "joining a session into an external transaction": the application's
    engine lookup (``db.engines``, as Flask-SQLAlchemy advises for tests) gives the test's
    connection, in a transaction, and each session (the test's, each request's, each
    command's) works in a SAVEPOINT of it (``join_transaction_mode="create_savepoint"``),
    so that code that commits or rolls back behaves as usual. The raw-cursor statements
    run on the same connection. Only this connection sees the rows: a test that needs
    them elsewhere asks for ``committed_db``. Savepoints nest: rolling back the test's
    session after a request would undo what the request committed meanwhile
    (``expire_all()`` reads it afresh).
    """
    from sqlalchemy import event

    from survey_app.extensions import db, limiter
    from survey_app.survey import answering

    with app.app_context():
        engines = db.engines  # the application's own mapping
        engine = engines[None]
        connection = engine.connect()
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # pysqlite opens transactions itself, and not before a SAVEPOINT: let it do
            # nothing and begin here (SQLAlchemy's pysqlite "Serializable isolation /
            # Savepoints" recipe, on this connection only; the application keeps its own)
            legacy = driver.isolation_level
            driver.isolation_level = None
        outer = connection.begin()
        if sqlite:
            connection.exec_driver_sql("BEGIN")
        event.listen(connection, "set_connection_execution_options", _keep_isolation_level)
        engines[None] = connection
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session.configure(join_transaction_mode="conditional_savepoint")  # SQLAlchemy's default
            engines[None] = engine
            outer.rollback()
            if sqlite:
                driver.isolation_level = legacy
            connection.close()
            answering.forget_surveys()  # surveys served from rows that are gone
    limiter.reset()


@pytest.fixture()
def client(app, db_session):
    return app.test_client()


@pytest.fixture()
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture()
def create_user(db_session):
    """Callable fixture: ``create_user(role, email=None)`` returns a committed account."""
    from survey_app.accounts import services as users

    counter = iter(range(1, 10_000))

    def _create(role: str = "coordinator", email: str | None = None, password: str = TEST_PASSWORD):
        email = email or f"{role}{next(counter)}@ville.test"
        user = users.create_user(db_session, email, password, role, display_name=f"{role.title()} Test")
        db_session.commit()
        return user

    return _create


@pytest.fixture()
def create_campaign(db_session):
    """Callable fixture: ``create_campaign(slug, members=[...])`` returns a committed campaign."""
    from survey_app.models import CampaignStatus
    from survey_app.campaigns import services as campaigns

    def _create(slug: str = "ville-test", members=(), status=CampaignStatus.OPEN, districts=None):
        campaign = campaigns.create_campaign(
            db_session,
            slug,
            f"Campagne {slug}",
            organisation="Ville de Test",
            status=status,
            districts=districts
            or [
                {"code": "nord", "name": "Nord", "qpv": False, "target": 50},
                {"code": "sud", "name": "Sud", "qpv": True, "target": 40},
            ],
        )
        for member in members:
            campaigns.add_member(db_session, campaign, member)
        db_session.commit()
        return campaign

    return _create


@pytest.fixture()
def login(client):
    """Callable fixture: ``login(user)`` signs the test client in."""

    def _login(user, password: str = TEST_PASSWORD):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (browser tests of every folder share it: a
    second Playwright started while the first runs fails)."""
    from tests.browser.conftest import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `make browser-deps` (browser tests skipped)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()
