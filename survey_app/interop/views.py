"""The exchange pages: read the request, call the services, render.

XLSForm import: upload → report and preview (``/xlsform/import/<token>``) → confirm,
which loads a new questionnaire or a new version. Data import: upload → trial run (a
job) → report → confirm (a job) → report. Export: a GET download.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from ..campaigns import questionnaires as versions
from ..domain import ServiceError
from ..extensions import db
from ..jobs import get_job
from ..jobs.views import job_status
from ..models import JobState, Role
from ..questionnaire import DefinitionError
from ..web.access import member_campaign_or_404, requires
from . import responses as responses_service
from . import uploads
from . import xlsform as xlsform_service
from .forms import (ResponsesConfirmForm, ResponsesUploadForm, XLSFormLoadForm, XLSFormUploadForm, csv_sheet,
                    read_limited, spreadsheet_problem)

XLSFORM = "xlsform"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_ENDPOINTS = ("interop.xlsform_upload", "interop.responses_upload")


def max_bytes() -> int:
    return int(current_app.config.get("CLS_INTEROP_MAX_BYTES") or DEFAULT_MAX_BYTES)


def upload_limit():
    """Allow a signed-in member's upload to exceed the site's usual request size (``MAX_CONTENT_LENGTH``)."""
    if request.endpoint in UPLOAD_ENDPOINTS and current_user.is_authenticated:
        request.max_content_length = max(max_bytes() + 1024 * 1024, current_app.config.get("MAX_CONTENT_LENGTH") or 0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}".replace(".", ",")


def _questionnaire_choices(campaign):
    current = versions.current_versions(db.session, campaign)
    return [("", _("Celui dont les colonnes correspondent le mieux"))] + [
        (v.key, f"{versions.definition_of(v).label('fr')} ({v.key}, version {v.version})") for v in current]


def _page(campaign, *, xlsform_form=None, responses_form=None, xlsform_problems=None, responses_problems=None,
          status=200):
    current = versions.current_versions(db.session, campaign)
    rows = [(v, versions.definition_of(v)) for v in current]
    responses_form = responses_form or ResponsesUploadForm(formdata=None)
    responses_form.questionnaire.choices = _questionnaire_choices(campaign)
    return render_template(
        "interop/page.html", campaign=campaign, rows=rows,
        xlsform_form=xlsform_form or XLSFormUploadForm(formdata=None), responses_form=responses_form,
        xlsform_problems=xlsform_problems, responses_problems=responses_problems,
        max_size=_megabytes(max_bytes()),
    ), status


@requires(Role.COORDINATOR)
def page(slug: str):
    """The exchanges: export a questionnaire, import an XLSForm, import collected responses."""
    return _page(member_campaign_or_404(slug))


# ------------------------------------------------------------------ XLSForm export
@requires(Role.COORDINATOR)
def xlsform_export(slug: str, key: str):
    """Download the current version of questionnaire ``key`` as an XLSForm (.xlsx)."""
    campaign = member_campaign_or_404(slug)
    version = versions.current_version(db.session, campaign, key)
    if version is None:
        abort(404)
    body = xlsform_service.export_bytes(versions.definition_of(version), campaign)
    reply = current_app.response_class(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = secure_filename(f"{campaign.slug}-{version.key}-v{version.version}-xlsform.xlsx") or "xlsform.xlsx"
    reply.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    reply.headers["Cache-Control"] = "no-store"
    return reply


# ------------------------------------------------------------------ XLSForm import
def _issue_rows(issues, upload=None):
    """(sheet, row, name, message) for the page; the stored file's name is shown as it was sent."""
    rows = []
    for issue in issues:
        sheet = issue.sheet
        if upload is not None and sheet == upload.main:
            sheet = upload.original
        rows.append((sheet, issue.row, issue.name, issue.message))
    return rows


def _uploaded_xlsform(form):
    """The stored files of an XLSForm upload, its original name and main file; or a problem."""
    files = [f for f in (form.files.data or []) if f and getattr(f, "filename", "")]
    if not files:
        return None, _("Choisissez le fichier XLSForm à importer."), 400
    limit = max_bytes()
    contents = []
    for storage in files:
        data = read_limited(storage, limit)
        if data is None:
            return None, _("« %(name)s » dépasse la taille acceptée (%(size)s Mo).", name=storage.filename,
                           size=_megabytes(limit)), 413
        problem = spreadsheet_problem(storage.filename, data)
        if problem:
            return None, problem, 400
        contents.append((storage.filename, data))
    if len(contents) == 1:
        original, data = contents[0]
        stored = secure_filename(original) or "formulaire" + original[original.rfind("."):].lower()
        return ([(stored, data)], original, stored), None, 200
    sheets = {}
    for name, data in contents:
        sheet = csv_sheet(name)
        if sheet is None or sheet in sheets:
            return None, _("Plusieurs fichiers : ce doivent être les CSV « formulaire.survey.csv », "
                           "« formulaire.choices.csv » et, s'il y en a un, « formulaire.settings.csv » "
                           "(« %(name)s » ne convient pas).", name=name), 400
        sheets[sheet] = (name, data)
    if "survey" not in sheets:
        return None, _("Parmi les fichiers CSV, il manque celui de la feuille survey (« formulaire.survey.csv »)."), 400
    original = sheets["survey"][0]
    base = secure_filename(original[: -len(".survey.csv")]) or "formulaire"
    stored = [(f"{base}.{sheet}.csv", data) for sheet, (_name, data) in sheets.items()]
    return (stored, original, f"{base}.survey.csv"), None, 200


