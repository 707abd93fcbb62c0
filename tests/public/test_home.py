"""The residents' home page leads to the open surveys and to the published results."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from survey_app.campaigns import questionnaires
from survey_app.models import CampaignStatus
from tests.conftest import PROJECT_ROOT

RESIDENT = PROJECT_ROOT / "questionnaires" / "resident.yaml"
PROFESSIONAL = PROJECT_ROOT / "questionnaires" / "professional.yaml"
MINI = Path(__file__).resolve().parents[1] / "data" / "survey_mini.yaml"


def results_page(**fields) -> dict:
    """A published results page as the report stores it (two districts, one of them small)."""
    page = {
        "town": "Ville de Test", "name": "Campagne", "opens_on": "1er mars 2026", "closes_on": "30 avril 2026",
        "data_date": "2 mai 2026", "responses": 240, "weighted": False, "weighting_note": "",
        "indicators": [{
            "name": "renoncement", "label": "Renoncement aux soins", "labels": {"fr": "Renoncement aux soins",
                                                                              "en": "Forgoing care"},
            "town": {"pct": "23,0 %", "ci": "[18,0 – 28,0]", "shown": True},
            "districts": [{"name": "Centre", "pct": "24,1 %", "ci": "", "shown": True},
                          {"name": "Nord", "pct": "< 11", "ci": "", "shown": False},
                          {"name": "Sud", "pct": "< 11", "ci": "", "shown": False}],
            "worse": [],
        }],
        "themes": [], "kept": [], "small_districts": ["Sud"],
    }
    page.update(fields)
    return page


def publish(db_session, campaign, page=None):
    campaign.results_page = page or results_page()
    campaign.results_published_at = dt.datetime(2026, 5, 3, 10, 0)
    db_session.commit()


def test_an_open_campaigns_card_links_to_its_questionnaires_and_its_published_results(
        client, db_session, create_campaign):
    campaign = create_campaign("ville-test")
    for path in (PROFESSIONAL, RESIDENT):
        questionnaires.load_file(db_session, campaign, path)
    db_session.commit()
    body = client.get("/").get_data(as_text=True)
    card = re.search(r'<li class="card">(.*?)</li>\s*</ul>\s*</li>', body, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)', card)
    # the residents' questionnaire first, then the professionals', each by its title
    assert links == [("/enquete/ville-test/resident", "Votre santé dans notre ville : questionnaire aux habitants"),
                     ("/enquete/ville-test/professional",
                      "Diagnostic local de santé : questionnaire aux professionnels et partenaires")]
    assert "/resultats/" not in body
    assert client.get(links[0][0]).status_code == 200  # the link leads to the survey's start page

    publish(db_session, campaign)
    body = client.get("/").get_data(as_text=True)
    assert '<a href="/resultats/ville-test">Voir les résultats du diagnostic' in body
    assert client.get("/resultats/ville-test").status_code == 200
    client.get("/langue/en")
    english = client.get("/").get_data(as_text=True)
    assert ">Your health in our town: residents&#39; questionnaire</a>" in english


def test_a_closed_campaign_keeps_its_published_results_on_the_home_page(client, db_session, create_campaign):
    closed = create_campaign("ville-close", status=CampaignStatus.CLOSED)
    create_campaign("ville-sans", status=CampaignStatus.CLOSED)
    body = client.get("/").get_data(as_text=True)
    assert "Aucune enquête n'est ouverte en ce moment." in body and "/resultats/" not in body
    publish(db_session, closed)
    body = client.get("/").get_data(as_text=True)
    assert re.findall(r'href="(/resultats/[^"]+)"', body) == ["/resultats/ville-close"]
    assert "/enquete/" not in body


def test_the_thank_you_page_links_to_the_published_results(client, db_session, create_campaign):
    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    thanks = client.get("/enquete/ville-test/mini/merci").get_data(as_text=True)
    assert "seront présentés aux habitants" in thanks and "/resultats/" not in thanks
    publish(db_session, campaign)
    thanks = client.get("/enquete/ville-test/mini/merci").get_data(as_text=True)
    assert '<a href="/resultats/ville-test">' in thanks and "seront présentés" not in thanks
