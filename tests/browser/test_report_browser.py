"""The diagnostic report and the residents' results page in Chromium, checked with axe-core.

The report of a small weighted campaign is built once in the live server's database;
its HTML page (the accessible reference of the report) is loaded in the browser, as is
the public results page, on a phone-sized screen.
"""
from __future__ import annotations

import pytest

from .conftest import QUESTIONNAIRES
from .helpers import check_axe, check_zoom

pytestmark = pytest.mark.browser
SLUG = "ville-rapport"


@pytest.fixture(scope="module")
def built_report(live_server):
    from survey_app.campaigns import margins, questionnaires
    from survey_app.campaigns import services as campaigns
    from survey_app.campaigns.demo import demo_margins, seed_responses
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus
    from survey_app.models._types import utcnow
    from survey_app.report.results_page import public_summary
    from survey_app.report.services import build_outputs

    app = live_server["app"]
    with app.app_context():
        campaign = campaigns.create_campaign(
            db.session, SLUG, "Diagnostic de Ville-Rapport", organisation="Ville de Rapport",
            status=CampaignStatus.OPEN,
            districts=[{"code": "centre", "name": "Centre-ville"}, {"code": "gare", "name": "Quartier de la Gare"},
                       {"code": "plateau", "name": "Le Plateau", "qpv": True}])
        for name in ("resident.yaml", "professional.yaml"):
            questionnaires.load_file(db.session, campaign, QUESTIONNAIRES / name)
        definition = questionnaires.definition_of(questionnaires.current_version(db.session, campaign, "resident"))
        margins.set_margins(db.session, campaign, demo_margins(campaign, definition))
        seed_responses(db.session, campaign, "resident", 120, seed=11)
        seed_responses(db.session, campaign, "professional", 15, seed=12)
        db.session.commit()
        outputs = build_outputs(db.session, campaign, kinds=("html",))
        campaign.results_page = public_summary(outputs.data, campaign)
        campaign.results_published_at = utcnow()
        db.session.commit()
        html = outputs.files["html"].decode("utf-8")
    return html


def test_the_html_report_has_no_accessibility_violation(page, built_report, axe_source):
    page.set_content(built_report, wait_until="load")
    assert page.locator("h1").count() == 1
    assert page.locator("svg[role=img]").count() > 5
    check_axe(page, axe_source)


def test_the_results_page_is_accessible_light_and_works_without_script(browser, live_server, built_report, axe_source):
    from .conftest import PHONE

    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(f"{live_server['url']}/resultats/{SLUG}")
        assert response.status == 200
        assert "Résultats du diagnostic local de santé" in page.locator("h1").inner_text()
        assert page.locator("table").count() >= 3
        assert len(response.body()) < 40_000
    finally:
        context.close()


def test_the_results_page_passes_axe(page, live_server, built_report, axe_source):
    page.goto(f"{live_server['url']}/resultats/{SLUG}")
    check_axe(page, axe_source)
    check_zoom(page)
