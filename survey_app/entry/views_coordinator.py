"""The coordinator's paper pages: printing, double-entry rule, reconciliation, figures, a form's trail."""
from __future__ import annotations

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from ..campaigns.questionnaires import definition_of
from ..domain import ServiceError
from ..extensions import db
from ..models import DoubleEntry, FormState, QuestionnaireVersion, Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from ..web.i18n import LANGUAGE_NAMES
from . import keying, print_jobs, reconciliation, serials, stats  # print_jobs: registers the job kind
from . import services as entry
from .forms import DoubleEntryForm, PrintForm

#: What each state means for the analysis, said in the state's name: a form keyed once that
#: the campaign's double-entry rule asks a second entry of is not complete.
STATE_LABELS = {
    FormState.KEYED: _l("saisie unique (pas de double saisie demandée) : dans l'analyse"),
    FormState.INCOMPLETE: _l("incomplet : hors analyse"),
    FormState.AWAITING_SECOND: _l("saisie unique, en attente de la seconde saisie : hors analyse"),
    FormState.RECONCILING: _l("deux saisies différentes, à rapprocher : hors analyse"),
    FormState.VALIDATED: _l("validé : dans l'analyse"), FormState.CANCELLED: _l("annulé"),
}
ACTION_LABELS = {"reconciliation": _l("rapprochement"), "validate": _l("validation"), "cancel": _l("annulation"),
                 "correction": _l("correction"), "prune": _l("question sautée"),
                 "await_second": _l("mise en attente de la seconde saisie")}
STATUS_LABELS = {"draft": _l("brouillon"), "complete": _l("complète"), "validated": _l("validée"),
                 "excluded": _l("exclue")}
KIND_LABELS = {"blank": _l("non renseigné"), "illegible": _l("illisible / réponses multiples"),
               "missing": _l("(aucune réponse)")}


def _actor():
    return current_user._get_current_object()


def describe(question, cell: dict | None, districts=()) -> str:
    """A stored value in words: the codes typed and their labels."""
    if not cell:
        return "—"
    kind = cell.get("kind")
    if kind != "value":
        return str(KIND_LABELS.get(kind, kind or "—"))
    if question is None:
        return str(cell.get("value"))
    value = cell.get("value")
    labels = {o.code: o.label("fr") for o in question.options_for(districts)}
    keys = {c.option.code: c.key for c in keying.codes.choices(question, districts)} if labels else {}

    def one(code):
        return f"{keys[code]} {labels[code]}" if code in labels else str(code)

    if isinstance(value, dict):
        rows = {r.id: r.label("fr") for r in question.rows}
        text = " ; ".join(f"{rows.get(r, r)} : {one(c)}" for r, c in value.items())
    elif isinstance(value, list):
        text = ", ".join(one(c) for c in value)
    else:
        text = one(value) if labels else str(value)
    for row, mark in (cell.get("marks") or {}).items():
        text += f" ; {row} : {KIND_LABELS.get(mark, mark)!s}"
    if cell.get("other"):
        text += " (" + _("précision : %(text)s", text=cell["other"]) + ")"
    return text


def _in_campaign_or_404(slug: str, find, key: int):
    """The campaign (the user must be a member) and ``find(session, campaign, key)``; 404 when that is None."""
    campaign = member_campaign_or_404(slug)
    found = find(db.session, campaign, key)
    if found is None:
        abort(404)
    return campaign, found


def campaign_form_or_404(slug: str, form_id: int):
    """The campaign and its keyed form ``form_id``; 404 otherwise."""
    return _in_campaign_or_404(slug, entry.form_by_id, form_id)


def render_form(campaign, form):
    """The page of one keyed form (agents see its state only, unless they keyed it)."""
    actor = _actor()
    definition = definition_of(form.questionnaire_version)
    districts = entry.districts_of(campaign)
    coordinator = actor.has_role(Role.COORDINATOR)
    mine = [e for e in form.entries if e.agent_id == actor.id]
    first = form.entry(1)
    answers = []
    if coordinator or mine:
        values = form.response.answers_dict()
        for question in definition.questions.values():
            if question.answerable:
                cell = reconciliation.cell(question, values, {})
                answers.append((question, describe(question, cell, districts)))
    changes = entry.change_log(db.session, form.response) if coordinator or mine else []
    can_cancel = first is not None and first.agent_id == actor.id and form.state not in (
        FormState.VALIDATED, FormState.CANCELLED)
    return render_template(
        "entry/form.html", campaign=campaign, form=form, definition=definition, answers=answers,
        changes=changes, coordinator=coordinator, can_cancel=can_cancel, state_label=STATE_LABELS[form.state],
        serial=serials.display(form.keyed_serial), describe=describe, districts=districts,
        entries=form.entries if coordinator else mine, kind_labels=KIND_LABELS, action_labels=ACTION_LABELS,
        status_labels=STATUS_LABELS,
    )


