"""Starting and reading background jobs; what the pages and other features call."""
from __future__ import annotations

import json
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .i18n import _
from ..models import Campaign, Job, JobState, User
from ..models._types import utcnow
from .queue import current_queue
from .registry import find_kind
from .runner import recover_stale_jobs

log = logging.getLogger(__name__)

__all__ = ["start_job", "latest_job", "get_job", "state_label", "kind_label", "STATE_LABELS"]

STATE_LABELS = {
    JobState.QUEUED: _l("en attente"),
    JobState.RUNNING: _l("en cours"),
    JobState.DONE: _l("terminé"),
    JobState.FAILED: _l("échoué"),
}


def state_label(state) -> str:
    """Return the French name of a job state."""
    return str(STATE_LABELS.get(JobState(getattr(state, "value", state)), state))


def kind_label(kind: str) -> str:
    registered = find_kind(kind)
    return str(registered.label) if registered is not None else kind


def _active(session: Session, campaign_id: int, kind: str) -> Job | None:
    return session.scalar(
        select(Job)
        .where(Job.campaign_id == campaign_id, Job.kind == kind, Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .order_by(Job.id.desc())
        .limit(1)
    )


def start_job(
    session: Session, campaign: Campaign, kind: str, *, actor: User | None = None, params: dict | None = None
) -> Job:
    """Queue job ``kind`` on ``campaign``, or return the one already waiting or running.

    Commits the session (the consumer must see the job's row before it gets its id). In
    immediate mode (tests) the job has run when this returns.
    """
    registered = find_kind(kind)
    if registered is None:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params or {})
    json.dumps(params, allow_nan=False)  # a TypeError here is a programming error
    queue = current_queue()
    recover_stale_jobs(session, queue, campaign_id=campaign.id, kind=kind)
    existing = _active(session, campaign.id, kind)
    if existing is not None:
        return existing
    job = Job(
        campaign_id=campaign.id, kind=kind, module=registered.module, state=JobState.QUEUED, params=params, progress=0.0,
        message=_("En attente d'un serveur de traitements…"), created_by_id=actor.id if actor is not None else None,
        attempts=0,
    )
    session.add(job)
    try:
        session.flush()
        job_id = job.id
        session.commit()
    except IntegrityError:  # started at the same moment by another page
        session.rollback()
        existing = _active(session, campaign.id, kind)
        if existing is not None:
            return existing
        raise
    try:
        queue.enqueue(job_id, registered.module)
    except Exception:
        log.exception("job %s could not be queued", job_id)
        session.rollback()
        session.execute(
            update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED).values(
                state=JobState.FAILED, finished_at=utcnow(),
                error=_("La file des traitements est injoignable : le traitement n'a pas pu être lancé. "
                        "Réessayez dans un moment ou prévenez l'administrateur."),
            )
        )
        session.commit()
    session.expire(job)
    return job


def _checked(session: Session, job: Job | None) -> Job | None:
    """Notice, when reading it, that a running job was interrupted (and act on it)."""
    if job is not None and job.state is JobState.RUNNING:
        if recover_stale_jobs(session, current_queue(), job_ids=[job.id]):
            session.expire(job)
    return job


def latest_job(session: Session, campaign: Campaign, kind: str, *, finished: bool = False, done: bool = False) -> Job | None:
    """Return the campaign's most recent job of ``kind``.

    ``finished``: the last one that ended (done or failed); ``done``: the last that
    succeeded (its ``result`` is there).
    """
    query = select(Job).where(Job.campaign_id == campaign.id, Job.kind == kind)
    if done:
        query = query.where(Job.state == JobState.DONE)
    elif finished:
        query = query.where(Job.state.in_([JobState.DONE, JobState.FAILED]))
    job = session.scalar(query.order_by(Job.id.desc()).limit(1))
    return _checked(session, job)


def get_job(session: Session, job_id: int) -> Job | None:
    """Return job ``job_id`` (``None`` when there is none)."""
    return _checked(session, session.get(Job, job_id))
