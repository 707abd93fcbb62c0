"""A live server and Debian's Chromium for the browser tests.

The browser tests run on SQLite only: one session-wide server (werkzeug, a thread,
127.0.0.1 on a free port) over a migrated SQLite file, with CSRF protection on as in
production. Chromium is Debian's (/usr/bin/chromium); without it the tests are
skipped with the reason shown. The helpers the test modules share (their own live
servers, signing in, axe-core) are in ``helpers.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import live_app, serve

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
MINI = PROJECT_ROOT / "tests" / "data" / "survey_mini.yaml"
QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the application with the demo-like campaign ``ville`` and its questionnaires."""
    from survey_app.campaigns import questionnaires, services as campaigns
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus

    app = live_app(tmp_path_factory.mktemp("browser") / "live.sqlite3")
    keys = []
    with app.app_context():
        campaign = campaigns.create_campaign(
            db.session, "ville", "Diagnostic de Ville-Test", organisation="Ville de Test", status=CampaignStatus.OPEN,
            districts=[{"code": "centre", "name": "Centre"}, {"code": "plateau", "name": "Le Plateau", "qpv": True}],
        )
        for file in [QUESTIONNAIRES / "resident.yaml", QUESTIONNAIRES / "professional.yaml", MINI]:
            if file.exists():
                keys.append(questionnaires.load_file(db.session, campaign, file).key)
        db.session.commit()
    with serve(app) as url:
        yield {"url": url, "app": app, "keys": keys}


@pytest.fixture()
def context(browser):
    """A fresh phone-sized browsing context (its own cookies)."""
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run `npm ci` (make browser-deps)")
    return str(AXE)