@requires(Role.COORDINATOR)
def xlsform_upload(slug: str):
    """Convert the uploaded XLSForm: its problems (nothing kept), or its report and preview."""
    campaign = member_campaign_or_404(slug)
    form = XLSFormUploadForm()
    if not form.validate_on_submit():
        return _page(campaign, xlsform_form=form, status=400)
    found, problem, status = _uploaded_xlsform(form)
    if problem:
        form.files.errors = [problem]
        return _page(campaign, xlsform_form=form, status=status)
    files, original, main = found
    upload = uploads.save(XLSFORM, campaign.id, current_user.id, files, original=original, main=main)
    result = xlsform_service.convert_file(upload.path, campaign)
    if not result.usable:
        rows = _issue_rows(sorted(result.errors, key=_issue_order), upload)
        upload.discard()
        return _page(campaign, xlsform_form=form, xlsform_problems={"name": original, "rows": rows}, status=422)
    upload.write_json("result.json", {
        "data": result.data,
        "notes": _issue_rows(sorted(result.notes, key=_issue_order), upload),
    })
    return redirect(url_for(".xlsform_report", slug=slug, token=upload.token), 303)


def _issue_order(issue):
    return (issue.sheet != "survey", issue.sheet, issue.row or 0, issue.message)


def _xlsform_upload_or_404(campaign, token):
    upload = uploads.find(token, kind=XLSFORM, campaign_id=campaign.id, user_id=current_user.id)
    stored = upload.read_json("result.json") if upload is not None else None
    if stored is None:
        abort(404)
    return upload, stored


def _report(campaign, upload, stored, *, form=None, error=None, status=200):
    try:
        definition = xlsform_service.definition_from_data(stored["data"], campaign, upload.original)
    except DefinitionError as refused:  # the campaign's axes changed since the upload, say
        upload.discard()
        return _page(campaign, xlsform_problems={"name": upload.original, "rows": [
            (upload.original, None, p.question_id, p.message) for p in refused.problems]}, status=422)
    plan = xlsform_service.plan(db.session, campaign, definition)
    return render_template(
        "interop/xlsform_report.html", campaign=campaign, upload=upload, definition=definition,
        figures=xlsform_service.figures(definition), notes=stored["notes"],
        sections=xlsform_service.preview(definition), plan=plan,
        diff=plan.diff.summary() if plan.diff is not None else [],
        summary=xlsform_service.import_summary(upload.original, definition),
        form=form or XLSFormLoadForm(formdata=None), error=error,
    ), status


@requires(Role.COORDINATOR)
def xlsform_report(slug: str, token: str):
    """What the uploaded XLSForm became: figures, what was not kept (sheet and row), preview."""
    campaign = member_campaign_or_404(slug)
    upload, stored = _xlsform_upload_or_404(campaign, token)
    return _report(campaign, upload, stored)


@requires(Role.COORDINATOR)
def xlsform_load(slug: str, token: str):
    """Load the previewed questionnaire into the campaign (new questionnaire or new version)."""
    campaign = member_campaign_or_404(slug)
    upload, stored = _xlsform_upload_or_404(campaign, token)
    form = XLSFormLoadForm()
    if not form.validate_on_submit():
        return _report(campaign, upload, stored, form=form, status=400)
    try:
        definition = xlsform_service.definition_from_data(stored["data"], campaign, upload.original)
    except DefinitionError:
        return _report(campaign, upload, stored)
    plan = xlsform_service.plan(db.session, campaign, definition)
    if plan.unchanged:
        upload.discard()
        flash(_("« %(key)s » est inchangé (version %(version)d) : rien n'a été chargé.", key=definition.id,
                version=plan.current.version), "info")
        return redirect(url_for(".page", slug=slug))
    try:
        version = xlsform_service.load(db.session, campaign, plan, source_name=upload.original,
                                       actor=current_user._get_current_object(),
                                       accept_conflicts=bool(form.accept_conflicts.data))
    except ServiceError as refused:
        db.session.rollback()
        return _report(campaign, upload, stored, form=form, error=str(refused), status=422)
    db.session.commit()
    upload.discard()
    flash(_("« %(key)s » version %(version)d chargée dans la campagne : %(questions)d questions.",
            key=version.key, version=version.version, questions=len(definition.questions)), "success")
    return redirect(url_for(".page", slug=slug))


