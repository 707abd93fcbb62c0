"""Jobs run by a real consumer process (``flask jobs consumer``), on huey's SQLite storage and on Redis.

The test process queues the job with a non-immediate queue on the same storage and the
same database; the consumer is a separate process, killed in one test while it runs
the job, which a second consumer then takes up again.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.jobs import JobState, get_job, start_job
from survey_app.models import Campaign, Job

from ..conftest import PROJECT_ROOT, make_test_app
from . import kinds  # noqa: F401  (registers the test kinds)

REDIS_URL = os.environ.get("CLS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STALE_SECONDS = 2.0


def redis_unavailable_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # any failure means: not usable here
        return f"Redis unreachable at {REDIS_URL}: {error}"
    return None


@pytest.fixture(params=["sqlite-storage", "redis"])
def storage(request, tmp_path):
    """Settings of a queue shared by the test and its consumers (a name of its own on Redis)."""
    name = f"cls-test-{secrets.token_hex(4)}"
    if request.param == "redis":
        reason = redis_unavailable_reason()
        if reason:
            pytest.skip(reason)
        yield {"CLS_REDIS_URL": REDIS_URL, "CLS_JOBS_QUEUE_NAME": name}
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{name}*"):
            client.delete(key)
        return
    yield {"CLS_JOBS_FILE": str(tmp_path / "jobs.sqlite3"), "CLS_JOBS_QUEUE_NAME": name}


@pytest.fixture()
def producer(database_url, tmp_path_factory, storage, committed_db):
    """An application that queues jobs for real consumers (not in immediate mode)."""
    application = make_test_app(database_url, tmp_path_factory, CLS_JOBS_IMMEDIATE=False,
                                CLS_JOBS_STALE_SECONDS=STALE_SECONDS, **storage)
    yield application
    with application.app_context():
        db.engine.dispose()


class Consumer:
    """``flask jobs consumer`` in its own process, on the test database and queue."""

    def __init__(self, database_url: str, storage: dict, log: Path):
        env = dict(os.environ)
        env.update(FLASK_APP="wsgi", CLS_DATABASE_URL=database_url, CLS_SECRET_KEY="test-secret-key",
                   CLS_JOBS_STALE_SECONDS=str(STALE_SECONDS), PYTHONPATH=str(PROJECT_ROOT))
        env.pop("CLS_JOBS_IMMEDIATE", None)
        env.update(storage)
        self.log = log
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "consumer"], cwd=PROJECT_ROOT,
                                            env=env, stdout=out, stderr=subprocess.STDOUT)

    def stop(self, sig=signal.SIGINT):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_for(producer, job_id, states, timeout=60.0, consumer=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with producer.app_context():
            job = db.session.get(Job, job_id)
            state, attempts = job.state, job.attempts
            db.session.remove()
        if state in states:
            return state, attempts
        if consumer is not None and consumer.process.poll() is not None:
            pytest.fail(f"consumer exited ({consumer.process.returncode}):\n{consumer.output()}")
        time.sleep(0.2)
    pytest.fail(f"job {job_id} still {state} after {timeout}s:\n{consumer.output() if consumer else ''}")


def test_a_real_consumer_runs_a_job(producer, database_url, storage, create_campaign, tmp_path):
    campaign_id = create_campaign().id
    with producer.app_context():
        job = start_job(db.session, db.session.get(Campaign, campaign_id), "test-echo", params={"z": 3})
        job_id = job.id
        assert job.state is JobState.QUEUED  # nothing runs it in this process
        db.session.remove()
    consumer = Consumer(database_url, storage, tmp_path / "consumer.log")
    try:
        state, attempts = _wait_for(producer, job_id, {JobState.DONE, JobState.FAILED}, consumer=consumer)
    finally:
        consumer.stop()
    with producer.app_context():
        job = db.session.get(Job, job_id)
        assert (state, attempts) == (JobState.DONE, 1), job.error
        assert job.result == {"campaign_id": campaign_id, "params": {"z": 3}, "attempt": 1}
    assert consumer.process.returncode == 0, consumer.output()


def test_a_job_of_a_killed_consumer_is_taken_up_by_the_next(producer, database_url, storage, create_campaign, tmp_path):
    campaign_id = create_campaign().id
    release = tmp_path / "release"
    with producer.app_context():
        job_id = start_job(db.session, db.session.get(Campaign, campaign_id), "test-wait",
                           params={"path": str(release)}).id
        db.session.remove()
    first = Consumer(database_url, storage, tmp_path / "first.log")
    try:
        _wait_for(producer, job_id, {JobState.RUNNING}, consumer=first)
    finally:
        first.stop(signal.SIGKILL)  # killed while running the job
    with producer.app_context():
        assert db.session.get(Job, job_id).state is JobState.RUNNING  # nobody finished it
        db.session.remove()
    time.sleep(STALE_SECONDS + 0.5)  # its heartbeat is now too old
    release.touch()
    second = Consumer(database_url, storage, tmp_path / "second.log")
    try:
        state, attempts = _wait_for(producer, job_id, {JobState.DONE, JobState.FAILED}, consumer=second)
    finally:
        second.stop()
    with producer.app_context():
        job = get_job(db.session, job_id)
        assert (state, attempts) == (JobState.DONE, 2), (job.error, second.output())
        assert job.result == {"attempt": 2}
    assert "repris" in second.output()


def test_an_idle_consumer_looks_at_the_queue_every_second_at_most(producer, monkeypatch):
    """huey's idle consumer backs off to 10 s between looks; ours to ``--max-delay`` (1 s by default)."""
    from survey_app.jobs.queue import current_queue

    with producer.app_context():
        huey = current_queue().huey
    made = []

    class Idle:
        def run(self):
            return None

    def create_consumer(**options):
        made.append(options)
        return Idle()

    monkeypatch.setattr(type(huey), "create_consumer", lambda self, **options: create_consumer(**options))
    runner = producer.test_cli_runner()
    with producer.app_context():  # the command runs in the current application: the producer, not the suite's
        first = runner.invoke(args=["jobs", "consumer"])
        second = runner.invoke(args=["jobs", "consumer", "--max-delay", "0.5", "--workers", "2"])
        refused = runner.invoke(args=["jobs", "consumer", "--max-delay", "0"])
    assert first.exit_code == 0 == second.exit_code, (first.output, second.output)
    assert [(m["max_delay"], m["workers"]) for m in made] == [(1.0, 1), (0.5, 2)]
    assert refused.exit_code == 2 and "--max-delay" in refused.output
