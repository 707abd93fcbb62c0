"""The report as a background job, its stored files, and the public results page.

This module is imported by the workspace views; it imports neither pandas nor
:mod:`analysis` at import time (the job imports them when it runs).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..domain import ServiceError
from ..jobs import job_kind, latest_job, start_job
from ..models import Campaign, ReportFile, User
from ..models._types import utcnow

REPORT_JOB = "report"
#: Stored outputs: kind -> (file name, MIME type).
FILES = {
    "html": ("rapport-diagnostic.html", "text/html; charset=utf-8"),
    "page": ("rapport-diagnostic.html", "text/html; charset=utf-8"),
    "pdf": ("rapport-diagnostic.pdf", "application/pdf"),
    "pptx": ("diaporama-diagnostic.pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


@dataclass
class Outputs:
    """What one build made: the report data (plain values) and each file's bytes."""

    data: object
    files: dict


def build_outputs(session: Session, campaign: Campaign, *, progress=None, kinds=("html", "page", "pdf", "pptx"),
                  page_stylesheet: str = "/static/report.css", back_url: str | None = None) -> Outputs:
    """Gather the figures once and render every output of the report."""
    from .build import render_html, render_pdf
    from .gather import gather_report

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    data = gather_report(session, campaign, progress=lambda f, m: report(0.75 * f, m))
    files = {}
    if "html" in kinds:
        report(0.78, "Page HTML du rapport")
        files["html"] = render_html(data).encode("utf-8")
    if "page" in kinds:
        files["page"] = render_html(data, variant="page", stylesheet_url=page_stylesheet,
                                    back_url=back_url).encode("utf-8")
    if "pdf" in kinds:
        report(0.8, "Mise en page du PDF")
        files["pdf"] = render_pdf(data)
    if "pptx" in kinds:
        from .slides import build_slides

        report(0.96, "Diaporama")
        files["pptx"] = build_slides(data)
    report(1.0, "Rapport prêt")
    return Outputs(data, files)


def store_outputs(session: Session, campaign: Campaign, outputs: Outputs, job_id: int | None = None) -> dict:
    """Keep the files as the campaign's current report (older ones are dropped)."""
    # only the report's own files: the table also keeps other features' files (the paper form's PDF)
    session.execute(delete(ReportFile).where(ReportFile.campaign_id == campaign.id, ReportFile.kind.in_(list(FILES))))
    for kind, content in outputs.files.items():
        session.add(ReportFile(campaign_id=campaign.id, job_id=job_id, kind=kind, content=content, size=len(content)))
    session.flush()
    return {kind: len(content) for kind, content in outputs.files.items()}


@job_kind(REPORT_JOB, label=_l("Rapport de diagnostic"), page="report.workspace")
def report_job(session: Session, job, campaign_id: int, **params) -> dict:
    """Task of the "report" job: the HTML page, the PDF and the slides, stored with the campaign."""
    from .results_page import public_summary

    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError("Cette campagne n'existe plus.")
    outputs = build_outputs(session, campaign, progress=job.progress,
                            page_stylesheet=params.get("stylesheet") or "/static/report.css",
                            back_url=params.get("back"))
    sizes = store_outputs(session, campaign, outputs, job.id)
    return {"sizes": sizes, "public": public_summary(outputs.data, campaign),
            "weighted": bool(outputs.data.weighted), "limits": list(outputs.data.limits),
            "generated_at": utcnow().isoformat()}


def start_report(session: Session, campaign: Campaign, actor: User, *, stylesheet: str | None = None,
                 back: str | None = None):
    """Start building the report in the background (or return the build running).

    ``stylesheet`` and ``back`` are the addresses the workspace view of the report links
    to (its CSS, the way back to the workspace).
    """
    return start_job(session, campaign, REPORT_JOB, actor=actor, params={"stylesheet": stylesheet, "back": back})


@dataclass
class ReportState:
    """What the workspace shows: the stored files, the last finished build, the last job."""

    files: dict
    done: object
    job: object


def report_state(session: Session, campaign: Campaign) -> ReportState:
    rows = session.execute(select(ReportFile.kind, ReportFile.size, ReportFile.created_at)
                           .where(ReportFile.campaign_id == campaign.id, ReportFile.kind.in_(list(FILES)))).all()
    files = {kind: {"size": size, "created_at": created} for kind, size, created in rows}
    return ReportState(files, latest_job(session, campaign, REPORT_JOB, done=True),
                       latest_job(session, campaign, REPORT_JOB))


def report_file(session: Session, campaign: Campaign, kind: str) -> ReportFile | None:
    """The stored file ``kind`` of the campaign's current report."""
    if kind not in FILES:
        return None
    return session.scalar(select(ReportFile).where(ReportFile.campaign_id == campaign.id, ReportFile.kind == kind)
                          .order_by(ReportFile.id.desc()).limit(1))


# --------------------------------------------------------------------------- results page


def publish_results(session: Session, campaign: Campaign, actor: User) -> None:
    """Publish the residents' results page with the figures of the last report built."""
    done = latest_job(session, campaign, REPORT_JOB, done=True)
    if done is None or not (done.result or {}).get("public"):
        raise ServiceError("Produisez d'abord le rapport : la page de résultats reprend ses chiffres.")
    campaign.results_page = dict(done.result["public"])
    campaign.results_published_at = utcnow()
    audit.record(session, actor, "results.publish", "campaign", campaign.id,
                 field="results_published_at", new={"job": done.id})


def unpublish_results(session: Session, campaign: Campaign, actor: User) -> None:
    """Withdraw the residents' results page."""
    if campaign.results_published_at is None:
        return
    audit.record(session, actor, "results.unpublish", "campaign", campaign.id, field="results_published_at",
                 old={"published_at": campaign.results_published_at.isoformat()})
    campaign.results_published_at = None
    campaign.results_page = None


def published_campaign(session: Session, slug: str) -> Campaign | None:
    """The campaign ``slug`` if its results page is published, else None."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or campaign.results_published_at is None or not campaign.results_page:
        return None
    return campaign


def published_on(campaign: Campaign) -> dt.date | None:
    return campaign.results_published_at.date() if campaign.results_published_at else None