@requires(Role.COORDINATOR)
def correct(slug: str, form_id: int):
    """Correct one answer of a keyed form from the paper, with a reason."""
    campaign, form = campaign_form_or_404(slug, form_id)
    question_id = request.form.get("question", "")
    texts = {question_id: request.form.get("k-value", "")}
    try:
        reconciliation.correct(db.session, campaign, form, question_id, texts, request.form.get("reason", ""), _actor())
    except ServiceError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("La réponse est corrigée ; la correction figure dans l'historique."), "success")
    return redirect(url_for(".form_page", slug=slug, form_id=form_id))


@requires(Role.COORDINATOR)
def forms_list(slug: str):
    campaign = member_campaign_or_404(slug)
    return render_template("entry/forms.html", campaign=campaign, forms=entry.forms(db.session, campaign),
                           state_labels=STATE_LABELS, display=serials.display,
                           stats=stats.state_counts(db.session, campaign))


@requires(Role.COORDINATOR)
def reconcile_list(slug: str):
    campaign = member_campaign_or_404(slug)
    return render_template("entry/reconcile_list.html", campaign=campaign,
                           forms=reconciliation.reconciling_forms(db.session, campaign), display=serials.display)


@requires(Role.COORDINATOR)
def reconcile(slug: str, form_id: int):
    """Each differing question with both values; the coordinator types what the paper says."""
    campaign, form = campaign_form_or_404(slug, form_id)
    errors: dict = {}
    if request.method == "POST" and form.state is FormState.RECONCILING:
        decisions: dict = {}
        for key, value in request.form.items():
            if key.startswith(keying.PREFIX):
                name = key[len(keying.PREFIX):]
                qid = name.split(".", 1)[0].removesuffix("__autre")
                decisions.setdefault(qid, {})[name] = value
        reasons = {k[len("reason-"):]: v for k, v in request.form.items() if k.startswith("reason-")}
        try:
            errors = reconciliation.resolve(db.session, campaign, form, decisions, reasons, _actor())
        except ServiceError as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return redirect(url_for(".reconcile", slug=slug, form_id=form_id))
        db.session.commit()
        if form.state is FormState.VALIDATED:
            flash(_("Questionnaire n° %(serial)s rapproché et validé.", serial=serials.display(form.keyed_serial)),
                  "success")
            return redirect(url_for(".reconcile_list", slug=slug))
    definition = definition_of(form.questionnaire_version)
    districts = entry.districts_of(campaign)
    numbers = {q.id: i for i, q in enumerate((q for q in definition.questions.values() if q.answerable), start=1)}
    items = [(d, definition.questions[d.question_id], numbers.get(d.question_id),
              keying.codes.choices(definition.questions[d.question_id], districts)
              if definition.questions[d.question_id].type in keying.codes.CODED_TYPES else [])
             for d in reconciliation.open_discrepancies(form)]
    status = 422 if errors else 200
    return render_template("entry/reconcile.html", campaign=campaign, form=form, items=items, errors=errors,
                           describe=describe, districts=districts, serial=serials.display(form.keyed_serial),
                           field_names=keying.field_names, decided=[d for d in form.discrepancies if d.decided_at],
                           definition=definition), status


@requires(Role.COORDINATOR)
def figures(slug: str):
    campaign = member_campaign_or_404(slug)
    return render_template("entry/figures.html", campaign=campaign, stats=stats.entry_stats(db.session, campaign))


def _print_form(campaign) -> PrintForm:
    form = PrintForm()
    versions = entry.paper_versions(db.session, campaign)
    form.questionnaire.choices = [SelectChoice(v.id, definition_of(v).label("fr")) for v in versions]
    languages = sorted({lang for v in versions for lang in definition_of(v).languages}, key=lambda l: (l != "fr", l))
    form.lang.choices = [SelectChoice(lang, LANGUAGE_NAMES.get(lang, lang), render_kw={"lang": lang})
                         for lang in languages or ["fr"]]
    return form


