"""The priorities workspace in Chromium at desktop size, checked with axe-core.

A live server of its own (SQLite, CSRF protection on, jobs run at once): the demo
campaign with its responses, weighted with the demo margins, whose list of candidates
has not been built yet. The coordinator builds it from the page (the job "priorities";
the free-text coder and the French language model are loaded before the browser
arrives: the server runs in this process, so the job finds them ready).
"""
from __future__ import annotations

import re

import pytest

from .conftest import QUESTIONNAIRES
from .helpers import check_axe, desktop_page, live_app, serve, sign_in, weighted_demo

pytestmark = pytest.mark.browser

PASSWORD = "mot-de-passe-des-priorites"
KEY = "sans_medecin_traitant"


@pytest.fixture(scope="module")
def priorities_server(tmp_path_factory):
    from survey_app.extensions import db
    from survey_app.priorities import evidence

    path = tmp_path_factory.mktemp("priorities") / "live.sqlite3"
    app = live_app(path, SECRET_KEY="browser-priorities", CLS_JOBS_IMMEDIATE=True,
                   CLS_JOBS_FILE=str(path.with_name("jobs.sqlite3")))
    with app.app_context():
        setup = weighted_demo(db.session, QUESTIONNAIRES, responses=120, seed=7, password=PASSWORD)
        evidence.campaign_evidence(db.session, setup.campaign)  # warm the coder in this process; nothing stored
        db.session.commit()
        email, slug = setup.email, setup.campaign.slug
    with serve(app) as url:
        yield {"url": url, "email": email, "slug": slug}


@pytest.fixture()
def desktop(browser):
    # axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids
    yield from desktop_page(browser, timeout=60_000, bypass_csp=True)


def test_the_coordinator_adjusts_c_and_keeps_a_candidate(desktop, priorities_server, axe_source):
    page, server = desktop, priorities_server
    sign_in(page, server["url"], server["email"], PASSWORD)
    page.goto(f"{server['url']}/espace/campagnes/{server['slug']}")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Priorités candidates")).click()
    assert page.url.endswith("/priorites")
    assert page.get_by_role("heading", level=1).inner_text() == "Priorités candidates"
    assert "pas encore été construite" in page.locator(".construction").inner_text()
    check_axe(page, axe_source)  # the page before the list exists
    with page.expect_navigation():
        page.get_by_role("button", name="Construire la liste des priorités candidates").click()
    assert page.url.endswith("/priorites#construction")
    assert "Liste des priorités candidates construite." in page.locator(".flashes").inner_text()
    assert "Liste construite le" in page.locator(".construction").inner_text()
    check_axe(page, axe_source)

    article = page.locator(f"#cand-{KEY}")
    article.locator("summary").click()
    article.get_by_label(re.compile("^Efficacité C")).fill("11")
    with page.expect_navigation():
        article.get_by_role("button", name=re.compile("^Enregistrer")).click()
    summary = page.locator(".error-summary")
    assert "C doit être comprise entre 0 et 10." in summary.inner_text()
    assert article.get_by_label(re.compile("^Efficacité C")).input_value() == "11"  # nothing lost
    check_axe(page, axe_source)  # the page with its errors, too

    article.get_by_label(re.compile("^Efficacité C")).fill("8,5")
    article.get_by_label("Décision du comité").select_option("kept")
    article.get_by_label(re.compile("^Légalité")).select_option("oui")
    with page.expect_navigation():
        article.get_by_role("button", name=re.compile("^Enregistrer")).click()
    assert page.url.endswith(f"/priorites#cand-{KEY}")
    assert "décision enregistrée" in page.locator(".flashes").inner_text()
    row = article.locator("table.score tr", has_text="C — efficacité des interventions")
    assert row.locator("td").nth(0).inner_text() == "8,5"
    assert "saisie par la coordination" in row.inner_text()
    assert "retenue par le comité" in article.locator(".decision").inner_text()
    assert "Légalité : oui" in article.locator(".pearl").inner_text()
    history = page.locator("table.history")
    assert "efficacité (C)" in history.inner_text() and "8,5" in history.inner_text()
    check_axe(page, axe_source)
