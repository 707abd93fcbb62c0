"""The collection pages in Chromium at desktop size: the dashboard, a response excluded and
one answer corrected (a refused value first), settings, exports; axe-core (WCAG 2.1 A and
AA) finds no violation on any page, and no page breaks the Content-Security-Policy.

Its own live server (SQLite, CSRF on as in production) over the demo campaign.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import QUESTIONNAIRES
from tests.browser.helpers import add_coordinator, check_axe, desktop_page, live_app, serve, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def collection_server(tmp_path_factory):
    from survey_app.campaigns import demo
    from survey_app.extensions import db

    app = live_app(tmp_path_factory.mktemp("collection-browser") / "live.sqlite3")
    with app.app_context():
        setup = demo.setup_demo(db.session, responses=150, seed=9, questionnaires_dir=QUESTIONNAIRES)
        add_coordinator(db.session, setup.campaign)
        db.session.commit()
    with serve(app) as url:
        yield {"url": url, "app": app}


@pytest.fixture()
def desktop(browser):
    # the chart images are drawn by matplotlib, one request each, on a shared machine
    yield from desktop_page(browser, timeout=90_000)


def test_dashboard_exclude_and_correct(desktop, collection_server, axe_source):
    page, base = desktop, collection_server["url"]
    sign_in(page, base, "coordination@ville.test")
    page.goto(f"{base}/espace/campagnes/demo")
    with page.expect_navigation():
        page.get_by_role("link", name="Suivre la collecte par quartier").click()
    assert page.get_by_role("heading", name="Réponses par quartier et objectif").is_visible()
    images = page.locator("img.chart")
    assert images.count() >= 4
    for i in range(images.count()):  # every chart drawn (an SVG image with its text alternative)
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", images.nth(i).element_handle())
        assert images.nth(i).get_attribute("alt")
    assert page.locator("#quartiers + img + table tbody tr").count() >= 8
    page.select_option("#quartier", "plateau")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    assert "Âge : " in page.content()
    check_axe(page, axe_source)

    with page.expect_navigation():
        page.get_by_role("link", name="Réponses", exact=True).click()
    check_axe(page, axe_source)
    with page.expect_navigation():
        page.locator("tbody tr th a").first.click()
    url = page.url
    check_axe(page, axe_source)

    # exclude: without a reason first (refused, said), then with one
    page.select_option('[name="motive"]', "test")
    with page.expect_navigation():
        page.get_by_role("button", name="Exclure cette réponse de l'analyse").click()
    assert page.locator(".error-summary").is_visible()
    page.fill('[name="note"]', "saisie d'essai de l'agent")
    with page.expect_navigation():
        page.get_by_role("button", name="Exclure cette réponse de l'analyse").click()
    assert page.locator("#statut").inner_text() == "excluded"
    assert "Réponse de test : saisie d'essai de l'agent" in page.content()
    check_axe(page, axe_source)

    # correct an answer: a value the questionnaire refuses, then a good one
    link = page.locator('a[href*="/corriger/foyer_nb"]')
    if link.count() == 0:
        link = page.locator('a[href*="/corriger/"]').first
    with page.expect_navigation():
        link.first.click()
    check_axe(page, axe_source)
    field = page.locator('[name="value"]').first
    kind = field.get_attribute("type")
    page.fill('[name="reason"]', "lu sur le questionnaire papier")
    if kind in (None, "text"):
        field.fill("pas un nombre")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer la correction").click()
        assert page.locator(".error-summary").is_visible()
        check_axe(page, axe_source)
        page.fill('[name="value"]', "2")
    else:
        page.locator('[name="value"]').nth(1).check()
    page.fill('[name="reason"]', "lu sur le questionnaire papier")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la correction").click()
    assert page.url.split("#")[0] == url and "est corrigée" in page.content()
    history = page.locator("#historique + table").inner_text()
    assert "correction" in history and "lu sur le questionnaire papier" in history and "exclude" in history
    check_axe(page, axe_source)

    for path in ("collecte/doublons", "collecte/reglages", "exports/", "exports/dictionnaire"):
        page.goto(f"{base}/espace/campagnes/demo/{path}")
        check_axe(page, axe_source)
    assert page.csp_violations == []