@requires(Role.COORDINATOR)
def settings(slug: str):
    """Double-entry rule of the campaign, and the printing of forms."""
    campaign = member_campaign_or_404(slug)
    current = entry.settings_of(db.session, campaign)
    rule = DoubleEntryForm(prefix="de")
    if request.method == "GET":
        rule.mode.data, rule.percent.data = current.double_entry.value, current.sample_percent
    elif rule.validate_on_submit():
        try:
            saved = entry.set_double_entry(db.session, campaign, DoubleEntry(rule.mode.data), rule.percent.data or 10,
                                           _actor())
        except ServiceError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("La règle de double saisie est enregistrée."), "success")
            if saved.reopened:
                flash(ngettext("%(num)s questionnaire déjà saisi une fois attend maintenant sa seconde saisie "
                               "(saisie unique, en attente de la seconde saisie) : il ne compte plus dans "
                               "l'analyse d'ici là.",
                               "%(num)s questionnaires déjà saisis une fois attendent maintenant leur seconde "
                               "saisie (saisie unique, en attente de la seconde saisie) : ils ne comptent plus "
                               "dans l'analyse d'ici là.", saved.reopened), "success")
            return redirect(url_for(".settings", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("entry/settings.html", campaign=campaign, rule=rule, printing=_print_form(campaign),
                           versions=entry.paper_versions(db.session, campaign), empty_form=EmptyForm()), status


def _version_or_404(campaign, version_id: int) -> QuestionnaireVersion:
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None or version.campaign_id != campaign.id:
        abort(404)
    return version


def _deliver(campaign, version, lang: str, serial_list: list, fmt: str):
    """The HTML page to print, at once; the PDF queued as a job (the page follows its progress)."""
    from . import paper_form

    if fmt == "pdf":
        try:
            job = print_jobs.start_pdf(db.session, campaign, version, _actor(), lang,
                                       [s for s in serial_list if s])
        except print_jobs.Busy as busy:
            db.session.rollback()
            flash(str(busy), "error")
            return redirect(url_for(".pdf_status", slug=campaign.slug, job_id=busy.job_id))
        db.session.commit()
        return redirect(url_for(".pdf_status", slug=campaign.slug, job_id=job.id), 303)
    definition = definition_of(version)
    return paper_form.render_html(campaign, definition, lang, serial_list,
                                  stylesheet_href=url_for("static", filename="print.css"))


@requires(Role.COORDINATOR)
def blank_form(slug: str, version_id: int, fmt: str):
    """A copy without serial (the agent writes one): the HTML page to print; the PDF only by POST (a job)."""
    campaign = member_campaign_or_404(slug)
    version = _version_or_404(campaign, version_id)
    if fmt not in ("pdf", "html"):
        abort(404)
    lang = request.args.get("lang", "fr")[:10]
    if lang not in definition_of(version).languages:
        lang = "fr"
    if fmt == "pdf":
        if request.method != "POST":
            flash(_("Le PDF se prépare en arrière-plan : demandez-le avec le bouton « Préparer le PDF »."), "error")
            return redirect(url_for(".settings", slug=slug) + "#imprimer")
        if not EmptyForm().validate_on_submit():
            flash(_("Le formulaire a expiré : recommencez."), "error")
            return redirect(url_for(".settings", slug=slug))
    return _deliver(campaign, version, lang, [None], fmt)


@requires(Role.COORDINATOR)
def numbered_forms(slug: str):
    """N pre-numbered copies: serials recorded, each with its QR code (the PDF made by a job)."""

    campaign = member_campaign_or_404(slug)
    printing = _print_form(campaign)
    if not printing.validate_on_submit():
        for messages in printing.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for(".settings", slug=slug))
    version = _version_or_404(campaign, printing.questionnaire.data)
    lang = printing.lang.data if printing.lang.data in definition_of(version).languages else "fr"
    fmt = printing.format.data or "pdf"
    busy = print_jobs.running(db.session, campaign) if fmt == "pdf" else None
    if busy is not None:  # before issuing serials: none is recorded for a PDF that would not be made
        flash(str(print_jobs.Busy(busy)), "error")
        return redirect(url_for(".pdf_status", slug=slug, job_id=busy.id))
    try:
        issued = serials.issue(db.session, campaign, version, printing.copies.data, _actor(), lang)
    except ServiceError as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for(".settings", slug=slug))
    db.session.commit()
    return _deliver(campaign, version, lang, issued, fmt)


@requires(Role.COORDINATOR)
def pdf_status(slug: str, job_id: int):
    """The progress of a PDF being made, and its download link once it is ready."""
    from ..jobs.views import job_status

    campaign, job = _in_campaign_or_404(slug, print_jobs.pdf_job, job_id)
    stored = print_jobs.pdf_file(db.session, campaign, job)
    version = db.session.get(QuestionnaireVersion, (job.params or {}).get("version_id") or 0)
    return render_template("entry/pdf_status.html", campaign=campaign, job=job, status=job_status(campaign, job),
                           stored=stored, copies=len((job.params or {}).get("serials") or []),
                           title=definition_of(version).label("fr") if version is not None else "",
                           refresh_url=url_for(".pdf_status", slug=slug, job_id=job.id))


@requires(Role.COORDINATOR)
def pdf_download(slug: str, job_id: int):
    """The PDF a job made, for the coordinators of its campaign."""
    campaign, job = _in_campaign_or_404(slug, print_jobs.pdf_job, job_id)
    stored = print_jobs.pdf_file(db.session, campaign, job)
    if stored is None:
        abort(404)
    version = db.session.get(QuestionnaireVersion, (job.params or {}).get("version_id") or 0)
    name = print_jobs.file_name(campaign, version, job.params or {})
    return FlaskResponse(stored.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})
