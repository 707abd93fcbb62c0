"""Fixtures of the security tests."""
import pytest


@pytest.fixture()
def make_app(database_url, tmp_path_factory, committed_db):
    """Callable fixture: ``make_app(**settings)`` builds another application on the test database.

    Its connection pool is closed afterwards (an open PostgreSQL connection left to the
    garbage collector raises a ResourceWarning in whatever test runs then).
    """
    from survey_app.extensions import db
    from tests.conftest import make_test_app

    made = []

    def _make(**overrides):
        application = make_test_app(database_url, tmp_path_factory, **overrides)
        made.append(application)
        return application

    yield _make
    for application in made:
        with application.app_context():
            db.engine.dispose()
