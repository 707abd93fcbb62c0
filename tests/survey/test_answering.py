"""The answering service: codes, drafts, atomic page saves, submission."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.models import Answer, Campaign, Channel, District, Response, ResponseStatus
from survey_app.survey import answering, store
from survey_app.campaigns import questionnaires

MINI = Path(__file__).resolve().parents[1] / "data" / "survey_mini.yaml"
TODAY = dt.date.today()


@pytest.fixture()
def survey(db_session, create_campaign):
    campaign = create_campaign("service")
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    return answering.find_survey(db_session, "service", "mini")


def test_codes_are_unambiguous_and_only_their_hash_is_kept(survey, db_session):
    response, token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    assert len(token) == answering.RESUME_LENGTH and set(token) <= set(answering.CODE_ALPHABET)
    assert not set("01ILO") & set(answering.CODE_ALPHABET)
    assert response.resume_token_hash == answering.hash_code(token) != token
    assert answering.format_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    found = answering.find_draft(db_session, " " + answering.format_code(token).lower() + " ", today=TODAY, survey=survey)
    assert found == response
    stored = db_session.get(Response, response.id)
    assert stored.resume_token_hash == response.resume_token_hash
    # written with the driver's own statement: read back by the ORM with the right types
    assert (stored.channel, stored.status, stored.created_on, stored.language, stored.current_section) == (
        Channel.WEB, ResponseStatus.DRAFT, TODAY, "fr", "un")
    assert response.current_section == "un" and response.created_on == TODAY


@pytest.mark.parametrize("token", [None, "", "abc", "Z" * 12, 12, "x" * 10_000])
def test_unknown_codes(survey, db_session, token):
    with pytest.raises(answering.ResumeError) as failure:
        answering.find_draft(db_session, token, today=TODAY)
    assert failure.value.reason == "unknown"


def test_old_drafts_and_closed_campaigns_expire(survey, db_session):
    response, token = answering.start_draft(db_session, survey, language="fr", today=TODAY - dt.timedelta(days=100))
    with pytest.raises(answering.ResumeError) as failure:
        answering.find_draft(db_session, token, today=TODAY)
    assert failure.value.reason == "expired"
    campaign = db_session.get(Campaign, survey.campaign.id)
    campaign.closes_on = TODAY - dt.timedelta(days=1)
    db_session.commit()
    # the snapshot of the survey follows the campaign (no stale cache)
    closed = answering.find_survey(db_session, "service", "mini")
    assert closed is not survey and closed.campaign.closes_on == campaign.closes_on
    with pytest.raises(answering.SurveyClosed):
        answering.start_draft(db_session, closed, language="fr", today=TODAY)


def test_survey_snapshots_are_shared_and_follow_every_change(survey, db_session):
    assert answering.find_survey(db_session, "service", "mini").identity == survey.identity  # the same values
    campaign = db_session.get(Campaign, survey.campaign.id)
    changes = [
        lambda: setattr(campaign, "organisation", "Ville renommée"),
        lambda: setattr(campaign, "information", {"fr": {"who": "La mairie."}}),
        lambda: campaign.districts.append(District(code="lointain", name="Lointain", position=9)),
        lambda: setattr(campaign.districts[0], "name", "Centre-ville"),
        lambda: answering.generate_invitation_codes(db_session, campaign, 1),
    ]
    seen = {survey.identity}
    for change in changes:
        change()
        db_session.commit()
        fresh = answering.find_survey(db_session, "service", "mini")
        assert fresh.identity not in seen
        seen.add(fresh.identity)
    assert fresh.campaign.organisation == "Ville renommée" and fresh.campaign.information["fr"]["who"] == "La mairie."
    assert [d["code"] for d in fresh.districts][-1] == "lointain" and fresh.campaign.needs_invitation
    assert fresh.definition is survey.definition  # the definition is rebuilt once per content


def test_a_page_save_is_atomic(survey, db_session, monkeypatch):
    response, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    outcome = answering.save_page(db_session, survey, response, "un", {"fume": "oui", "cigarettes": "3"}, version_id=survey.version.id)
    assert outcome.saved and outcome.target == "deux"
    db_session.commit()

    def failing_insert(session, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "write_answers", failing_insert)
    with pytest.raises(RuntimeError):
        answering.save_page(db_session, survey, response, "un", {"fume": "oui", "cigarettes": "9"}, version_id=survey.version.id)
    db_session.rollback()
    assert answering.stored_answers(db_session, response) == {"fume": "oui", "cigarettes": 3}


def test_save_page_keeps_unchanged_rows_and_drops_hidden_answers(survey, db_session):
    response, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    version = survey.version.id
    answering.save_page(db_session, survey, response, "un", {"fume": "oui", "cigarettes": "3"}, version_id=version)
    answering.save_page(db_session, survey, response, "deux", {"arret": "oui"}, version_id=version)
    ids = dict(db_session.execute(select(Answer.question_id, Answer.id).where(Answer.response_id == response.id)).all())
    answering.save_page(db_session, survey, response, "un", {"fume": "oui", "cigarettes": "4"}, version_id=version)
    after = dict(db_session.execute(select(Answer.question_id, Answer.id).where(Answer.response_id == response.id)).all())
    assert after["fume"] == ids["fume"] and after["cigarettes"] != ids["cigarettes"]
    outcome = answering.save_page(db_session, survey, response, "un", {"fume": "non", "cigarettes": "4"}, version_id=version)
    assert outcome.dropped == ["cigarettes"] and outcome.target == "trois"
    assert answering.stored_answers(db_session, response) == {"fume": "non"}


def test_stale_posts_raise(survey, db_session):
    response, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    for version, section, reason in [(0, "un", "version"), (survey.version.id, "nulle", "section"), (survey.version.id, "deux", "hidden")]:
        with pytest.raises(answering.StalePage) as failure:
            answering.save_page(db_session, survey, response, section, {}, version_id=version)
        assert failure.value.reason == reason


def test_submit_validates_everything_and_closes_the_draft(survey, db_session):
    response, token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    outcome = answering.submit(db_session, survey, response, version_id=survey.version.id, lang="en", today=TODAY)
    assert not outcome.submitted and outcome.errors == {"fume": ["An answer is required."]} and outcome.section_id == "un"
    answering.save_page(db_session, survey, response, "un", {"fume": "non"}, version_id=survey.version.id)
    assert answering.submit(db_session, survey, response, version_id=survey.version.id, lang="fr", today=TODAY).submitted
    assert response.status is ResponseStatus.COMPLETE and response.resume_token_hash is None
    row = db_session.get(Response, response.id)
    assert row.status is ResponseStatus.COMPLETE and row.resume_token_hash is None and row.submitted_on == TODAY
    with pytest.raises(answering.ResumeError):
        answering.find_draft(db_session, token, today=TODAY)
    with pytest.raises(answering.StalePage):
        answering.save_page(db_session, survey, response, "un", {"fume": "oui"}, version_id=survey.version.id)


def test_invitation_codes(survey, db_session):
    codes = answering.generate_invitation_codes(db_session, survey.campaign, 2)
    with pytest.raises(answering.InvitationError):
        answering.start_draft(db_session, survey, language="fr", today=TODAY)
    first, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY, invitation=codes[0])
    again, _other = answering.start_draft(db_session, survey, language="fr", today=TODAY, invitation=codes[0])
    assert again.id == first.id and again.resume_token_hash != first.resume_token_hash
    assert db_session.scalar(select(Response.id).where(Response.id != first.id)) is None
    with pytest.raises(answering.ServiceError):
        answering.generate_invitation_codes(db_session, survey.campaign, 0)


def test_a_recent_survey_is_served_without_a_query_until_a_change_is_committed(survey, db_session):
    from sqlalchemy import event

    engine = db_session.get_bind()
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = answering.find_survey(db_session, "service", "mini", max_age=60)
        assert len(statements) == 1
        assert answering.find_survey(db_session, "service", "mini", max_age=60) is first
        assert len(statements) == 1  # no query
        assert answering.find_survey(db_session, "service", "mini").identity == first.identity  # max_age 0: read
        assert len(statements) == 2
        db_session.get(Campaign, first.campaign.id).name = "Autre nom"
        db_session.commit()  # committed here: forgotten at once
        renamed = answering.find_survey(db_session, "service", "mini", max_age=60)
        assert renamed.campaign.name == "Autre nom"
        answering.generate_invitation_codes(db_session, db_session.get(Campaign, first.campaign.id), 1)
        db_session.commit()  # codes are inserted without the ORM: forgotten too
        assert answering.find_survey(db_session, "service", "mini", max_age=60).campaign.needs_invitation
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_many_answers_are_written_in_chunks_and_read_back_typed(survey, db_session):
    from survey_app.models.response import encode_value

    response, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    values = {f"q{i}": [f"é{i}", "b"] if i % 3 == 0 else (i if i % 3 == 1 else f"texte {i}") for i in range(120)}
    answering.write_answers(db_session, [{"response_id": response.id, "question_id": k, **encode_value(v)}
                                         for k, v in values.items()])
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id)) == 120
    row = db_session.get(Response, response.id)
    assert answering.stored_answers(db_session, row) == values  # through SQLAlchemy's own types
    assert {a.question_id: a.value for a in db_session.scalars(select(Answer).where(Answer.response_id == response.id))} == values
