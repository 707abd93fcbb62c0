"""KoboToolbox / ODK data exports imported from the browser, on the job queue.

The trial run (nothing written) and the import are both jobs: 5,000 rows of a small
questionnaire took 1.4 s to check and 15 s to import on this machine (SQLite; see
the report of issue 19), too long for a web request. Both call
:func:`survey_app.imports.kobo.import_responses`, as ``flask import responses`` does;
importing the same file again adds nothing (each response keeps a hash of its
submission id).
"""
from __future__ import annotations

from dataclasses import asdict

from ..jobs.i18n import _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs import job_kind, start_job
from ..models import Campaign, Job, User
from . import uploads

__all__ = ["IMPORT_JOB", "KIND", "start_import", "report_view"]

IMPORT_JOB = "responses_import"
KIND = "responses"  # kind of upload
#: rows refused listed in the stored report (the count is always complete)
MAX_LISTED = 300


def start_import(session: Session, campaign: Campaign, upload: uploads.Upload, *, dry_run: bool,
                 actor: User) -> Job:
    """Start the trial run or the import of ``upload``; refuse while another file is imported."""
    params = {"token": upload.token, "dry_run": dry_run,
              "separator": upload.extra.get("separator", "/"),
              "questionnaire": upload.extra.get("questionnaire") or None}
    job = start_job(session, campaign, IMPORT_JOB, actor=actor, params=params)
    if (job.params or {}).get("token") != upload.token or bool((job.params or {}).get("dry_run")) != dry_run:
        raise ServiceError(_("Un autre import de réponses est en cours pour cette campagne : "
                             "attendez qu'il se termine, puis recommencez."))
    return job


def _report_dict(report) -> dict:
    data = asdict(report)
    data["skipped_total"] = len(report.skipped)
    data["skipped"] = [list(item) for item in report.skipped[:MAX_LISTED]]
    data["ignored"] = [list(item) for item in report.ignored]
    data["repeats"] = [list(item) for item in report.repeats]
    return data


@job_kind(IMPORT_JOB, label=_l("Import de réponses KoboToolbox / ODK"))
def run_import(session: Session, job, campaign_id: int, *, token: str, dry_run: bool, separator: str = "/",
               questionnaire: str | None = None) -> dict:
    """The job: check (``dry_run``) or import the uploaded export; return the report."""
    from ..imports import kobo

    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))
    upload = uploads.find(token, kind=KIND, campaign_id=campaign_id)
    if upload is None or not upload.has_data:
        raise ServiceError(_("Le fichier envoyé n'est plus disponible : envoyez-le à nouveau."))
    actor = session.get(User, job.created_by_id) if job.created_by_id else None
    message = _("Vérification des lignes…") if dry_run else _("Enregistrement des réponses…")
    job.progress(0.02, message)
    report = kobo.import_responses(session, campaign, upload.path, questionnaire=questionnaire,
                                   separator=separator, dry_run=dry_run, actor=actor,
                                   progress=lambda fraction: job.progress(0.02 + 0.95 * fraction, message))
    report.source = upload.original
    if dry_run:
        session.rollback()
    else:
        session.commit()
        upload.drop_data()  # the residents' answers are in the database now
    return _report_dict(report)


def report_view(data: dict | None) -> dict | None:
    """The stored report with its figures named for the page."""
    if not data:
        return None
    view = dict(data)
    view.setdefault("skipped_total", len(view.get("skipped", [])))
    view["listed_all"] = view["skipped_total"] <= len(view.get("skipped", []))
    return view
