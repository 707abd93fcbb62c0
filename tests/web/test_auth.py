"""Login and logout of staff."""
from sqlalchemy import select

from survey_app.models import AuditEvent


def test_login_page_is_french_by_default(client):
    response = client.get("/connexion")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr"' in page
    assert "Connexion à l&#39;espace des agents" in page or "Connexion à l'espace des agents" in page
    assert 'autocomplete="current-password"' in page


def test_a_coordinator_logs_in_and_sees_the_home_page(client, create_user, create_campaign, login):
    user = create_user("coordinator")
    create_campaign("ma-campagne", members=[user])
    login(user)
    page = client.get("/espace/").get_data(as_text=True)
    assert "Campagne ma-campagne" in page
    assert "Coordinator Test" in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, create_user):
    user = create_user("agent")
    response = client.post("/connexion", data={"email": user.email, "password": "pas-le-bon-mot"})
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    response = client.post("/connexion", data={"email": "inconnu@ville.test", "password": "pas-le-bon-mot"})
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_empty_form_shows_a_linked_error_summary(client):
    response = client.post("/connexion", data={"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#email"' in page and "Indiquez votre adresse e-mail." in page


def test_a_deactivated_account_cannot_log_in(client, create_user, db_session):
    user = create_user("agent")
    user.active = False
    db_session.commit()
    response = client.post("/connexion", data={"email": user.email, "password": "mot-de-passe-de-test"})
    assert response.status_code == 400


def test_login_attempts_are_rate_limited(client, create_user):
    user = create_user("agent")
    codes = [
        client.post("/connexion", data={"email": user.email, "password": "faux-mot-de-passe"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    page = client.post("/connexion", data={"email": user.email, "password": "x"}).get_data(as_text=True)
    assert "Trop de tentatives" in page


def test_next_parameter_cannot_redirect_elsewhere(client, create_user):
    user = create_user("agent")
    response = client.post(
        "/connexion?next=//evil.example/", data={"email": user.email, "password": "mot-de-passe-de-test"}
    )
    assert response.headers["Location"] == "/espace/"


def test_next_parameter_returns_to_the_requested_page(client, create_user):
    user = create_user("agent")
    assert "/connexion?next=%2Fespace%2F" in client.get("/espace/").headers["Location"]
    response = client.post(
        "/connexion?next=/espace/", data={"email": user.email, "password": "mot-de-passe-de-test"}
    )
    assert response.headers["Location"] == "/espace/"


def test_agents_only_see_their_campaigns(client, create_user, create_campaign, login):
    agent = create_user("agent")
    create_campaign("la-sienne", members=[agent])
    create_campaign("une-autre")
    login(agent)
    page = client.get("/espace/").get_data(as_text=True)
    assert "Campagne la-sienne" in page and "Campagne une-autre" not in page
    assert client.get("/espace/campagnes/une-autre").status_code == 404
    page = client.get("/espace/campagnes/la-sienne").get_data(as_text=True)
    assert "Saisir les questionnaires papier" in page
    assert "Pondérer et analyser" not in page


def test_admin_invites_and_deactivates_an_account(client, create_user, login, db_session):
    admin = create_user("admin")
    login(admin)
    response = client.post(
        "/admin/utilisateurs",
        data={"email": "Nouvel.Agent@Ville.test", "display_name": "Nouvel agent", "role": "agent"},
    )
    assert response.status_code == 200 and "/compte/lien/" in response.get_data(as_text=True)
    page = client.get("/admin/utilisateurs").get_data(as_text=True)
    assert "nouvel.agent@ville.test" in page
    duplicate = client.post(
        "/admin/utilisateurs",
        data={"email": "nouvel.agent@ville.test", "display_name": "Doublon", "role": "agent"},
    )
    assert duplicate.status_code == 400
    assert "Un compte existe déjà" in duplicate.get_data(as_text=True)
    from survey_app.accounts.services import find_by_email

    created = find_by_email(db_session, "nouvel.agent@ville.test")
    assert created.invitation_pending and not created.active
    client.post(f"/admin/utilisateurs/{created.id}/activation")
    db_session.expire_all()
    assert find_by_email(db_session, "nouvel.agent@ville.test").invitation_pending is False
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"user.invite", "user.invitation_cancel"} <= actions


def test_admin_cannot_deactivate_themself(client, create_user, login, db_session):
    admin = create_user("admin")
    login(admin)
    client.post(f"/admin/utilisateurs/{admin.id}/activation")
    db_session.expire_all()
    assert db_session.get(type(admin), admin.id).active is True


def test_forms_are_protected_against_cross_site_requests(database_url, tmp_path_factory, committed_db, create_user):
    from tests.conftest import make_test_app

    from survey_app.extensions import db

    app = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    try:
        user = create_user("agent")
        response = app.test_client().post("/connexion", data={"email": user.email, "password": "mot-de-passe-de-test"})
        assert response.status_code == 400
        assert "Le formulaire a expiré" in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()
