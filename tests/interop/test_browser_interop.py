"""The coordinator imports an XLSForm in Chromium: campaign page → exchanges page →
upload → report and preview → confirmation; a bad form first. Every page is checked
with axe-core (WCAG 2.1 A and AA) and must raise no Content-Security-Policy report."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SHARED_TESTDATA

pytestmark = pytest.mark.browser

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PASSWORD = "un-mot-de-passe-de-test"
FORM = SHARED_TESTDATA / "xlsform" / "or_other.xlsx"


def check_axe(page):
    """axe-core on the page, evaluated through the DevTools protocol (the CSP forbids inline scripts)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], (page.url, violations)


@pytest.fixture(scope="module")
def interop_server(tmp_path_factory):
    if not FORM.exists():
        pytest.skip(f"shared test data not found at {FORM.parent} (present in CI)")
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run `npm ci` (make browser-deps)")
    import flask_migrate
    from werkzeug.serving import make_server

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import services as campaigns
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus

    folder = tmp_path_factory.mktemp("interop-browser")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}", "SECRET_KEY": "browser-tests",
                      "RATELIMIT_STORAGE_URI": "memory://", "CLS_INTEROP_UPLOAD_DIR": str(folder / "uploads")},
                     environ={})
    with app.app_context():
        flask_migrate.upgrade()
        campaign = campaigns.create_campaign(db.session, "ville", "Diagnostic de Ville-Test", organisation="Ville de Test",
                                             status=CampaignStatus.OPEN, districts=[{"code": "centre", "name": "Centre"}])
        user = users.create_user(db.session, "coordination@ville.test", PASSWORD, "coordinator",
                                 display_name="Coordination")
        campaigns.add_member(db.session, campaign, user)
        db.session.commit()
    bad = folder / "mauvais.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "survey"
    for row in (["type", "name", "label"], ["select_one couleurs", "couleur", "Couleur"], ["text", "couleur", "Encore"]):
        book.active.append(row)
    book.save(bad)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app, "bad": bad}
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def desktop(browser):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
    yield page
    ctx.close()


def test_xlsform_upload_report_confirm(interop_server, desktop):
    page, base = desktop, interop_server["url"]
    page.goto(f"{base}/connexion")
    page.fill('[name="email"]', "coordination@ville.test")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{base}/espace/campagnes/ville")
    with page.expect_navigation():
        page.get_by_role("link", name="KoboToolbox et ODK", exact=False).click()
    assert page.locator("h1").inner_text() == "Échanges avec KoboToolbox et ODK"
    assert "Aucun questionnaire n'est chargé" in page.content()
    check_axe(page)

    # a bad form: its problems with sheet and row, nothing loaded
    page.set_input_files('[name="files"]', str(interop_server["bad"]))
    with page.expect_navigation():
        page.click("#analyser-xlsform")
    summary = page.locator("#problemes-xlsform")
    assert summary.is_visible()
    cells = summary.locator("tbody tr").all_inner_texts()
    assert any("nom en double" in row and "3" in row for row in cells), cells
    check_axe(page)

    # a real form: the report, the preview, then the confirmation
    page.set_input_files('[name="files"]', str(FORM))
    with page.expect_navigation():
        page.click("#analyser-xlsform")
    assert "/xlsform/import/" in page.url
    assert "or_other.xlsx" in page.locator("h1").inner_text()
    figures = page.locator("dl.figures").inner_text()
    assert "Questions" in figures and "Langues" in figures
    page.locator("details.preview-section summary").first.click()
    assert page.locator("details.preview-section code", has_text="fav_color").first.is_visible()
    check_axe(page)
    with page.expect_navigation():
        page.click("#charger-xlsform")
    assert "version 1 chargée dans la campagne" in page.locator(".flashes").inner_text()
    export = page.get_by_role("link", name="XLSForm (.xlsx)", exact=False)
    assert export.count() == 1
    check_axe(page)
    with page.expect_download() as download:
        export.click()
    assert download.value.suggested_filename.endswith("-v1-xlsform.xlsx")
    assert page.csp_violations == []
