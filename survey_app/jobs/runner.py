"""Running one job: claim it, call its function, record the outcome; spot interrupted jobs."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading

from .i18n import _
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Job, JobState
from ..models._types import utcnow
from .registry import find_kind

log = logging.getLogger(__name__)

__all__ = ["JobHandle", "execute", "recover_stale_jobs"]


class JobHandle:
    """What a task function gets as ``job``: the row, its parameters, and :meth:`progress`."""

    def __init__(self, session: Session, row: Job, attempt: int):
        self._session = session
        self.row = row
        self.id = row.id
        self.campaign_id = row.campaign_id
        self.kind = row.kind
        self.params = dict(row.params or {})
        self.created_by_id = row.created_by_id
        self.attempt = attempt

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record how far the job has gone and commit, so that every worker and page sees it.

        The commit also commits what the task wrote so far in the same session: call it
        between steps, not in the middle of writes that must land together.
        """
        values = {"progress": min(max(float(fraction), 0.0), 1.0), "heartbeat_at": utcnow()}
        if message is not None:
            values["message"] = str(message)
        self._session.execute(_mine(self.id, self.attempt).values(**values))
        self._session.commit()


def _mine(job_id: int, attempt: int):
    """An UPDATE of the job only while this attempt still owns it."""
    return update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING, Job.attempts == attempt)


class _Heartbeat:
    """Touch ``heartbeat_at`` every few seconds from a thread, on a connection of its own."""

    def __init__(self, engine: Engine, job_id: int, attempt: int, every: float):
        self._engine, self._job_id, self._attempt, self._every = engine, job_id, attempt, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(self._every + 1)

    def _run(self):
        while not self._stop.wait(self._every):
            try:
                with self._engine.begin() as connection:
                    connection.execute(_mine(self._job_id, self._attempt).values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is not worth stopping the job
                log.warning("heartbeat of job %s missed", self._job_id, exc_info=True)


def _json_ready(value):
    """Return ``value`` as JSON would give it back (raises TypeError when it cannot be stored)."""
    return json.loads(json.dumps(value, allow_nan=False))


def execute(session: Session, job_id: int, module: str, queue) -> JobState | None:
    """Run job ``job_id`` if it is still waiting; return its final state (``None``: not ours)."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                progress=0.0, message=_("Démarrage…"), error=None)
    ).rowcount
    session.commit()
    if not claimed:
        log.info("job %s is not waiting any more: skipped", job_id)
        return None
    row = session.get(Job, job_id)
    attempt = row.attempts
    handle = JobHandle(session, row, attempt)
    try:
        kind = find_kind(row.kind, row.module or module)
    except ImportError:
        log.exception("job %s: module %s of kind %s cannot be imported", job_id, module, row.kind)
        kind = None
    if kind is None:
        return _finish(session, handle, error=_("Ce type de traitement n'est pas connu de ce serveur de traitements."))
    try:
        with _Heartbeat(session.get_bind(), job_id, attempt, queue.heartbeat_seconds):
            result = kind.func(session, handle, row.campaign_id, **handle.params)
            result = _json_ready(result)
    except ServiceError as error:
        session.rollback()
        return _finish(session, handle, error=str(error))
    except Exception:
        session.rollback()
        log.exception("job %s (%s) failed", job_id, row.kind)
        return _finish(session, handle, error=_("Le traitement a échoué à cause d'une erreur interne. "
                                               "Réessayez ; si cela se reproduit, prévenez l'administrateur."))
    return _finish(session, handle, result=result)


def _finish(session: Session, handle: JobHandle, *, result=None, error: str | None = None) -> JobState | None:
    state = JobState.FAILED if error is not None else JobState.DONE
    values = {"state": state, "finished_at": utcnow(), "heartbeat_at": utcnow(), "error": error}
    if state is JobState.DONE:
        values.update(result=result, progress=1.0, message=_("Terminé."))
    try:
        owned = session.execute(_mine(handle.id, handle.attempt).values(**values)).rowcount
        if not owned:  # taken over meanwhile (thought interrupted): the other run decides
            session.rollback()
            log.warning("job %s attempt %s finished after being taken over: result dropped", handle.id, handle.attempt)
            return None
        session.commit()
    except Exception:
        session.rollback()
        log.exception("job %s: outcome could not be stored", handle.id)
        if state is JobState.DONE:
            return _finish(session, handle, error=_("Le résultat du traitement n'a pas pu être enregistré."))
        raise
    return state


def recover_stale_jobs(session: Session, queue, *, job_ids=None, campaign_id=None, kind=None, now=None) -> list[int]:
    """Run again (or mark failed) the running jobs whose consumer stopped giving signs of life.

    A job is interrupted when it is running and its heartbeat is older than the queue's
    ``stale_seconds``: a consumer killed while running it. It is queued again while it has
    attempts left, else marked failed. Returns the ids of the jobs changed.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=queue.stale_seconds)
    query = select(Job.id, Job.module, Job.attempts).where(
        Job.state == JobState.RUNNING,
        or_(Job.heartbeat_at < cutoff, Job.heartbeat_at.is_(None)),
    )
    if job_ids is not None:
        query = query.where(Job.id.in_(list(job_ids)))
    if campaign_id is not None:
        query = query.where(Job.campaign_id == campaign_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    stale = session.execute(query).all()
    changed, requeue = [], []
    for job_id, module, attempts in stale:
        if attempts < queue.max_attempts:
            values = {"state": JobState.QUEUED, "progress": 0.0,
                      "message": _("Interrompu (le serveur de traitements s'est arrêté) : relancé automatiquement.")}
        else:
            values = {"state": JobState.FAILED, "finished_at": now,
                      "error": _("Le traitement a été interrompu %(n)d fois (arrêt du serveur de traitements) : "
                                 "il n'est pas relancé automatiquement. Relancez-le.", n=attempts)}
        owned = session.execute(_mine(job_id, attempts).values(**values)).rowcount
        if owned:
            changed.append(job_id)
            if values["state"] is JobState.QUEUED:
                requeue.append((job_id, module))
    if changed:
        session.commit()
        log.warning("interrupted jobs found: %s (re-queued: %s)", changed, [j for j, _k in requeue])
    for job_id, module in requeue:
        queue.enqueue(job_id, module)
    return changed
