"""Job kinds used by the tests (importable by a consumer process: ``tests.jobs.kinds``)."""
import time
from pathlib import Path

from survey_app.domain import ServiceError
from survey_app.jobs import job_kind


@job_kind("test-echo", label="Écho")
def echo(session, job, campaign_id, **params):
    job.progress(0.5, "À mi-chemin")
    return {"campaign_id": campaign_id, "params": params, "attempt": job.attempt}


@job_kind("test-refused", label="Refus")
def refused(session, job, campaign_id, **params):
    raise ServiceError("Les marges manquent : importez-les d'abord.")


@job_kind("test-crash", label="Plantage")
def crash(session, job, campaign_id, **params):
    raise RuntimeError("secret internal detail /etc/passwd")


@job_kind("test-wait", label="Attente")
def wait_for_file(session, job, campaign_id, *, path, timeout=60):
    """Run until ``path`` exists (so that a test can kill the consumer meanwhile)."""
    job.progress(0.1, "J'attends")
    deadline = time.monotonic() + timeout
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise ServiceError("trop attendu")
        time.sleep(0.1)
    return {"attempt": job.attempt}
