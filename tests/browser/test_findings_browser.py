"""The coordinator's result pages in Chromium at desktop size, checked with axe-core.

A live server of its own (SQLite): the demo campaign with its responses, weighted with
the demo margins; jobs run in the request (immediate mode), as everywhere in the tests.
"""
from __future__ import annotations

import re

import pytest

from .conftest import QUESTIONNAIRES
from .helpers import check_axe, desktop_page, live_app, serve, sign_in, weighted_demo

pytestmark = pytest.mark.browser

PASSWORD = "mot-de-passe-des-resultats"


@pytest.fixture(scope="module")
def results_server(tmp_path_factory):
    from survey_app.extensions import db

    path = tmp_path_factory.mktemp("results") / "live.sqlite3"
    app = live_app(path, SECRET_KEY="browser-results", CLS_JOBS_IMMEDIATE=True,
                   CLS_JOBS_FILE=str(path.with_name("jobs.sqlite3")))
    with app.app_context():
        setup = weighted_demo(db.session, QUESTIONNAIRES, responses=300, seed=3, password=PASSWORD)
        email, slug = setup.email, setup.campaign.slug
    with serve(app) as url:
        yield {"url": url, "email": email, "slug": slug}


@pytest.fixture()
def desktop(browser):
    # axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids
    yield from desktop_page(browser, timeout=30_000, bypass_csp=True)


def test_indicators_and_a_cross_table_have_no_accessibility_violation(desktop, results_server, axe_source):
    page, server = desktop, results_server
    sign_in(page, server["url"], server["email"], PASSWORD)
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