# ------------------------------------------------------------------ responses import
@requires(Role.COORDINATOR)
def responses_upload(slug: str):
    """Keep the uploaded export and start its trial run (nothing is written)."""
    campaign = member_campaign_or_404(slug)
    form = ResponsesUploadForm()
    form.questionnaire.choices = _questionnaire_choices(campaign)
    if not form.validate_on_submit():
        return _page(campaign, responses_form=form, status=400)
    storage = form.file.data
    if not storage or not getattr(storage, "filename", ""):
        form.file.errors = [_("Choisissez le fichier exporté de KoboToolbox ou d'ODK Central.")]
        return _page(campaign, responses_form=form, status=400)
    key = form.questionnaire.data or ""
    if key and key not in {value for value, _label in form.questionnaire.choices}:
        form.questionnaire.errors = [_("Questionnaire inconnu : « %(k)s ».", k=key)]
        return _page(campaign, responses_form=form, status=400)
    data = read_limited(storage, max_bytes())
    if data is None:
        form.file.errors = [_("« %(name)s » dépasse la taille acceptée (%(size)s Mo).", name=storage.filename,
                              size=_megabytes(max_bytes()))]
        return _page(campaign, responses_form=form, status=413)
    problem = spreadsheet_problem(storage.filename, data, allow_xls=False)
    if problem:
        form.file.errors = [problem]
        return _page(campaign, responses_form=form, status=400)
    stored = secure_filename(storage.filename) or "export" + storage.filename[storage.filename.rfind("."):].lower()
    upload = uploads.save(responses_service.KIND, campaign.id, current_user.id, [(stored, data)],
                          original=storage.filename, main=stored,
                          extra={"separator": form.separator.data, "questionnaire": key or None})
    try:
        job = responses_service.start_import(db.session, campaign, upload, dry_run=True,
                                             actor=current_user._get_current_object())
    except ServiceError as refused:
        upload.discard()
        return _page(campaign, responses_form=form, responses_problems=[str(refused)], status=409)
    upload.extra["dry_job"] = job.id
    upload.write_meta()
    return redirect(url_for(".responses_report", slug=slug, token=upload.token), 303)


def _responses_upload_or_404(campaign, token):
    upload = uploads.find(token, kind=responses_service.KIND, campaign_id=campaign.id, user_id=current_user.id)
    if upload is None:
        abort(404)
    return upload


def _job(campaign, job_id):
    job = get_job(db.session, job_id) if job_id else None
    return job if job is not None and job.campaign_id == campaign.id else None


def _responses_page(campaign, upload, *, error=None, status=200):
    trial = _job(campaign, upload.extra.get("dry_job"))
    final = _job(campaign, upload.extra.get("import_job"))
    shown = final or trial
    if shown is None:
        abort(404)
    report = responses_service.report_view(shown.result if shown.state is JobState.DONE else None)
    if shown.state is JobState.FAILED or (report is not None and final is None and not report["imported"]):
        upload.drop_data()  # nothing more will be done with these answers: they are not kept
    if shown.state is JobState.FAILED and status == 200:
        status = 422
    return render_template(
        "interop/responses.html", campaign=campaign, upload=upload, job=shown, final=final is not None,
        status=job_status(campaign, shown) | {"result_url": None}, report=report,
        refresh_url=url_for(".responses_report", slug=campaign.slug, token=upload.token),
        form=ResponsesConfirmForm(formdata=None), error=error,
    ), status


@requires(Role.COORDINATOR)
def responses_report(slug: str, token: str):
    """The trial run's progress and report (then the import's), with the confirmation."""
    campaign = member_campaign_or_404(slug)
    return _responses_page(campaign, _responses_upload_or_404(campaign, token))


@requires(Role.COORDINATOR)
def responses_confirm(slug: str, token: str):
    """Import the checked export (a job); the page follows it."""
    campaign = member_campaign_or_404(slug)
    upload = _responses_upload_or_404(campaign, token)
    form = ResponsesConfirmForm()
    if not form.validate_on_submit():
        return _responses_page(campaign, upload, status=400)
    trial = _job(campaign, upload.extra.get("dry_job"))
    if upload.extra.get("import_job"):  # already confirmed: show it
        return redirect(url_for(".responses_report", slug=slug, token=token), 303)
    if trial is None or trial.state is not JobState.DONE:
        return _responses_page(campaign, upload, error=_("L'essai n'est pas terminé : attendez son rapport "
                                                         "avant d'importer."), status=409)
    if not upload.has_data:
        return _responses_page(campaign, upload, error=_("Le fichier envoyé n'est plus disponible : "
                                                         "envoyez-le à nouveau."), status=409)
    try:
        job = responses_service.start_import(db.session, campaign, upload, dry_run=False,
                                             actor=current_user._get_current_object())
    except ServiceError as refused:
        return _responses_page(campaign, upload, error=str(refused), status=409)
    upload.extra["import_job"] = job.id
    upload.write_meta()
    return redirect(url_for(".responses_report", slug=slug, token=token), 303)
