"""The answering service: codes, drafts, atomic page saves, submission."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.models import Answer, Response, ResponseStatus
from survey_app.services import answering, questionnaires

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
    assert found is response
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
    survey.campaign.closes_on = TODAY - dt.timedelta(days=1)
    with pytest.raises(answering.SurveyClosed):
        answering.start_draft(db_session, survey, language="fr", today=TODAY)


def test_a_page_save_is_atomic(survey, db_session, monkeypatch):
    response, _token = answering.start_draft(db_session, survey, language="fr", today=TODAY)
    outcome = answering.save_page(db_session, survey, response, "un", {"fume": "oui", "cigarettes": "3"}, version_id=survey.version.id)
    assert outcome.saved and outcome.target == "deux"
    db_session.commit()

    real_insert = answering.insert

    def failing_insert(table):
        if table is Answer:
            raise RuntimeError("disk full")
        return real_insert(table)

    monkeypatch.setattr(answering, "insert", failing_insert)
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
    assert again is first
    assert db_session.scalar(select(Response.id).where(Response.id != first.id)) is None
    with pytest.raises(answering.ServiceError):
        answering.generate_invitation_codes(db_session, survey.campaign, 0)
