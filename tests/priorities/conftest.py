"""A demo campaign built once for this folder's tests, with weights; a bare campaign without
margins, free text or professionals, with thin districts; one nobody answered; one whose
list was never built.

Building the candidates of a campaign codes its free text (the first time in a process,
the French language model loads), so the campaigns are made once per database for the
whole folder, their evidence built by the job "priorities" (immediate mode, the tests'
default: the job runs when it is started), and each test starts from no decision: the
``session`` fixture removes the decisions, the grid and their audit events after each
test. A test that changes the data builds the list again before it ends. After the
folder's last test every table is emptied, as the suite's ``db_session`` does. What it
shares with the collection's world is in ``tests/worlds.py``.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select, update

from tests.worlds import add_accounts, add_empty_campaign, wipe, world_session
from tests.worlds import campaign, client, coordinator, login  # noqa: F401  (fixtures reading the world)

DEMO_RESPONSES = 120
BARE_RESPONSES = 30
UNBUILT_RESPONSES = 40


def _forget_caches():
    from survey_app.coding import cache as coding_cache
    from survey_app.priorities import evidence

    coding_cache.clear()
    evidence.forget()


@pytest.fixture(scope="package")
def world(app):
    """The demo campaign (weights stored), a bare one, and the accounts of the access tests."""
    from survey_app.campaigns import demo, questionnaires, services as campaigns
    from survey_app.extensions import db
    from survey_app.findings import weights
    from survey_app.models import Answer, CampaignStatus, Response

    with app.app_context():
        wipe(db)
        _forget_caches()
        made = demo.setup_demo(db.session, responses=DEMO_RESPONSES, seed=7,
                               questionnaires_dir=app.config["CLS_QUESTIONNAIRES_DIR"])
        campaign = made.campaign
        weights.store_weights(db.session, campaign, weights.weight_sample(db.session, campaign, "resident"))
        accounts = add_accounts(db.session, campaign)
        coordinator, agent, stranger = accounts.coordinator, accounts.agent, accounts.stranger
        # A bare campaign: residents only, no margins, no free text, two thin districts.
        bare = campaigns.create_campaign(db.session, "nue", "Campagne nue", organisation="Ville nue",
                                         status=CampaignStatus.OPEN,
                                         districts=[{"code": "nord", "name": "Nord"}, {"code": "sud", "name": "Sud"},
                                                    {"code": "est", "name": "Est"}])
        campaigns.add_member(db.session, bare, coordinator)
        resident = Path(app.config["CLS_QUESTIONNAIRES_DIR"]) / "resident.yaml"
        version = questionnaires.load_file(db.session, bare, resident)
        demo.seed_responses(db.session, bare, "resident", BARE_RESPONSES, seed=3)
        definition = questionnaires.definition_of(version)
        district = definition.question_for_role("district").id
        texts = [q.id for q in definition.questions.values() if q.type in ("longtext", "text")]
        ids = sorted(db.session.scalars(select(Response.id).where(Response.campaign_id == bare.id)))
        db.session.execute(delete(Answer).where(Answer.response_id.in_(ids), Answer.question_id.in_(texts)))
        db.session.execute(update(Answer).where(Answer.response_id.in_(ids), Answer.question_id == district)
                           .values(value_text="nord"))
        db.session.execute(update(Answer).where(Answer.response_id.in_(ids[:4]), Answer.question_id == district)
                           .values(value_text="est"))
        # A campaign whose questionnaire nobody has answered yet.
        empty = add_empty_campaign(db.session, coordinator, resident)
        # A campaign with answers whose list nobody has built yet.
        unbuilt = campaigns.create_campaign(db.session, "sans-liste", "Campagne sans liste", organisation="Ville",
                                            status=CampaignStatus.OPEN,
                                            districts=[{"code": "nord", "name": "Nord"}, {"code": "sud", "name": "Sud"}])
        campaigns.add_member(db.session, unbuilt, coordinator)
        questionnaires.load_file(db.session, unbuilt, resident)
        demo.seed_responses(db.session, unbuilt, "resident", UNBUILT_RESPONSES, seed=5)
        db.session.commit()
        build(db.session, campaign)
        build(db.session, bare)
        found = SimpleNamespace(slug=campaign.slug, campaign_id=campaign.id, bare_id=bare.id, empty_id=empty.id,
                                unbuilt_id=unbuilt.id, unbuilt_slug=unbuilt.slug,
                                coordinator_id=coordinator.id, coordinator_email=coordinator.email,
                                agent_email=agent.email, stranger_email=stranger.email)
        db.session.remove()
    yield found
    with app.app_context():
        wipe(db)
        _forget_caches()
        db.session.remove()


def build(session, campaign):
    """Build the campaign's evidence through the job "priorities" (it runs at once in tests)."""
    from survey_app.models import JobState
    from survey_app.priorities import stored

    job = stored.start_build(session, campaign)
    assert job.state is JobState.DONE, job.error
    return job


@pytest.fixture()
def session(app, world):
    """The database session in an application context; decisions, grid and their history removed afterwards."""
    from survey_app.models import AuditEvent, PriorityDecision, PriorityGrid

    def cleanup(session):
        session.execute(delete(PriorityDecision))
        session.execute(delete(PriorityGrid))
        session.execute(delete(AuditEvent).where(AuditEvent.entity_type == "priorities"))

    with world_session(app, cleanup) as session:
        yield session
