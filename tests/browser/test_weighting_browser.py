"""The coordinator's margins and weights page in Chromium at desktop size, with a real job consumer.

Its own live server (SQLite, CSRF on) over the demo campaign without margins; jobs go
through huey's SQLite storage to a ``flask jobs consumer`` process, and the page follows
the job with ``static/jobs.js`` until the weights are there. Every page is checked with
axe-core (WCAG 2.1 A and AA).
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.browser.test_survey_browser import WCAG
from tests.jobs.test_consumer import Consumer

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PASSWORD = "un-mot-de-passe-de-test"


def check_axe(page, axe_source):
    """axe-core on the page; injected through the DevTools protocol, as the page's CSP forbids inline scripts."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(Path(axe_source).read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], (page.url, violations)


@pytest.fixture(scope="module")
def weighting_server(tmp_path_factory):
    import flask_migrate
    from sqlalchemy import delete
    from werkzeug.serving import make_server

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo, margins, questionnaires, services as campaigns
    from survey_app.extensions import db
    from survey_app.models import Margin

    from tests.browser.conftest import QUESTIONNAIRES

    folder = tmp_path_factory.mktemp("weighting-browser")
    url = f"sqlite:///{folder / 'live.sqlite3'}"
    storage = {"CLS_JOBS_FILE": str(folder / "jobs.sqlite3"), "CLS_JOBS_QUEUE_NAME": "browser-jobs"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "browser-tests", "RATELIMIT_STORAGE_URI": "memory://",
                      "CLS_JOBS_IMMEDIATE": False, **storage}, environ={})
    with app.app_context():
        flask_migrate.upgrade()
        setup = demo.setup_demo(db.session, responses=300, seed=5, questionnaires_dir=QUESTIONNAIRES)
        campaign = setup.campaign
        resident = questionnaires.definition_of(questionnaires.current_version(db.session, campaign, "resident"))
        census = demo.demo_margins(campaign, resident)
        db.session.execute(delete(Margin).where(Margin.campaign_id == campaign.id))
        user = users.create_user(db.session, "coordination@ville.test", PASSWORD, "coordinator", display_name="Coordination")
        campaigns.add_member(db.session, campaign, user)
        db.session.commit()
        assert margins.margins_frame(db.session, campaign).empty
    good = folder / "marges.csv"
    good.write_text("variable,category,count,source\n" + "".join(
        f"{row['variable']},{row['category']},{row['count']},INSEE RP\n" for row in census), encoding="utf-8")
    bad = folder / "marges-fausses.csv"
    bad.write_text("variable,category,count\ndistrict,centre,-3\ndistrict,lune,10\nsex,f,beaucoup\n", encoding="utf-8")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    consumer = Consumer(url, storage, folder / "consumer.log")
    yield {"url": f"http://127.0.0.1:{server.server_port}", "good": good, "bad": bad, "consumer": consumer}
    consumer.stop()
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def desktop(browser):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
    yield page
    ctx.close()


def test_upload_margins_compute_weights_and_read_the_diagnostics(desktop, weighting_server, axe_source):
    page, base = desktop, weighting_server["url"]
    page.goto(f"{base}/connexion")
    page.fill('[name="email"]', "coordination@ville.test")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')
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
