"""Every route declares who may reach it, and each role gets exactly that."""
import pytest

from survey_app.models import Role
from survey_app.web.access import PUBLIC, view_access

#: The intended access of every endpoint. A new route must be added here.
EXPECTED = {
    "static": PUBLIC,
    "public.index": PUBLIC,
    "public.set_language": PUBLIC,
    "public.health": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": Role.AGENT,
    "staff.home": Role.AGENT,
    "staff.campaign": Role.AGENT,
    "admin.users": Role.ADMIN,
    "admin.toggle_active": Role.ADMIN,
    "survey.info": PUBLIC,
    "survey.start": PUBLIC,
    "survey.page": PUBLIC,
    "survey.review": PUBLIC,
    "survey.thanks": PUBLIC,
    "survey.later": PUBLIC,
    "survey.resume": PUBLIC,
    "campaign_links.links": Role.COORDINATOR,
    "campaign_links.qr_code": Role.COORDINATOR,
    "campaign_links.invitations": Role.COORDINATOR,
    "coding.screen": Role.COORDINATOR,
    "coding.record": Role.COORDINATOR,
    "coding.add_theme": Role.COORDINATOR,
    "coding.auto": Role.COORDINATOR,
    "coding.emerging": Role.COORDINATOR,
    "coding.shares": Role.COORDINATOR,
    "coding.codebook_file": Role.COORDINATOR,
}

IDENTITIES = [None, Role.AGENT, Role.COORDINATOR, Role.ADMIN]


def test_every_route_declares_the_intended_access(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "routes and the access table differ"
    for endpoint in endpoints:
        assert view_access(app, endpoint) == EXPECTED[endpoint], endpoint


def _url_for_rule(rule, values):
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<{argument}>", str(values[argument]))
        url = url.replace(f"<int:{argument}>", str(values[argument]))
    return url


def _allowed(access, identity):
    if access == PUBLIC:
        return True
    return identity is not None and identity.rank >= access.rank


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda r: r.value if r else "anonymous")
def test_each_identity_gets_exactly_the_intended_access(app, client, create_user, create_campaign, login, identity):
    users = {role: create_user(role.value) for role in Role}
    campaign = create_campaign("acces", members=list(users.values()))
    values = {
        "slug": campaign.slug,
        "user_id": users[Role.AGENT].id,
        "lang": "fr",
        "filename": "style.css",
        "key": "resident",
        "section_id": "profil",
        "fmt": "svg",
    }
    if identity is not None:
        login(users[identity])
    checked = 0
    for rule in app.url_map.iter_rules():
        access = EXPECTED[rule.endpoint]
        url = _url_for_rule(rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if rule.endpoint == "auth.logout" and identity is not None:
                continue  # signing out would end the session for the next routes; checked below
            response = client.open(url, method=method)
            checked += 1
            if _allowed(access, identity):
                assert response.status_code not in (401, 403), (url, method, response.status_code)
                assert "/connexion?next=" not in response.headers.get("Location", ""), (url, method)
            elif identity is None:
                assert response.status_code == 302, (url, method, response.status_code)
                assert "/connexion" in response.headers["Location"], (url, method)
            else:
                assert response.status_code == 403, (url, method, response.status_code)
    assert checked >= len(EXPECTED)


def test_logout_needs_an_account_and_ends_the_session(client, create_user, login):
    user = create_user("agent")
    login(user)
    assert client.get("/espace/").status_code == 200
    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 302


def test_undeclared_view_is_refused_to_everybody(app, db_session):
    from survey_app import create_app

    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x", "TESTING": True}, environ={})
    other.add_url_rule("/oubli", "oubli", lambda: "secret")
    assert other.test_client().get("/oubli").status_code == 403
