"""Every route that changes something refuses a request without a CSRF token.

The routes are read from the URL map: a write route added without protection makes
this test fail.
"""
import re

import pytest

from survey_app.models import Role

from .inventory import WRITE_METHODS, build_url, fixture_world


@pytest.fixture()
def strict_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _login(client, user):
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"email": user.email, "password": "mot-de-passe-de-test", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


#: Plausible fields of every form, so that only the missing token can be the reason to refuse.
FORM = {
    "email": "x@ville.test", "password": "un-long-mot-de-passe", "display_name": "X", "role": "agent",
    "label": "x", "key": "x", "terms": "x", "count": "1", "another": "1", "action": "next", "code": "ABCD-EFGH",
}


def database_contents(session):
    """Every row of every table (the test database is small)."""
    from sqlalchemy import select

    from survey_app.extensions import db

    session.expire_all()
    return {
        table.name: sorted(tuple(map(repr, row)) for row in session.execute(select(table)).all())
        for table in db.metadata.sorted_tables
    }


def _start_draft(client, campaign):
    page = client.get(f"/enquete/{campaign.slug}/mini").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/enquete/{campaign.slug}/mini/commencer", data={"csrf_token": token})
    assert response.status_code == 302 and "/page/" in response.headers["Location"], response.status_code


def write_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.methods & WRITE_METHODS]


def test_there_are_write_routes_to_check(strict_app):
    assert len(write_rules(strict_app)) >= 8


@pytest.mark.parametrize("token", [None, "jeton-forgé-é€", "IjAxMjM0NTY3ODlhYmNkZWYi.forged.signature"], ids=["missing", "non-ascii", "forged"])
@pytest.mark.parametrize("identity", ["anonymous", "admin"])
def test_every_write_route_refuses_a_request_without_token(strict_app, db_session, create_user, create_campaign, identity, token):
    world = fixture_world(db_session, create_user, create_campaign)
    client = strict_app.test_client()
    if identity == "admin":
        _login(client, world["users"][Role.ADMIN])
    else:
        _start_draft(client, world["campaign_a"])  # so that the survey's pages have something to change
    checked = []
    for rule in write_rules(strict_app):
        url = build_url(rule, world, world["campaign_a"])
        for method in sorted(rule.methods & WRITE_METHODS):
            before = database_contents(db_session)
            response = client.open(url, method=method, data=FORM if token is None else {**FORM, "csrf_token": token})
            response.close()
            assert database_contents(db_session) == before, (method, url, "changed the database without a token")
            checked.append((method, url))
            if identity == "anonymous" and response.status_code == 302 and "/connexion" in response.headers["Location"]:
                continue  # refused before the form is read: the login page
            if rule.endpoint.startswith("survey."):
                # The residents' pages check the token themselves: the form again with
                # "le formulaire a expiré" (400/422), or back to where the draft is.
                assert response.status_code in (302, 400, 403, 422), (method, url, response.status_code)
                continue
            assert response.status_code in (400, 403), (method, url, response.status_code)
    if identity == "admin":
        assert len(checked) == sum(len(r.methods & WRITE_METHODS) for r in write_rules(strict_app))


def test_only_the_survey_blueprint_checks_its_token_itself(strict_app):
    """Flask-WTF protects everything else; an exemption elsewhere must be a deliberate change here."""
    from survey_app.extensions import csrf

    exempt = {getattr(bp, "name", bp) for bp in csrf._exempt_blueprints} | set(csrf._exempt_views)
    assert exempt <= {"survey"}, exempt
