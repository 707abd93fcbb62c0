"""Every route declares who may reach it, and each role gets exactly that.

Generated from the URL map: a route added by any feature is checked the day it lands,
from the access it declares (``@public`` or ``@requires(Role.X)``).
"""
import pytest

from survey_app.models import Role
from survey_app.web.access import PUBLIC, view_access
from tests.security.inventory import build_url, fixture_world

IDENTITIES = [None, Role.AGENT, Role.COORDINATOR, Role.ADMIN]
#: URL prefixes of the staff's pages: nothing under them may be public.
STAFF_PREFIXES = ("/espace", "/admin", "/saisie")


def test_every_route_declares_its_access(app):
    undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if view_access(app, rule.endpoint) is None]
    assert not undeclared, f"routes without @public or @requires: {undeclared}"


def test_staff_pages_are_never_public_and_administration_is_for_administrators(app):
    for rule in app.url_map.iter_rules():
        access = view_access(app, rule.endpoint)
        if rule.rule.startswith(STAFF_PREFIXES):
            assert access != PUBLIC, rule.rule
        if rule.rule.startswith("/admin"):
            assert access == Role.ADMIN, rule.rule


def test_public_routes_are_the_residents_and_the_doors():
    """Whatever is public holds no campaign data for staff: residents' pages, login, language, health check."""
    from survey_app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True}, environ={})
    for rule in app.url_map.iter_rules():
        if view_access(app, rule.endpoint) == PUBLIC:
            assert not rule.rule.startswith(STAFF_PREFIXES), rule.rule


def _allowed(access, identity):
    if access == PUBLIC:
        return True
    return identity is not None and identity.rank >= access.rank


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda r: r.value if r else "anonymous")
def test_each_identity_gets_exactly_the_declared_access(app, client, db_session, create_user, create_campaign, login, identity):
    world = fixture_world(db_session, create_user, create_campaign)
    if identity is not None:
        login(world["users"][identity])
    checked = 0
    for rule in app.url_map.iter_rules():
        access = view_access(app, rule.endpoint)
        url = build_url(rule, world, world["campaign_a"])
        for method in sorted(rule.methods & {"GET", "POST"}):
            if rule.endpoint == "auth.logout" and identity is not None:
                continue  # signing out would end the session for the next routes; checked below
            response = client.open(url, method=method)
            response.close()
            checked += 1
            where = (identity, method, url, response.status_code)
            if _allowed(access, identity):
                assert response.status_code not in (401, 403), where
                assert "/connexion?next=" not in response.headers.get("Location", ""), where
            elif identity is None:
                assert response.status_code == 302, where
                assert "/connexion" in response.headers["Location"], where
            else:
                assert response.status_code == 403, where
    assert checked >= len(list(app.url_map.iter_rules()))


def test_logout_needs_an_account_and_ends_the_session(client, create_user, login):
    user = create_user("agent")
    assert client.post("/deconnexion").headers["Location"].startswith("/connexion")
    login(user)
    assert client.get("/espace/").status_code == 200
    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 302


def test_undeclared_view_is_refused_to_everybody(app, db_session):
    from survey_app import create_app

    from survey_app.extensions import db

    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x", "TESTING": True}, environ={})
    other.add_url_rule("/oubli", "oubli", lambda: "secret")
    try:
        assert other.test_client().get("/oubli").status_code == 403
    finally:
        with other.app_context():
            db.engine.dispose()
