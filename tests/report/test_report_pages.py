"""The report workspace (job, downloads, access) and the public results page."""
from __future__ import annotations

import re

from sqlalchemy import select

from survey_app.models import AuditEvent, Role

from .test_report_limits import _small_campaign


def test_build_download_publish_and_withdraw(client, db_session, create_user, create_campaign, login):
    coordinator = create_user("coordinator")
    campaign = _small_campaign(db_session, create_campaign, responses=30, slug="ville-rapport")
    from survey_app.campaigns import services as campaigns

    campaigns.add_member(db_session, campaign, coordinator)
    db_session.commit()
    login(coordinator)
    page = client.get("/espace/campagnes/ville-rapport/rapport/")
    assert page.status_code == 200
    assert "Aucun rapport n'a encore été produit" in page.get_data(as_text=True)
    assert client.get("/resultats/ville-rapport").status_code == 404
    # publishing before any report is refused with a message
    refused = client.post("/espace/campagnes/ville-rapport/rapport/publier", follow_redirects=True)
    assert "Produisez d'abord le rapport" in refused.get_data(as_text=True)

    started = client.post("/espace/campagnes/ville-rapport/rapport/produire")
    assert started.status_code == 302
    body = client.get("/espace/campagnes/ville-rapport/rapport/").get_data(as_text=True)
    assert "Télécharger le PDF" in body and "résultats non pondérés" in body.lower()
    # the job's « Voir les résultats » opens the report, not the workspace it is shown on
    result = re.search(r'<p data-job-field="result"\s*>\s*<a href="([^"]+)">Voir les résultats</a>', body)
    assert result and result.group(1) == "/espace/campagnes/ville-rapport/rapport/voir"
    assert "<div data-reload-when-done>" in body
    pdf = client.get("/espace/campagnes/ville-rapport/rapport/telecharger/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    html = client.get("/espace/campagnes/ville-rapport/rapport/telecharger/html")
    assert html.status_code == 200 and b"<style>" in html.data
    pptx = client.get("/espace/campagnes/ville-rapport/rapport/telecharger/pptx")
    assert pptx.status_code == 200 and pptx.data[:2] == b"PK"
    view = client.get("/espace/campagnes/ville-rapport/rapport/voir")
    assert view.status_code == 200 and b'<link rel="stylesheet" href="/static/report.css">' in view.data
    assert b"<style" not in view.data

    client.post("/espace/campagnes/ville-rapport/rapport/publier")
    public = client.get("/resultats/ville-rapport")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Résultats du diagnostic local de santé" in text and "Ville de Test" in text
    assert "Le comité de pilotage n'a pas encore retenu" in text
    # the south has fewer than 11 respondents: never a figure
    assert re.search(r"<th scope=\"row\">Sud</th><td>non publié \(moins de 11 répondants\)</td>", text)
    assert len(public.data) < 40_000
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "campaign")).all()
    assert "results.publish" in actions

    client.post("/espace/campagnes/ville-rapport/rapport/retirer")
    assert client.get("/resultats/ville-rapport").status_code == 404
    assert "results.unpublish" in db_session.scalars(select(AuditEvent.action)).all()


def test_the_report_is_for_the_campaign_coordinators_only(client, db_session, create_user, create_campaign, login):
    member_agent = create_user("agent")
    outsider = create_user("coordinator")
    create_campaign("ville-privee", members=[member_agent])
    login(outsider)
    assert client.get("/espace/campagnes/ville-privee/rapport/").status_code == 404
    assert client.get("/espace/campagnes/ville-privee/rapport/telecharger/pdf").status_code == 404
    assert client.post("/espace/campagnes/ville-privee/rapport/produire").status_code == 404
    client.post("/deconnexion")
    login(member_agent)
    assert client.get("/espace/campagnes/ville-privee/rapport/").status_code == 403
    assert client.post("/espace/campagnes/ville-privee/rapport/publier").status_code == 403


def test_the_campaign_page_links_to_the_report(client, db_session, create_user, create_campaign, login):
    coordinator = create_user("coordinator")
    create_campaign("ville-lien", members=[coordinator])
    login(coordinator)
    body = client.get("/espace/campagnes/ville-lien").get_data(as_text=True)
    assert 'href="/espace/campagnes/ville-lien/rapport/"' in body
    assert Role.COORDINATOR


def test_downloads_send_one_charset_in_their_content_type(client, db_session, create_user, create_campaign, login):
    """The HTML download and the report's page say « text/html; charset=utf-8 », once; the others their type."""
    from survey_app.report import services

    coordinator = create_user("coordinator")
    campaign = create_campaign("ville-entetes", members=[coordinator])
    files = {"html": b"<!doctype html><p>rapport</p>", "page": b"<!doctype html><p>page</p>", "pdf": b"%PDF-1.7",
             "pptx": b"PK\x03\x04"}
    services.store_outputs(db_session, campaign, services.Outputs(None, files))
    db_session.commit()
    login(coordinator)
    base = "/espace/campagnes/ville-entetes/rapport"
    expected = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
    for kind, content_type in expected.items():
        reply = client.get(f"{base}/telecharger/{kind}")
        assert reply.status_code == 200 and reply.headers["Content-Type"] == content_type, kind
        assert reply.data == files[kind]
    view = client.get(f"{base}/voir")
    assert view.status_code == 200 and view.headers["Content-Type"] == "text/html; charset=utf-8"
