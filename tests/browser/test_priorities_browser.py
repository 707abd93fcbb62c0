"""The priorities workspace in Chromium at desktop size, checked with axe-core.

A live server of its own (SQLite, CSRF protection on, jobs run at once): the demo
campaign with its responses, weighted with the demo margins, whose list of candidates
has not been built yet. The coordinator builds it from the page (the job "priorities";
the free-text coder and the French language model are loaded before the browser
arrives: the server runs in this process, so the job finds them ready).
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
PASSWORD = "mot-de-passe-des-priorites"
KEY = "sans_medecin_traitant"


@pytest.fixture(scope="module")
def priorities_server(tmp_path_factory):
    import flask_migrate
    from werkzeug.serving import make_server

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo
    from survey_app.extensions import db
    from survey_app.findings import weights
    from survey_app.priorities import evidence

    path = tmp_path_factory.mktemp("priorities") / "live.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "browser-priorities",
         "RATELIMIT_STORAGE_URI": "memory://", "CLS_JOBS_IMMEDIATE": True,
         "CLS_JOBS_FILE": str(path.with_name("jobs.sqlite3"))},
        environ={},
    )
    with app.app_context():
        flask_migrate.upgrade()
        setup = demo.setup_demo(db.session, responses=120, seed=7, questionnaires_dir=QUESTIONNAIRES)
        users.set_password(db.session, users.find_by_email(db.session, setup.email), PASSWORD)
        weights.store_weights(db.session, setup.campaign, weights.weight_sample(db.session, setup.campaign))
        db.session.commit()
        evidence.campaign_evidence(db.session, setup.campaign)  # warm the coder in this process; nothing stored
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
    ctx.set_default_timeout(60_000)
    yield ctx.new_page()
    ctx.close()


def _sign_in(page, server):
    page.goto(f"{server['url']}/connexion")
    page.fill('[name="email"]', server["email"])
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def test_the_coordinator_adjusts_c_and_keeps_a_candidate(desktop, priorities_server, axe_source):
    page, server = desktop, priorities_server
    _sign_in(page, server)
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
