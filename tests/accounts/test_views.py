"""Account pages: invite → accept → log in, links, roles, deactivation, activity, access."""
import html
import re

import pytest
from sqlalchemy import select

from survey_app.models import AuditEvent, Role, User

NEW_PASSWORD = "cheval agrafe batterie"


def text(response):
    return html.unescape(response.get_data(as_text=True))


def invitation_link(response) -> str:
    found = re.search(r'id="lien" type="text" readonly value="http://localhost(/compte/lien/[^"]+)"', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


def invite(client, email="nouvelle@ville.test", role="agent", campaigns=()):
    response = client.post("/admin/utilisateurs", data={
        "email": email, "display_name": "Nouvelle Personne", "role": role, "campaigns": [str(c) for c in campaigns],
    })
    assert response.status_code == 200, text(response)
    return invitation_link(response)


def test_invite_accept_and_log_in(app, client, create_user, create_campaign, login, db_session):
    admin = create_user("admin")
    campaign = create_campaign("ville-a")
    create_campaign("ville-b")
    login(admin)
    form = text(client.get("/admin/utilisateurs"))
    assert 'for="campaigns-0"' in form and "Campagne ville-a" in form
    url = invite(client, campaigns=[campaign.id])
    assert "invitation en attente" in text(client.get("/admin/utilisateurs"))

    invitee = app.test_client()
    page = text(invitee.get(url))
    assert "Ouvrir votre compte" in page and "nouvelle@ville.test" in page
    assert invitee.post("/connexion", data={"email": "nouvelle@ville.test", "password": NEW_PASSWORD}).status_code == 400
    weak = invitee.post(url, data={"password": "azertyuiop123", "confirm": "azertyuiop123"})
    assert weak.status_code == 400 and "plus courants" in text(weak) and 'href="#password"' in text(weak)
    mismatch = invitee.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "pas identiques" in text(mismatch)
    accepted = invitee.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/espace/"
    home = text(invitee.get("/espace/"))
    assert "Nouvelle Personne" in home and "Campagne ville-a" in home and "Campagne ville-b" not in home

    again = app.test_client().get(url)
    assert again.status_code == 410 and "déjà servi" in text(again)
    fresh = app.test_client()
    assert fresh.post("/connexion", data={"email": "nouvelle@ville.test", "password": NEW_PASSWORD}).status_code == 302
    assert fresh.get("/espace/").status_code == 200
    assert {"user.invite", "user.invitation_accept"} <= set(db_session.scalars(select(AuditEvent.action)))


def test_the_link_page_is_not_cached_nor_leaked(app, client, create_user, login):
    login(create_user("admin"))
    response = client.post("/admin/utilisateurs", data={"email": "x@ville.test", "display_name": "X", "role": "agent"})
    assert "no-store" in response.headers["Cache-Control"]
    url = invitation_link(response)
    page = app.test_client().get(url)
    assert "no-store" in page.headers["Cache-Control"] and page.headers["Referrer-Policy"] == "same-origin"


def test_an_expired_or_unknown_link_says_so_in_french(app, client, create_user, login, db_session):
    import datetime as dt

    from survey_app.models import AccountLink

    login(create_user("admin"))
    url = invite(client)
    link = db_session.scalar(select(AccountLink))
    link.expires_at = link.created_at - dt.timedelta(minutes=1)
    db_session.commit()
    invitee = app.test_client()
    response = invitee.get(url)
    assert response.status_code == 410 and "Ce lien a expiré le" in text(response)
    posted = invitee.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.status_code == 410
    assert db_session.get(User, link.user_id).invitation_pending is True
    unknown = invitee.get("/compte/lien/pas-un-vrai-lien")
    assert unknown.status_code == 410 and "pas valide" in text(unknown)


def test_a_duplicate_address_is_refused_with_a_linked_error(client, create_user, login):
    admin = create_user("admin")
    login(admin)
    response = client.post("/admin/utilisateurs", data={"email": admin.email.upper(), "display_name": "D", "role": "agent"})
    assert response.status_code == 400 and "Un compte existe déjà" in text(response)
    assert 'href="#email"' in text(response) and 'aria-invalid="true"' in text(response)


def test_deactivation_refuses_login_and_ends_the_open_session(app, client, create_user, login, db_session):
    admin = create_user("admin")
    agent = create_user("agent")
    login(admin)
    browser = app.test_client()
    assert browser.post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"}).status_code == 302
    assert browser.get("/espace/").status_code == 200
    response = client.post(f"/admin/utilisateurs/{agent.id}/activation")
    assert response.status_code == 302
    assert "ses sessions sont terminées" in text(client.get(response.headers["Location"]))
    ended = browser.get("/espace/")
    assert ended.status_code == 302 and "/connexion" in ended.headers["Location"]
    assert app.test_client().post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"}).status_code == 400
    client.post(f"/admin/utilisateurs/{agent.id}/activation")  # reactivated
    assert app.test_client().post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"}).status_code == 302
    changes = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.active").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.new_value) for e in changes] == [(admin.id, False), (admin.id, True)]


def test_a_role_change_takes_effect_on_the_next_request(app, client, create_user, create_campaign, login, db_session):
    admin = create_user("admin")
    agent = create_user("agent")
    campaign = create_campaign("ville-a", members=[agent])
    other = create_campaign("ville-b")
    login(admin)
    browser = app.test_client()
    browser.post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"})
    assert "Marges du recensement et pondération" not in text(browser.get("/espace/campagnes/ville-a"))
    assert browser.get("/admin/utilisateurs").status_code == 403
    response = client.post(f"/admin/utilisateurs/{agent.id}/role", data={"role": "coordinator", "campaigns": [str(campaign.id), str(other.id)]})
    assert response.status_code == 302
    assert "Marges du recensement et pondération" in text(browser.get("/espace/campagnes/ville-a"))
    assert browser.get("/espace/campagnes/ville-b").status_code == 200
    client.post(f"/admin/utilisateurs/{agent.id}/role", data={"role": "admin", "campaigns": []})
    assert browser.get("/admin/utilisateurs").status_code == 200
    client.post(f"/admin/utilisateurs/{agent.id}/role", data={"role": "agent", "campaigns": [str(other.id)]})
    assert browser.get("/espace/campagnes/ville-a").status_code == 404
    assert browser.get("/admin/utilisateurs").status_code == 403
    page = text(client.get(f"/admin/utilisateurs/{agent.id}"))
    assert "agent de saisie" in page
    unknown = client.post(f"/admin/utilisateurs/{agent.id}/role", data={"role": "chef", "campaigns": ["999999"]})
    assert unknown.status_code == 400 and 'href="#role"' in text(unknown)
    assert db_session.get(User, agent.id).role is Role.AGENT


def test_a_reset_link_works_once_and_never_shows_a_password(app, client, create_user, login, db_session):
    admin = create_user("admin")
    agent = create_user("agent")
    login(admin)
    browser = app.test_client()
    browser.post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"})
    response = client.post(f"/admin/utilisateurs/{agent.id}/lien")
    assert response.status_code == 200 and "nouveau mot de passe" in text(response)
    assert "mot-de-passe-de-test" not in text(response)
    url = invitation_link(response)
    owner = app.test_client()
    assert "Choisir un nouveau mot de passe" in text(owner.get(url))
    assert owner.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert owner.get("/espace/").status_code == 200
    assert browser.get("/espace/").status_code == 302  # the session opened before ended
    assert app.test_client().post("/connexion", data={"email": agent.email, "password": "mot-de-passe-de-test"}).status_code == 400
    assert app.test_client().post("/connexion", data={"email": agent.email, "password": NEW_PASSWORD}).status_code == 302
    reused = app.test_client().post(url, data={"password": "encore une autre phrase", "confirm": "encore une autre phrase"})
    assert reused.status_code == 410 and "déjà servi" in text(reused)


def test_the_last_administrator_cannot_demote_or_deactivate_themself(client, create_user, login, db_session):
    admin = create_user("admin")
    login(admin)
    response = client.post(f"/admin/utilisateurs/{admin.id}/role", data={"role": "agent"})
    assert response.status_code == 400 and "dernier compte d'administration" in text(response)
    client.post(f"/admin/utilisateurs/{admin.id}/activation")
    db_session.expire_all()
    admin = db_session.get(User, admin.id)
    assert admin.role is Role.ADMIN and admin.active
    create_user("admin")
    response = client.post(f"/admin/utilisateurs/{admin.id}/role", data={"role": "coordinator"})
    assert response.status_code == 302 and response.headers["Location"] == "/espace/"
    assert client.get("/admin/utilisateurs").status_code == 403


@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_only_administrators_reach_the_account_pages(client, create_user, login, db_session, role):
    target = create_user("agent")
    login(create_user(role))
    for method, url in [("GET", "/admin/utilisateurs"), ("POST", "/admin/utilisateurs"), ("GET", f"/admin/utilisateurs/{target.id}"),
                        ("POST", f"/admin/utilisateurs/{target.id}/role"), ("POST", f"/admin/utilisateurs/{target.id}/activation"),
                        ("POST", f"/admin/utilisateurs/{target.id}/lien"), ("GET", "/admin/activite")]:
        response = client.open(url, method=method, data={"email": "x@ville.test", "display_name": "X", "role": "admin"})
        assert response.status_code == 403, (method, url)
    assert db_session.scalar(select(AuditEvent.id).where(AuditEvent.action.like("user.%"), AuditEvent.actor_id.isnot(None))) is None
    assert db_session.get(User, target.id).active and db_session.get(User, target.id).role is Role.AGENT


def test_account_forms_need_a_csrf_token(make_app, create_user, db_session):
    app = make_app(WTF_CSRF_ENABLED=True)
    admin = create_user("admin")
    target = create_user("agent")
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/connexion", data={"email": admin.email, "password": "mot-de-passe-de-test", "csrf_token": token})
    assert client.post(f"/admin/utilisateurs/{target.id}/activation").status_code == 400
    assert client.post(f"/admin/utilisateurs/{target.id}/role", data={"role": "admin"}).status_code == 400
    assert client.post(f"/admin/utilisateurs/{target.id}/lien").status_code == 400
    assert client.post("/admin/utilisateurs", data={"email": "y@ville.test", "display_name": "Y", "role": "agent"}).status_code == 400
    db_session.expire_all()
    target = db_session.get(User, target.id)
    assert target.active and target.role is Role.AGENT
    assert db_session.scalar(select(User).where(User.email == "y@ville.test")) is None


def test_activity_pages_show_who_what_when_and_campaign_but_no_answer(client, create_user, create_campaign, login, db_session):
    from survey_app import audit

    admin = create_user("admin")
    coordinator = create_user("coordinator")
    campaign = create_campaign("ville-a", members=[coordinator])
    audit.record(db_session, coordinator, "response.correct", "response", 424242, field="idees",
                 old="Mon voisin est malade", new="Texte confidentiel")
    audit.record(db_session, coordinator, "campaign.status", "campaign", campaign.id, field="status", old="open", new="closed")
    db_session.commit()
    login(admin)
    client.post(f"/admin/utilisateurs/{coordinator.id}/role", data={"role": "agent", "campaigns": [str(campaign.id)]})
    page = text(client.get("/admin/activite"))
    assert "<th scope=\"col\">Qui</th>" in page
    assert "rôle changé" in page and "coordination CLS → agent de saisie" in page
    assert "statut de la campagne changé" in page and "ouverte → close" in page
    assert "réponse corrigée" in page and "réponse n° 424242" in page and "Campagne ville-a" in page
    assert "malade" not in page and "confidentiel" not in page
    mine = text(client.get(f"/admin/activite?compte={coordinator.id}"))
    assert "Activité de Coordinator Test" in mine and "rôle changé" not in mine and "réponse corrigée" in mine
    account = text(client.get(f"/admin/utilisateurs/{coordinator.id}"))
    assert "Dernières actions" in account and "statut de la campagne changé" in account
    assert client.get("/admin/activite?compte=999999").status_code == 404
    assert client.get("/admin/activite?page=abc").status_code == 200


def test_activity_pages_are_paginated(client, create_user, login, db_session):
    from survey_app import audit

    admin = create_user("admin")
    for number in range(55):
        audit.record(db_session, admin, "results.publish", "campaign", 10_000 + number)
    db_session.commit()
    login(admin)
    first = text(client.get("/admin/activite"))
    assert "page 1 sur 2" in first and 'rel="next"' in first and first.count("résultats publiés") == 50
    second = text(client.get("/admin/activite?page=2"))
    assert second.count("résultats publiés") == 5 and 'rel="prev"' in second


def test_cancelling_an_invitation_from_its_page_stops_its_link(app, client, create_user, login, db_session):
    login(create_user("admin"))
    url = invite(client, email="annulee@ville.test")
    invited = db_session.scalar(select(User).where(User.email == "annulee@ville.test"))
    page = text(client.get(f"/admin/utilisateurs/{invited.id}"))
    assert "Annuler l'invitation" in page and "Créer un nouveau lien d'invitation" in page
    client.post(f"/admin/utilisateurs/{invited.id}/activation")
    response = app.test_client().post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410 and "annulé" in text(response)
    db_session.expire_all()
    invited = db_session.get(User, invited.id)
    assert not invited.active and not invited.invitation_pending
    assert "invitation annulée" in text(client.get("/admin/activite"))
