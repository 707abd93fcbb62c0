"""Object-level access: a coordinator of campaign A reaches nothing of campaign B.

Generated from the URL map. Every staff route with a ``slug`` is requested for B by
A's coordinator and agent, for each method it accepts; every staff route with a
``slug`` and an object id is requested with A's slug and an id of B's object. Each
must answer 404 (not 403: nothing tells that B exists) and change nothing.
"""
import pytest

from survey_app.models import Role
from survey_app.web.access import PUBLIC, view_access

from .inventory import arguments, build_url, fixture_world, object_of
from .test_csrf_inventory import database_contents

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def campaign_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "slug" in rule.arguments and view_access(app, rule.endpoint) not in (PUBLIC, None)
    ]


def test_there_are_campaign_routes_to_check(app):
    assert len(campaign_rules(app)) >= 10


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AGENT])
def test_nothing_of_another_campaign_is_reachable(app, client, db_session, create_user, create_campaign, login, role):
    world = fixture_world(db_session, create_user, create_campaign)
    login(world["users"][role])
    checked = 0
    for rule in campaign_rules(app):
        url = build_url(rule, world, world["campaign_b"])
        for method in sorted(rule.methods & METHODS):
            before = database_contents(db_session)
            response = client.open(url, method=method, data={"label": "x", "key": "x", "count": "1"})
            response.close()
            where = (role.value, method, url, response.status_code)
            if role is Role.AGENT and not Role.AGENT.rank >= view_access(app, rule.endpoint).rank:
                assert response.status_code in (403, 404), where
            else:
                assert response.status_code == 404, where
            assert database_contents(db_session) == before, where
            checked += 1
    assert checked >= len(campaign_rules(app))


def test_objects_of_another_campaign_are_not_reachable_through_ones_own(app, client, db_session, create_user, create_campaign, login):
    world = fixture_world(db_session, create_user, create_campaign)
    login(world["users"][Role.COORDINATOR])
    checked = 0
    for rule in campaign_rules(app):
        ids = [name for name, converter, _ in arguments(rule) if converter == "int" and name != "user_id"]
        if not any(object_of(world["campaign_b"], name) is not None for name in ids):
            continue  # no object of B that this route could name
        url = build_url(rule, world, world["campaign_a"], objects_of=world["campaign_b"])
        for method in sorted(rule.methods & METHODS):
            before = database_contents(db_session)
            response = client.open(url, method=method)
            response.close()
            assert response.status_code == 404, (method, url, response.status_code)
            assert database_contents(db_session) == before, (method, url)
            checked += 1
    print(f"object-level requests: {checked}")
    assert checked >= 5  # paper forms, blank forms, jobs, weighting charts at least


def test_an_administrator_sees_every_campaign(app, client, db_session, create_user, create_campaign, login):
    world = fixture_world(db_session, create_user, create_campaign)
    login(world["users"][Role.ADMIN])
    response = client.get(f"/espace/campagnes/{world['campaign_b'].slug}")
    assert response.status_code == 200
