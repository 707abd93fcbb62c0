"""The jobs API in immediate mode (the test settings), on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey_app.jobs import JobState, get_job, latest_job, start_job
from survey_app.jobs.queue import current_queue
from survey_app.models import Job
from survey_app.models._types import utcnow

from . import kinds  # noqa: F401  (registers the test kinds)


def _running(db_session, campaign, kind="test-echo", *, age_seconds=0.0, attempts=1, params=None):
    """A job row as a consumer leaves it while running (its heartbeat ``age_seconds`` old)."""
    beat = utcnow() - dt.timedelta(seconds=age_seconds)
    job = Job(campaign_id=campaign.id, kind=kind, state=JobState.RUNNING, params=params or {}, progress=0.3,
              message="", attempts=attempts, started_at=beat, heartbeat_at=beat)
    db_session.add(job)
    db_session.commit()
    return job


def test_a_job_runs_and_keeps_its_result(db_session, create_campaign, create_user):
    user = create_user("coordinator")
    campaign = create_campaign()
    job = start_job(db_session, campaign, "test-echo", actor=user, params={"x": 1})
    assert job.state is JobState.DONE and job.progress == 1.0 and job.attempts == 1
    assert job.result == {"campaign_id": campaign.id, "params": {"x": 1}, "attempt": 1}
    assert job.created_by_id == user.id and job.error is None
    assert job.started_at is not None and job.finished_at is not None
    assert get_job(db_session, job.id).id == job.id
    assert latest_job(db_session, campaign, "test-echo", finished=True).id == job.id
    assert latest_job(db_session, campaign, "test-refused") is None


def test_one_job_per_campaign_and_kind_at_a_time(db_session, create_campaign):
    campaign, other = create_campaign("une"), create_campaign("autre")
    running = _running(db_session, campaign)
    again = start_job(db_session, campaign, "test-echo")
    assert again.id == running.id and again.state is JobState.RUNNING
    assert db_session.scalar(select(func.count()).select_from(Job)) == 1
    elsewhere = start_job(db_session, other, "test-echo")  # another campaign: its own job
    assert elsewhere.id != running.id and elsewhere.state is JobState.DONE
    # the database itself refuses a second unfinished job of the same kind
    db_session.add(Job(campaign_id=campaign.id, kind="test-echo", state=JobState.QUEUED, params={}, progress=0,
                       message="", attempts=0))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_a_refusal_fails_the_job_with_its_message(db_session, create_campaign):
    campaign = create_campaign()
    job = start_job(db_session, campaign, "test-refused")
    assert job.state is JobState.FAILED
    assert job.error == "Les marges manquent : importez-les d'abord."
    assert latest_job(db_session, campaign, "test-refused", finished=True).id == job.id
    assert latest_job(db_session, campaign, "test-refused", done=True) is None


def test_a_crash_fails_the_job_with_a_generic_french_message(db_session, create_campaign, caplog):
    campaign = create_campaign()
    job = start_job(db_session, campaign, "test-crash")
    assert job.state is JobState.FAILED
    assert "erreur interne" in job.error and "secret" not in job.error
    assert "secret internal detail" in caplog.text  # the details are in the log only
    # a finished job does not block the next one
    assert start_job(db_session, campaign, "test-crash").id != job.id


def test_an_interrupted_job_is_run_again_when_read(app, db_session, create_campaign):
    campaign = create_campaign()
    stale = current_queue().stale_seconds + 5
    job = _running(db_session, campaign, age_seconds=stale, attempts=1, params={"y": 2})
    fresh = _running(db_session, create_campaign("vivante"), age_seconds=0)
    read = get_job(db_session, job.id)
    assert read.state is JobState.DONE and read.attempts == 2
    assert read.result["attempt"] == 2 and read.result["params"] == {"y": 2}
    assert get_job(db_session, fresh.id).state is JobState.RUNNING  # a live one is left alone


def test_an_interrupted_job_out_of_attempts_is_marked_failed(db_session, create_campaign):
    campaign = create_campaign()
    queue = current_queue()
    job = _running(db_session, campaign, age_seconds=queue.stale_seconds + 5, attempts=queue.max_attempts)
    read = latest_job(db_session, campaign, "test-echo")
    assert read.id == job.id and read.state is JobState.FAILED
    assert "interrompu" in read.error and read.finished_at is not None
    # and starting it again creates a new one
    assert start_job(db_session, campaign, "test-echo").state is JobState.DONE


def test_unknown_kind_is_a_programming_error(db_session, create_campaign):
    with pytest.raises(ValueError):
        start_job(db_session, create_campaign(), "no-such-kind")
