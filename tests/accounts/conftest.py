"""Fixtures of the account tests."""
import pytest

from tests.security.conftest import make_app  # noqa: F401  (another application on the test database)


@pytest.fixture(scope="session")
def axe_source():
    from tests.browser.conftest import AXE

    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run `npm ci` (make browser-deps)")
    return str(AXE)
