"""What the demo worlds of several test folders share (``tests/collection/world.py``, the
exports tests, ``tests/priorities/conftest.py``): emptying the tables, the accounts of
the access tests (a coordinator and an agent of the demo campaign, a stranger
coordinating another campaign), the campaign nobody answered, and the fixtures that read
a world: its session, campaign, coordinator, a client and a login by e-mail.

A folder builds its own world (a module- or package-scoped fixture named ``world``
returning a namespace with at least ``campaign_id`` and ``coordinator_id``) and imports
the fixtures it uses from here into its ``conftest.py``.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest

from tests.conftest import TEST_PASSWORD


def wipe(db) -> None:
    """Empty every table and forget the surveys served lately."""
    from survey_app.survey import answering

    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    answering.forget_surveys()


def add_accounts(session, campaign, *, second: bool = False) -> SimpleNamespace:
    """The coordinator (and, with ``second``, a second one) and the agent of ``campaign``;
    a stranger coordinating the campaign « ailleurs » only."""
    from survey_app.accounts import services as users
    from survey_app.campaigns import services as campaigns
    from survey_app.models import CampaignStatus, Role

    coordinator = users.create_user(session, "coordination@ville.test", TEST_PASSWORD, Role.COORDINATOR,
                                    display_name="Camille Coordination")
    deputy = users.create_user(session, "adjointe@ville.test", TEST_PASSWORD, Role.COORDINATOR,
                               display_name="Dominique Adjointe") if second else None
    agent = users.create_user(session, "agent@ville.test", TEST_PASSWORD, Role.AGENT, display_name="Agent Saisie")
    stranger = users.create_user(session, "ailleurs@ville.test", TEST_PASSWORD, Role.COORDINATOR,
                                 display_name="Coordination d'ailleurs")
    for user in (coordinator, deputy, agent):
        if user is not None:
            campaigns.add_member(session, campaign, user)
    elsewhere = campaigns.create_campaign(session, "ailleurs", "Campagne d'ailleurs", organisation="Ailleurs",
                                          status=CampaignStatus.OPEN, districts=[{"code": "a", "name": "A"}])
    campaigns.add_member(session, elsewhere, stranger)
    return SimpleNamespace(coordinator=coordinator, second=deputy, agent=agent, stranger=stranger,
                           elsewhere=elsewhere)


def add_empty_campaign(session, coordinator, questionnaire: Path):
    """The campaign « vide », coordinated by ``coordinator``: ``questionnaire`` loaded, no answer."""
    from survey_app.campaigns import questionnaires, services as campaigns
    from survey_app.models import CampaignStatus

    empty = campaigns.create_campaign(session, "vide", "Campagne vide", organisation="Ville vide",
                                      status=CampaignStatus.OPEN, districts=[{"code": "x", "name": "X"}])
    campaigns.add_member(session, empty, coordinator)
    questionnaires.load_file(session, empty, questionnaire)
    return empty


@contextmanager
def world_session(app, cleanup: Callable | None = None):
    """The database session in an application context; afterwards what the test left
    uncommitted is rolled back, ``cleanup(session)`` (if any) committed, and the rate
    limits reset."""
    from survey_app.extensions import db, limiter

    with app.app_context():
        yield db.session
        db.session.rollback()
        if cleanup is not None:
            cleanup(db.session)
            db.session.commit()
        db.session.remove()
    limiter.reset()


@pytest.fixture()
def campaign(session, world):
    from survey_app.models import Campaign

    return session.get(Campaign, world.campaign_id)


@pytest.fixture()
def coordinator(session, world):
    from survey_app.models import User

    return session.get(User, world.coordinator_id)


@pytest.fixture()
def client(app, session):
    return app.test_client()


@pytest.fixture()
def login(client):
    """Log ``client`` in by e-mail (every account of a world has ``TEST_PASSWORD``)."""
    def _login(email: str):
        response = client.post("/connexion", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)

    return _login
