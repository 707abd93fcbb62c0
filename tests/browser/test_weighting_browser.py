"""The coordinator's margins and weights page in Chromium at desktop size, with a real job consumer.

Its own live server (SQLite, CSRF on) over the demo campaign without margins; jobs go
through huey's SQLite storage to a ``flask jobs consumer`` process, and the page follows
the job with ``static/jobs.js`` until the weights are there. Every page is checked with
axe-core (WCAG 2.1 A and AA).
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import QUESTIONNAIRES
from tests.browser.helpers import add_coordinator, check_axe, desktop_page, live_app, serve, sign_in
from tests.jobs.test_consumer import Consumer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def weighting_server(tmp_path_factory):
    from sqlalchemy import delete

    from survey_app.campaigns import demo, margins, questionnaires
    from survey_app.extensions import db
    from survey_app.models import Margin

    folder = tmp_path_factory.mktemp("weighting-browser")
    url = f"sqlite:///{folder / 'live.sqlite3'}"
    storage = {"CLS_JOBS_FILE": str(folder / "jobs.sqlite3"), "CLS_JOBS_QUEUE_NAME": "browser-jobs"}
    app = live_app(folder / "live.sqlite3", CLS_JOBS_IMMEDIATE=False, **storage)
    with app.app_context():
        setup = demo.setup_demo(db.session, responses=300, seed=5, questionnaires_dir=QUESTIONNAIRES)
        campaign = setup.campaign
        resident = questionnaires.definition_of(questionnaires.current_version(db.session, campaign, "resident"))
        census = demo.demo_margins(campaign, resident)
        db.session.execute(delete(Margin).where(Margin.campaign_id == campaign.id))
        add_coordinator(db.session, campaign)
        db.session.commit()
        assert margins.margins_frame(db.session, campaign).empty
    good = folder / "marges.csv"
    good.write_text("variable,category,count,source\n" + "".join(
        f"{row['variable']},{row['category']},{row['count']},INSEE RP\n" for row in census), encoding="utf-8")
    bad = folder / "marges-fausses.csv"
    bad.write_text("variable,category,count\ndistrict,centre,-3\ndistrict,lune,10\nsex,f,beaucoup\n", encoding="utf-8")
    with serve(app) as base:
        consumer = Consumer(url, storage, folder / "consumer.log")
        yield {"url": base, "good": good, "bad": bad, "consumer": consumer}
        consumer.stop()


@pytest.fixture()
def desktop(browser):
    yield from desktop_page(browser, timeout=20_000)


def test_upload_margins_compute_weights_and_read_the_diagnostics(desktop, weighting_server, axe_source):
    page, base = desktop, weighting_server["url"]
    sign_in(page, base, "coordination@ville.test")
    page.goto(f"{base}/espace/campagnes/demo")
    with page.expect_navigation():
        page.get_by_role("link", name="Marges du recensement et pondération des réponses").click()
    assert "Aucune marge chargée" in page.content()
    check_axe(page, axe_source)

    # a wrong file: every problem listed, nothing loaded
    page.set_input_files('[name="margins_file"]', str(weighting_server["bad"]))
    with page.expect_navigation():
        page.click("#importer-marges")
    summary = page.locator("#erreurs-marges")
    assert summary.is_visible()
    assert summary.locator("li").count() >= 4  # -3, lune, beaucoup, missing districts, totals
    assert "Aucune marge chargée" in page.content()
    check_axe(page, axe_source)

    page.set_input_files('[name="margins_file"]', str(weighting_server["good"]))
    with page.expect_navigation():
        page.click("#importer-marges")
    assert "marges importées" in page.content()
    assert page.locator("table.margins tbody tr").count() >= 16

    # the weights: a job for the consumer process; the page follows it and reloads when done
    page.check("#method-0")
    page.fill('[name="trim_upper"]', "4")
    with page.expect_navigation():
        page.click("#calculer-poids")
    status_url = None
    if page.locator("#diagnostics").count() == 0:  # the consumer has not finished yet: jobs.js follows it
        box = page.locator("[data-job-status]")
        assert box.is_visible() and page.locator('[data-job-field="refresh"]').is_hidden()
        status_url = box.get_attribute("data-job-status").removesuffix(".json")
        check_axe(page, axe_source)
        page.wait_for_selector("#diagnostics", timeout=60_000)
    figures = page.locator("#diagnostics").inner_text()
    assert "Effet de plan de Kish" in figures and "Taille effective" in figures
    assert page.locator("#structure tbody tr").count() >= 16
    assert page.locator("figure.chart img, figure.chart svg").count() == 1
    assert "écrêtés à 4" in page.content()
    check_axe(page, axe_source)
    if status_url:  # the job's own page, now that it is done
        page.goto(base + status_url)
        assert "terminé" in page.locator("[role=status]").inner_text()
        assert page.get_by_role("link", name="Voir les résultats").is_visible()
        check_axe(page, axe_source)
    assert page.csp_violations == []  # no inline script or style on these pages
