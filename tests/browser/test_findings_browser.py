"""The coordinator's result pages in Chromium at desktop size, checked with axe-core.

A live server of its own (SQLite): the demo campaign with its responses, weighted with
the demo margins; jobs run in the request (immediate mode), as everywhere in the tests.
"""
from __future__ import annotations

import re
import threading

import pytest

from .conftest import QUESTIONNAIRES
from .test_survey_browser import check_axe

pytestmark = pytest.mark.browser

#: axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids.
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "bypass_csp": True}
PASSWORD = "mot-de-passe-des-resultats"


@pytest.fixture(scope="module")
def results_server(tmp_path_factory):
    import flask_migrate
    from werkzeug.serving import make_server

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo
    from survey_app.extensions import db
    from survey_app.findings import weights

    path = tmp_path_factory.mktemp("results") / "live.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "browser-results",
         "RATELIMIT_STORAGE_URI": "memory://", "CLS_JOBS_IMMEDIATE": True,
         "CLS_JOBS_FILE": str(path.with_name("jobs.sqlite3"))},
        environ={},
    )
    with app.app_context():
        flask_migrate.upgrade()
        setup = demo.setup_demo(db.session, responses=300, seed=3, questionnaires_dir=QUESTIONNAIRES)
        users.set_password(db.session, users.find_by_email(db.session, setup.email), PASSWORD)
        weights.store_weights(db.session, setup.campaign, weights.weight_sample(db.session, setup.campaign))
        db.session.commit()
        email, slug = setup.email, setup.campaign.slug
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "email": email, "slug": slug}
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def desktop(browser):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(30_000)
    yield ctx.new_page()
    ctx.close()


def _sign_in(page, server):
    page.goto(f"{server['url']}/connexion")
    page.fill('[name="email"]', server["email"])
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def test_indicators_and_a_cross_table_have_no_accessibility_violation(desktop, results_server, axe_source):
    page, server = desktop, results_server
    _sign_in(page, server)
    page.goto(f"{server['url']}/espace/campagnes/{server['slug']}")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Indicateurs par quartier")).click()
    assert page.url.endswith("/resultats/indicateurs")
    check_axe(page, axe_source)  # before any computation
    with page.expect_navigation():
        page.get_by_role("button", name="Calculer les tableaux").click()
    assert page.locator("section.indicator").count() >= 10
    assert page.locator("svg.chart[role=img]").count() == page.locator("section.indicator").count()
    assert page.locator("text=Règle de publication").count() == 1
    check_axe(page, axe_source)

    # sorting and filtering with the keyboard, without script
    page.select_option("#tri", "signalements")
    page.select_option("#ordre", "desc")
    page.locator("form.filters button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "tri=signalements" in page.url
    check_axe(page, axe_source)

    with page.expect_navigation():
        page.get_by_role("link", name="Tableaux croisés").click()
    page.select_option("#ligne", "quartier")
    page.select_option("#colonne", "medecin_traitant")
    with page.expect_navigation():
        page.get_by_role("button", name="Croiser").click()
    assert page.locator("table.cross tbody tr").count() >= 8
    assert page.locator("text=Second ordre : F =").count() == 1
    check_axe(page, axe_source)

    page.select_option("#colonne", "quartier")
    with page.expect_navigation():
        page.get_by_role("button", name="Croiser").click()
    assert "deux questions différentes" in page.locator("[role=alert]").inner_text()
    check_axe(page, axe_source)
