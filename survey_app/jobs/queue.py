"""The job queue: huey on a SQLite file in ``instance/`` or on Redis, made by ``create_app``.

The queue carries only ``(job id, module)``; the job's row holds its state, so every web
worker and every consumer reads the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

__all__ = ["JobQueue", "init_queue", "current_queue"]

EXTENSION = "cls_jobs"


@dataclass
class JobQueue:
    huey: object
    #: The huey task running one job (``run_job(job_id, module)``).
    run_job: object
    stale_seconds: float
    max_attempts: int

    @property
    def immediate(self) -> bool:
        return bool(self.huey.immediate)

    def enqueue(self, job_id: int, module: str) -> None:
        """Send the job to a consumer (or run it now, in immediate mode)."""
        self.run_job(job_id, module)

    @property
    def heartbeat_seconds(self) -> float:
        return max(self.stale_seconds / 4, 0.2)


def _make_huey(app: Flask):
    from huey import RedisHuey, SqliteHuey

    immediate = app.config.get("CLS_JOBS_IMMEDIATE")
    if immediate is None:
        immediate = bool(app.config.get("TESTING"))
    name = app.config.get("CLS_JOBS_QUEUE_NAME") or "cls-jobs"
    redis_url = app.config.get("CLS_REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate, results=False)
    return SqliteHuey(name, filename=app.config["CLS_JOBS_FILE"], immediate=immediate, results=False)


def init_queue(app: Flask) -> JobQueue:
    """Create the application's queue and its one task; keep it in ``app.extensions``."""
    from ..extensions import db
    from . import runner

    huey = _make_huey(app)

    @huey.task(name="run_job")
    def run_job(job_id: int, module: str):
        from flask_babel import force_locale

        # messages stored with the job are in French, the source language
        with app.app_context(), force_locale("fr"):
            try:
                runner.execute(db.session, job_id, module, current_queue())
            finally:
                db.session.remove()

    from huey import crontab

    @huey.periodic_task(crontab(minute="*"), name="recover_stale_jobs")
    def recover_stale_jobs():
        """Every minute, in a consumer: take up again the jobs of consumers that died."""
        from flask_babel import force_locale

        with app.app_context(), force_locale("fr"):
            try:
                runner.recover_stale_jobs(db.session, current_queue())
            finally:
                db.session.remove()

    queue = JobQueue(
        huey=huey,
        run_job=run_job,
        stale_seconds=float(app.config["CLS_JOBS_STALE_SECONDS"]),
        max_attempts=int(app.config["CLS_JOBS_MAX_ATTEMPTS"]),
    )
    app.extensions[EXTENSION] = queue
    return queue


def current_queue() -> JobQueue:
    """Return the queue of the current application."""
    return current_app.extensions[EXTENSION]
