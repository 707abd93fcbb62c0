"""The entry pages through the test client: keying page by page, refusals, reconciliation."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from survey_app.models import DoubleEntry, FormState, PaperForm, Response

from .conftest import RESIDENT_KEYED


def sections_of(html: str) -> dict:
    fields = dict(re.findall(r'<input type="hidden" name="(section|state|serial|version_id)" value="([^"]*)"', html))
    fields["state"] = json.loads(fields["state"].replace("&#34;", '"').replace("&quot;", '"')) if fields.get("state") else {}
    return fields


def key_form(client, slug, serial, texts, *, version_id=None, agent_errors=None):
    """Key ``texts`` page by page as an agent without JavaScript; return the last response."""
    response = client.post(f"/saisie/{slug}/", data={"serial": serial, "questionnaire": version_id or ""})
    pages = 0
    while response.status_code in (200, 422) and 'id="entry-form"' in response.get_data(as_text=True):
        html = response.get_data(as_text=True)
        hidden = sections_of(html)
        names = set(re.findall(r'name="k-([^"]+)"', html))
        data = {"serial": hidden["serial"], "version_id": hidden["version_id"], "section": hidden["section"],
                "state": json.dumps(hidden["state"]), "action": "next"}
        data.update({f"k-{n}": texts[n] for n in names if n in texts})
        response = client.post(f"/saisie/{slug}/questionnaire", data=data)
        pages += 1
        if response.status_code == 422 or pages > 20:
            return response
    return response


@pytest.fixture()
def agent_client(client, login, paper_campaign):
    login(paper_campaign["first"])
    return client


def test_an_agent_keys_a_whole_form_and_the_next_one_starts_at_once(agent_client, paper_campaign, db_session):
    slug = paper_campaign["campaign"].slug
    response = key_form(agent_client, slug, "a-12", RESIDENT_KEYED, version_id=paper_campaign["version"].id)
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/saisie/{slug}/")
    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Questionnaire n° A12 enregistré." in page and 'autofocus' in page
    assert re.search(r"saisis aujourd&#39;hui :</?\w*>? ?<strong>1</strong>", page) or "<strong>1</strong>" in page
    form = db_session.scalar(select(PaperForm))
    assert form.state is FormState.KEYED and form.response.answers_dict()["mt_recherche"] == "oui_refus"


def test_a_wrong_code_is_shown_on_its_page_with_the_web_message(agent_client, paper_campaign, db_session):
    slug = paper_campaign["campaign"].slug
    response = key_form(agent_client, slug, "B7", dict(RESIDENT_KEYED, foyer="9"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "« 9 » n&#39;est pas un choix possible (choix : 1, 2, 3, 4, 5, 6)." in html
    assert 'role="alert"' in html and 'href="#k-foyer"' in html
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_serial_keyed_already_is_refused_with_a_link(agent_client, paper_campaign, db_session):
    slug = paper_campaign["campaign"].slug
    key_form(agent_client, slug, "C3", RESIDENT_KEYED)
    form = db_session.scalar(select(PaperForm))
    response = agent_client.post(f"/saisie/{slug}/", data={"serial": " c-3 "})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Le questionnaire n° C3 a déjà été saisi." in html
    assert f'/saisie/{slug}/questionnaires/{form.id}"' in html


def test_double_entry_and_reconciliation_through_the_pages(client, login, paper_campaign, db_session):
    from survey_app.entry import services as entry

    campaign = paper_campaign["campaign"]
    entry.set_double_entry(db_session, campaign, DoubleEntry.ALL, 100, paper_campaign["coordinator"])
    db_session.commit()
    login(paper_campaign["first"])
    key_form(client, campaign.slug, "D4", RESIDENT_KEYED)
    refused = client.post(f"/saisie/{campaign.slug}/", data={"serial": "d4"})
    assert refused.status_code == 422 and "la seconde saisie doit être faite par un autre agent" in refused.get_data(as_text=True)
    client.post("/deconnexion")
    login(paper_campaign["second"])
    second = client.post(f"/saisie/{campaign.slug}/", data={"serial": "D4"}).get_data(as_text=True)
    assert "seconde saisie" in second and 'name="k-age" value=""' in second  # the first entry is not shown
    key_form(client, campaign.slug, "D4", dict(RESIDENT_KEYED, etat_sante="4"))
    form = db_session.scalar(select(PaperForm))
    db_session.refresh(form)
    assert form.state is FormState.RECONCILING
    assert client.get(f"/saisie/{campaign.slug}/rapprochement/{form.id}").status_code == 403
    client.post("/deconnexion")
    login(paper_campaign["coordinator"])
    page = client.get(f"/saisie/{campaign.slug}/rapprochement/{form.id}").get_data(as_text=True)
    assert "Lire le questionnaire papier" in page and "3 Assez bon" in page and "4 Mauvais" in page
    done = client.post(f"/saisie/{campaign.slug}/rapprochement/{form.id}",
                       data={"k-etat_sante": "3", "reason-etat_sante": "Lu sur le papier : case 3 cochée"})
    assert done.status_code == 302
    db_session.refresh(form)
    assert form.state is FormState.VALIDATED
    trail = client.get(f"/saisie/{campaign.slug}/questionnaires/{form.id}").get_data(as_text=True)
    assert "Lu sur le papier : case 3 cochée" in trail and "rapprochement" in trail and "4 Mauvais" in trail


def test_coordinator_pages_are_refused_to_agents_and_to_other_campaigns(client, login, paper_campaign, create_user,
                                                                       create_campaign):
    slug = paper_campaign["campaign"].slug
    login(paper_campaign["first"])
    for url in ("rapprochement", "suivi", "reglages", "questionnaires"):
        assert client.get(f"/saisie/{slug}/{url}").status_code == 403
    outsider = create_user("coordinator")
    client.post("/deconnexion")
    login(outsider)
    assert client.get(f"/saisie/{slug}/").status_code == 404
    assert client.get(f"/saisie/{slug}/suivi").status_code == 404


def test_the_campaign_page_links_to_paper_entry(client, login, paper_campaign):
    login(paper_campaign["coordinator"])
    html = client.get(f"/espace/campagnes/{paper_campaign['campaign'].slug}").get_data(as_text=True)
    assert f'href="/saisie/{paper_campaign["campaign"].slug}/"' in html and "bientôt disponible" not in html.split("Saisir les questionnaires papier")[1][:300]


def test_cancelling_from_the_page_needs_a_reason(agent_client, paper_campaign, db_session):
    slug = paper_campaign["campaign"].slug
    key_form(agent_client, slug, "E5", RESIDENT_KEYED)
    form = db_session.scalar(select(PaperForm))
    assert agent_client.post(f"/saisie/{slug}/questionnaires/{form.id}/annuler", data={"reason": ""}).status_code == 422
    response = agent_client.post(f"/saisie/{slug}/questionnaires/{form.id}/annuler", data={"reason": "Doublon"})
    assert response.status_code == 302
    db_session.refresh(form)
    assert form.state is FormState.CANCELLED
    page = agent_client.get(f"/saisie/{slug}/questionnaires/{form.id}").get_data(as_text=True)
    assert "Doublon" in page and "annulation" in page


def test_printing_numbered_copies_records_their_serials(client, login, paper_campaign, db_session):
    from survey_app.models import PaperSerial

    login(paper_campaign["coordinator"])
    slug, version = paper_campaign["campaign"].slug, paper_campaign["version"]
    blank = client.get(f"/saisie/{slug}/formulaires/vierge/{version.id}.html")
    html = blank.get_data(as_text=True)
    assert blank.status_code == 200 and "Si vous avez répondu" not in html.split("<main>")[0]
    assert "passez à la question" in html and "Répondez seulement si" in html
    numbered = client.post(f"/saisie/{slug}/formulaires/numerotes",
                           data={"questionnaire": version.id, "lang": "fr", "copies": 2, "format": "html"})
    assert numbered.status_code == 200 and "00001-8" in numbered.get_data(as_text=True) and "<svg" in numbered.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PaperSerial)) == 2


def test_the_print_settings_name_the_languages(client, login, paper_campaign):
    """The paper form's language picker says « Français », « English », not the codes."""
    login(paper_campaign["coordinator"])
    page = client.get(f"/saisie/{paper_campaign['campaign'].slug}/reglages").get_data(as_text=True)
    picker = re.search(r'<select[^>]*name="lang"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'<option[^>]*value="fr"[^>]*>Français</option>', picker)
    assert re.search(r'<option[^>]*value="en"[^>]*>English</option>', picker)
    assert not re.search(r">(fr|en)</option>", picker)
