"""Fixtures of the account tests."""
from tests.security.conftest import make_app  # noqa: F401  (another application on the test database)
