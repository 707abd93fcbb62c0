"""The printable questionnaire as PDF, built by a background job (WeasyPrint takes seconds to minutes).

The HTML page to print stays immediate (:func:`.paper_form.render_html` in the request);
the PDF of a blank copy or of N pre-numbered copies is the job ``paper_form``: the
page asks for it (:func:`start_pdf`), the job lays the copies out by batches with its
progress, and stores the file with the campaign (a :class:`~survey_app.models.ReportFile`
of kind :data:`FILE_KIND`, tied to the job), which the coordinator downloads once it is
ready (:func:`pdf_file`). The serials of numbered copies are issued and recorded in the
request, before the job starts: the job only prints them.

Light module (the views import it to register the kind): WeasyPrint is imported inside
the job's function only.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs import JobState, get_job, job_kind, latest_job, start_job
from ..models import Campaign, Job, QuestionnaireVersion, ReportFile, User

JOB_KIND = "paper_form"
#: Kind of the stored file (``report_file.kind``, 10 characters at most).
FILE_KIND = "paperform"
#: PDF files kept per campaign (the oldest are dropped when a new one is stored).
KEEP_FILES = 5
#: Copies laid out per batch (one progress step each).
BATCH = 20


def file_name(campaign: Campaign, version: QuestionnaireVersion | None, params: dict) -> str:
    key = version.key if version is not None else "questionnaire"
    kind = f"{len(params.get('serials') or [])}-numerotes" if params.get("serials") else "vierge"
    return f"questionnaire-{campaign.slug}-{key}-{params.get('lang') or 'fr'}-{kind}.pdf"


@job_kind(JOB_KIND, label=_l("Questionnaire papier à imprimer (PDF)"))
def build_pdf(session: Session, job, campaign_id: int, *, version_id: int, lang: str = "fr",
              serials: list | None = None, **params) -> dict:
    """Lay out the copies (blank when ``serials`` is empty), store the PDF, return its name and size."""
    from ..campaigns.questionnaires import definition_of
    from ..jobs.i18n import _
    from . import paper_form

    campaign = session.get(Campaign, campaign_id)
    version = session.get(QuestionnaireVersion, version_id)
    if campaign is None or version is None or version.campaign_id != campaign_id:
        raise ServiceError(_("Ce questionnaire n'existe plus dans la campagne."))
    definition = definition_of(version)
    serial_list = list(serials or []) or [None]
    job.progress(0.05, _("Préparation du questionnaire…"))

    def step(done: int, total: int) -> None:
        job.progress(0.05 + 0.85 * done / total,
                     _("Mise en page des exemplaires : %(done)s sur %(total)s…", done=done, total=total))

    # the page's template reads the request's locale: a request of its own, as ``flask paper form`` does
    with current_app.test_request_context():
        pdf = paper_form.to_pdf_in_batches(campaign, definition, lang, serial_list, batch=BATCH, progress=step)
    job.progress(0.95, _("Enregistrement du PDF…"))
    name = file_name(campaign, version, {"lang": lang, "serials": serials})
    session.add(ReportFile(campaign_id=campaign.id, job_id=job.id, kind=FILE_KIND, content=pdf, size=len(pdf)))
    session.flush()
    old = session.scalars(select(ReportFile.id).where(ReportFile.campaign_id == campaign.id,
                                                      ReportFile.kind == FILE_KIND)
                          .order_by(ReportFile.id.desc()).offset(KEEP_FILES)).all()
    if old:
        session.execute(delete(ReportFile).where(ReportFile.id.in_(old)))
    return {"name": name, "size": len(pdf), "copies": len(serials or []), "version": version.id, "lang": lang,
            "title": definition.label(lang if lang in definition.languages else "fr")}


def running(session: Session, campaign: Campaign) -> Job | None:
    """The campaign's PDF job waiting or running, if any (one at a time per campaign)."""
    job = latest_job(session, campaign, JOB_KIND)
    return job if job is not None and not job.state.finished else None


def start_pdf(session: Session, campaign: Campaign, version: QuestionnaireVersion, actor: User, lang: str,
              serials: list[str] | None = None) -> Job:
    """Queue the PDF of a blank copy (no ``serials``) or of these numbered copies.

    Raises ServiceError when another PDF of the campaign is still being made (the page
    links to it): checked before the serials are issued, so none is issued for nothing.
    """
    busy = running(session, campaign)
    if busy is not None:
        raise Busy(busy)
    return start_job(session, campaign, JOB_KIND, actor=actor,
                     params={"version_id": version.id, "lang": lang, "serials": list(serials or [])})


class Busy(ServiceError):
    """Another PDF of the campaign is being made."""

    def __init__(self, job: Job):
        super().__init__("Un autre questionnaire PDF de cette campagne est en cours de préparation : attendez qu'il "
                         "soit prêt, puis recommencez.")
        self.job_id = job.id


def pdf_job(session: Session, campaign: Campaign, job_id: int) -> Job | None:
    """Job ``job_id`` when it is a PDF job of this campaign (else None: the page answers 404)."""
    job = get_job(session, job_id)
    if job is None or job.campaign_id != campaign.id or job.kind != JOB_KIND:
        return None
    return job


def pdf_file(session: Session, campaign: Campaign, job: Job) -> ReportFile | None:
    """The PDF the job stored (None while it runs, when it failed or when the file was dropped)."""
    if job.state is not JobState.DONE:
        return None
    return session.scalar(select(ReportFile).where(ReportFile.campaign_id == campaign.id,
                                                   ReportFile.kind == FILE_KIND, ReportFile.job_id == job.id)
                          .order_by(ReportFile.id.desc()).limit(1))
