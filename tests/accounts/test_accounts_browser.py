"""The account pages in Chromium: invite with the mouse, open the link, axe-core on each page."""
import pytest

from tests.browser.helpers import PASSWORD, check_axe, check_zoom, desktop_page, live_app, serve, sign_in

NEW_PASSWORD = "cheval agrafe batterie"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    from survey_app.accounts import services as users
    from survey_app.campaigns import services as campaigns
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus

    app = live_app(tmp_path_factory.mktemp("accounts") / "accounts.sqlite3")
    with app.app_context():
        users.create_user(db.session, "admin@ville.test", PASSWORD, "admin", display_name="Administration")
        campaigns.create_campaign(db.session, "ville", "Diagnostic de Ville-Test", status=CampaignStatus.OPEN,
                                  districts=[{"code": "centre", "name": "Centre"}])
        db.session.commit()
    with serve(app) as url:
        yield url


@pytest.fixture()
def admin_page(browser):
    yield from desktop_page(browser, timeout=30_000)


@pytest.fixture()
def invitee_page(browser):
    yield from desktop_page(browser, timeout=30_000)


def test_invite_then_open_the_account_in_the_browser(accounts_server, admin_page, invitee_page, axe_source):
    base, page = accounts_server, admin_page
    sign_in(page, base, "admin@ville.test")
    page.goto(f"{base}/admin/utilisateurs")
    check_axe(page, axe_source)
    page.click("form.stack button[type=submit]")  # empty: errors linked to their fields
    page.wait_for_selector(".error-summary")
    check_axe(page, axe_source)
    page.click('.error-summary a[href="#email"]')
    assert page.evaluate("document.activeElement.id") == "email"
    page.fill("#email", "nouvelle.agente@ville.test")
    page.fill("#display_name", "Nouvelle agente")
    page.select_option("#role", "agent")
    page.check("label:has-text('Diagnostic de Ville-Test')")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    link = page.input_value("#lien")
    assert "/compte/lien/" in link
    check_axe(page, axe_source)
    check_zoom(page)

    invitee = invitee_page
    invitee.goto(link)
    check_axe(invitee, axe_source)
    invitee.fill("#password", NEW_PASSWORD)
    invitee.fill("#confirm", NEW_PASSWORD)
    with invitee.expect_navigation():
        invitee.click("form.stack button[type=submit]")
    assert invitee.url.endswith("/espace/")
    assert "Diagnostic de Ville-Test" in invitee.text_content("main")
    invitee.goto(link)
    assert "déjà servi" in invitee.text_content("main")
    check_axe(invitee, axe_source)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/admin/utilisateurs")
    with page.expect_navigation():
        page.click("text=Nouvelle agente")
    assert "Dernières actions" in page.text_content("main")
    check_axe(page, axe_source)
    page.goto(f"{base}/admin/activite")
    assert "invitation acceptée" in page.text_content("main")
    check_axe(page, axe_source)
    assert not page.csp_violations and not invitee.csp_violations
