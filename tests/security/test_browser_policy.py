"""In Chromium, with the Content-Security-Policy enforced: no page of the service breaks it.

Every page reachable by GET (from the URL map) is opened by an administrator and by an
anonymous visitor over the demo campaign (its responses weighted); the browser reports
each inline script, style or outside request that the policy blocked. A page relying on
inline code would lose its behaviour or its looks in production without anyone seeing
an error: this is where it shows.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import QUESTIONNAIRES

from .inventory import build_url

pytestmark = pytest.mark.browser
PASSWORD = "mot-de-passe-de-la-sonde"


@pytest.fixture(scope="module")
def policy_server(tmp_path_factory):
    import flask_migrate
    from werkzeug.serving import make_server

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo
    from survey_app.extensions import db
    from survey_app.findings import weights
    from survey_app.models import Role

    path = tmp_path_factory.mktemp("policy") / "live.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "browser-policy",
         "RATELIMIT_STORAGE_URI": "memory://", "CLS_JOBS_IMMEDIATE": True,
         "CLS_JOBS_FILE": str(path.with_name("jobs.sqlite3"))},
        environ={},
    )
    with app.app_context():
        flask_migrate.upgrade()
        setup = demo.setup_demo(db.session, responses=200, seed=5, questionnaires_dir=QUESTIONNAIRES)
        weights.store_weights(db.session, setup.campaign, weights.weight_sample(db.session, setup.campaign))
        admin = users.create_user(db.session, "sonde.admin@ville.test", PASSWORD, Role.ADMIN)
        db.session.commit()
        world = {"users": {Role.AGENT: admin}}  # ``user_id`` arguments: any account
        campaign = SimpleNamespace(slug=setup.campaign.slug, id=setup.campaign.id)
        urls = {}
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static":
                urls[rule.endpoint] = build_url(rule, world, campaign)
        # The residents' questionnaire of the demo, not the test one.
        urls = {endpoint: url.replace("/mini", "/resident").replace("/page/un", "/page/profil") for endpoint, url in urls.items()}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "urls": urls}
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def _visit_all(page, server):
    """Open every HTML page; return the policy violations and the pages seen."""
    violations, seen = [], []
    page.on("console", lambda message: violations.append((page.url, message.text))
            if "Content Security Policy" in message.text else None)
    # Topic modelling pages compute for long: last, so that they hold up no other page.
    for endpoint, path in sorted(server["urls"].items(), key=lambda item: ("emerg" in item[0], item[0])):
        url = server["url"] + path
        try:
            probe = page.context.request.get(url, max_redirects=0, timeout=15_000)
        except PlaywrightTimeout:  # a page computing for long (topics): not this test's subject
            print(f"skipped, slower than 15 s: {endpoint}")
            continue
        if probe.status >= 300 or "text/html" not in probe.headers.get("content-type", ""):
            continue
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status < 500, (endpoint, url)
        page.wait_for_timeout(50)
        seen.append(endpoint)
    return violations, seen


@pytest.fixture()
def desktop(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_no_page_breaks_the_policy_for_an_administrator(desktop, policy_server):
    page = desktop
    page.goto(f"{policy_server['url']}/connexion")
    page.fill('[name="email"]', "sonde.admin@ville.test")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    violations, seen = _visit_all(page, policy_server)
    assert len(seen) >= 10, seen
    assert not violations, "\n".join(f"{url}: {text[:200]}" for url, text in violations)


def test_no_public_page_breaks_the_policy(desktop, policy_server):
    violations, seen = _visit_all(desktop, policy_server)
    assert {"public.index", "auth.login", "survey.info"} <= set(seen), seen
    assert not violations, "\n".join(f"{url}: {text[:200]}" for url, text in violations)
