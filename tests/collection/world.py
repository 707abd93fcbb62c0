"""A demo campaign built once per test module (on each database), shared by the collection
and export tests: its responses, a paper form with « non renseigné » and « illisible »
marks, a hostile free text, drafts and an excluded response; a second campaign that only
a stranger coordinator works on; an empty one. Tables are emptied before and after.
What it shares with other folders' worlds is in ``tests/worlds.py``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from tests.worlds import add_accounts, add_empty_campaign, wipe, world_session
# the fixtures reading the world, for the conftest.py of the folders using it
from tests.worlds import campaign, client, coordinator, login  # noqa: F401

RESPONSES = 80
HOSTILE = '=HYPERLINK("http://exemple.invalid","clic")'


def build_world(app, *, weights: bool = False) -> SimpleNamespace:
    from survey_app.campaigns import demo, questionnaires
    from survey_app.extensions import db
    from survey_app.models import Answer, Channel, FormState, PaperEntry, PaperForm, Response, ResponseStatus

    with app.app_context():
        wipe(db)
        made = demo.setup_demo(db.session, responses=RESPONSES, seed=11,
                               questionnaires_dir=app.config["CLS_QUESTIONNAIRES_DIR"])
        campaign = made.campaign
        if weights:  # stored as a weighting run would store them (80 responses are too few to rake)
            from survey_app.findings.weights import set_run_weights
            from survey_app.models import WeightingRun

            run = WeightingRun(campaign_id=campaign.id, method="rake", diagnostics={})
            ids = list(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)))
            set_run_weights(run, ids, [1 + (rid % 7) / 3 for rid in ids])
            db.session.add(run)
            db.session.flush()
        accounts = add_accounts(db.session, campaign, second=True)
        coordinator, second, agent, stranger = accounts.coordinator, accounts.second, accounts.agent, accounts.stranger
        empty = add_empty_campaign(db.session, coordinator,
                                   Path(app.config["CLS_QUESTIONNAIRES_DIR"]) / "resident.yaml")
        version = questionnaires.current_version(db.session, campaign, "resident")
        definition = questionnaires.definition_of(version)
        ids = sorted(db.session.scalars(select(Response.id).where(Response.questionnaire_version_id == version.id)))
        age = definition.question_for_role("age_band").id
        sex = definition.question_for_role("sex").id
        # a paper form whose age was illegible and sex left blank
        marked = ids[0]
        db.session.execute(delete(Answer).where(Answer.response_id == marked, Answer.question_id.in_([age, sex])))
        response = db.session.get(Response, marked)
        response.channel, response.paper_serial = Channel.PAPER, "P0001"
        form = PaperForm(campaign_id=campaign.id, serial="P0001", keyed_serial="P0001",
                         questionnaire_version_id=version.id, response_id=marked, state=FormState.KEYED)
        form.entries.append(PaperEntry(round=1, agent_id=agent.id, answers={}, markers={age: "illegible", sex: "blank"}))
        db.session.add(form)
        # a hostile free text
        text_q = next(q for q in definition.questions.values() if q.type == "longtext")
        hostile = ids[1]
        db.session.execute(delete(Answer).where(Answer.response_id == hostile, Answer.question_id == text_q.id))
        db.session.add(Answer(response_id=hostile, question_id=text_q.id, value_text=HOSTILE, value_kind="text"))
        # an excluded response and two drafts (one old)
        excluded = db.session.get(Response, ids[2])
        excluded.status, excluded.exclusion_reason = ResponseStatus.EXCLUDED, "Réponse de test : essai"
        today = dt.date.today()
        for days, section in ((90, definition.sections[1].id), (2, definition.sections[2].id)):
            db.session.add(Response(campaign_id=campaign.id, questionnaire_version_id=version.id, channel=Channel.WEB,
                                    status=ResponseStatus.DRAFT, created_on=today - dt.timedelta(days=days),
                                    current_section=section, language="fr"))
        db.session.commit()
        found = SimpleNamespace(
            slug=campaign.slug, campaign_id=campaign.id, empty_id=empty.id, elsewhere_slug="ailleurs",
            coordinator_id=coordinator.id, second_id=second.id, coordinator_email=coordinator.email,
            second_email=second.email, agent_email=agent.email, stranger_email=stranger.email,
            marked_id=marked, hostile_id=hostile, excluded_id=ids[2], ids=ids, age=age, sex=sex, text_question=text_q.id,
            version_id=version.id)
        db.session.remove()
    return found


def world_fixture(weights: bool = False):
    @pytest.fixture(scope="module")
    def world(app):
        from survey_app.extensions import db

        found = build_world(app, weights=weights)
        yield found
        with app.app_context():
            wipe(db)
            db.session.remove()

    return world


@pytest.fixture()
def session(app, world):
    with world_session(app) as session:
        yield session
