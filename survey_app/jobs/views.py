"""The job status page and its JSON twin, polled by ``static/jobs.js``."""
from __future__ import annotations

from flask import abort, jsonify, render_template, url_for

from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from .registry import find_kind
from .services import get_job, kind_label, state_label


def _job_or_404(slug: str, job_id: int):
    campaign = member_campaign_or_404(slug)
    job = get_job(db.session, job_id)
    if job is None or job.campaign_id != campaign.id:
        abort(404)
    return campaign, job


def result_url(campaign, job) -> str | None:
    """Where the result of ``job`` is shown, when its kind says so."""
    registered = find_kind(job.kind)
    if registered is None or registered.page is None:
        return None
    return url_for(registered.page, slug=campaign.slug)


def job_status(campaign, job) -> dict:
    """What the page shows of a job, as plain values (also the JSON answer)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "label": kind_label(job.kind),
        "state": job.state.value,
        "state_label": state_label(job.state),
        "finished": job.state.finished,
        "progress": round(float(job.progress or 0.0), 4),
        "percent": int(round(100 * float(job.progress or 0.0))),
        "message": job.message or "",
        "error": job.error,
        "attempts": job.attempts,
        "result_url": result_url(campaign, job),
        "url": url_for("jobs.status", slug=campaign.slug, job_id=job.id),
    }


@requires(Role.COORDINATOR)
def status(slug: str, job_id: int):
    """Show a job's state and progress; the page updates itself where JavaScript runs."""
    campaign, job = _job_or_404(slug, job_id)
    return render_template("jobs/status.html", campaign=campaign, job=job, status=job_status(campaign, job))


@requires(Role.COORDINATOR)
def status_json(slug: str, job_id: int):
    """Return a job's state and progress as JSON."""
    campaign, job = _job_or_404(slug, job_id)
    response = jsonify(job_status(campaign, job))
    response.headers["Cache-Control"] = "no-store"
    return response
