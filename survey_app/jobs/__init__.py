"""Background jobs on a real queue (huey): long work runs outside the web request.

::

    from survey_app.jobs import job_kind, start_job, latest_job, get_job, JobState

    @job_kind("indicators", label=_l("Tableaux d'indicateurs"))
    def compute_indicators(session, job, campaign_id, **params):
        job.progress(0.4, _("Pondération…"))
        return {"any": "JSON-serialisable result"}

    job = start_job(session, campaign, "indicators", actor=user, params={...})

One job per campaign and kind at a time; a job interrupted by a killed consumer is run
again (at most ``CLS_JOBS_MAX_ATTEMPTS`` times) or marked failed.
"""
from ..models import Job, JobState
from .registry import job_kind
from .services import get_job, kind_label, latest_job, start_job, state_label

__all__ = ["Job", "JobState", "job_kind", "start_job", "latest_job", "get_job", "state_label", "kind_label"]
