"""The collection pages: read the request, call the collection services, render."""
from __future__ import annotations

import datetime as dt

from flask import Response as HttpResponse, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import ServiceError
from ..extensions import db
from ..models import Channel, ResponseStatus, Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from . import dashboard as board_service, responses as response_service, retention, settings as settings_service
from .forms import CorrectionForm, ExcludeForm, RestoreForm


def _actor():
    return current_user._get_current_object()


@requires(Role.COORDINATOR)
def dashboard(slug: str):
    """Progress of the collection: districts against targets, channels, days, structure, drop-off."""
    campaign = member_campaign_or_404(slug)
    board = board_service.build(db.session, campaign)
    codes = [d.code for d in campaign.districts]
    chosen = request.args.get("quartier") or (codes[0] if codes else "")
    if chosen not in codes:
        chosen = codes[0] if codes else ""
    structure = board_service.structure_rows(board.roles, board.structure, board.census, chosen) if chosen else []
    has_census = any(r["census"] is not None for r in structure)
    joint = board_service.joint_rows(board.roles, board.structure, board.census, chosen) if chosen else None
    return render_template("collection/dashboard.html", campaign=campaign, board=board, chosen=chosen,
                           structure=structure, has_census=has_census, joint=joint,
                           kept=retention.kept_summary(db.session, campaign))


@requires(Role.COORDINATOR)
def chart(slug: str, name: str):
    """One chart of the dashboard as an SVG image (its data table is on the page)."""
    campaign = member_campaign_or_404(slug)
    if name not in board_service.CHART_NAMES:
        abort(404)
    board = board_service.for_chart(db.session, campaign, name)
    drawn = board_service.chart(board, name, district=request.args.get("quartier"))
    if drawn is None:
        abort(404)
    reply = HttpResponse(drawn.svg, mimetype="image/svg+xml")
    reply.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    reply.headers["Cache-Control"] = "private, no-cache"
    return reply


def _filters() -> tuple[response_service.Filters, list[str]]:
    args, problems = request.args, []
    filters = response_service.Filters()
    filters.district = args.get("quartier") or None
    if args.get("canal") in {c.value for c in Channel}:
        filters.channel = args["canal"]
    elif args.get("canal"):
        problems.append(_("Canal inconnu : « %(v)s ».", v=args["canal"]))
    if args.get("statut") in {s.value for s in ResponseStatus}:
        filters.status = args["statut"]
    elif args.get("statut"):
        problems.append(_("Statut inconnu : « %(v)s ».", v=args["statut"]))
    for name, attr in (("depuis", "since"), ("jusqu", "until")):
        if args.get(name):
            try:
                setattr(filters, attr, dt.date.fromisoformat(args[name]))
            except ValueError:
                problems.append(_("« %(v)s » n'est pas une date (AAAA-MM-JJ).", v=args[name]))
    if (args.get("agent") or "").isdigit():
        filters.agent_id = int(args["agent"])
    if (args.get("page") or "").isdigit():
        filters.page = max(int(args["page"]), 1)
    return filters, problems


@requires(Role.COORDINATOR)
def responses(slug: str):
    """The campaign's responses, filtered by district, channel, status, dates and agent, by pages."""
    campaign = member_campaign_or_404(slug)
    filters, problems = _filters()
    rows, total = response_service.list_responses(db.session, campaign, filters)
    pages = max((total + response_service.PER_PAGE - 1) // response_service.PER_PAGE, 1)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("collection/responses.html", campaign=campaign, rows=rows, total=total, filters=filters,
                           pages=pages, query=query, problems=problems,
                           agents=response_service.agents(db.session, campaign),
                           district_names={d.code: d.name for d in campaign.districts}), (400 if problems else 200)


def _response_or_404(campaign, response_id: int):
    found = response_service.get_response(db.session, campaign, response_id)
    if found is None:
        abort(404)
    return found


def _render_response(campaign, found, *, exclude_form=None, restore_form=None, error=None, status=200):
    from ..campaigns.questionnaires import definition_of

    definition = definition_of(found.questionnaire_version)
    changes, events = response_service.trail(db.session, found)
    return render_template(
        "collection/response.html", campaign=campaign, response=found, definition=definition,
        items=response_service.items(found, definition, campaign), changes=changes, events=events,
        exclude_form=exclude_form or ExcludeForm(formdata=None), restore_form=restore_form or RestoreForm(formdata=None),
        error=error, cell_text=response_service.cell_text, questions=definition.questions,
        districts=response_service.districts_of(campaign)), status


@requires(Role.COORDINATOR)
def response(slug: str, response_id: int):
    """One response: its answers in questionnaire order, its audit trail, its actions."""
    campaign = member_campaign_or_404(slug)
    return _render_response(campaign, _response_or_404(campaign, response_id))


@requires(Role.COORDINATOR)
def exclude(slug: str, response_id: int):
    campaign = member_campaign_or_404(slug)
    found = _response_or_404(campaign, response_id)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _render_response(campaign, found, exclude_form=form, status=400,
                                error=_("L'exclusion n'est pas enregistrée : indiquez son motif et sa raison."))
    try:
        response_service.exclude(db.session, campaign, found, form.motive.data, form.note.data, _actor())
    except ServiceError as refused:
        db.session.rollback()
        return _render_response(campaign, _response_or_404(campaign, response_id), exclude_form=form, error=str(refused),
                                status=409)
    db.session.commit()
    flash(_("La réponse n° %(n)d est exclue de l'analyse.", n=response_id), "success")
    return redirect(url_for(".response", slug=slug, response_id=response_id))


@requires(Role.COORDINATOR)
def restore(slug: str, response_id: int):
    campaign = member_campaign_or_404(slug)
    found = _response_or_404(campaign, response_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        return _render_response(campaign, found, restore_form=form, status=400,
                                error=_("Indiquez pourquoi la réponse est rétablie."))
    try:
        response_service.restore(db.session, campaign, found, form.reason.data, _actor())
    except ServiceError as refused:
        db.session.rollback()
        return _render_response(campaign, _response_or_404(campaign, response_id), restore_form=form, error=str(refused),
                                status=409)
    db.session.commit()
    flash(_("La réponse n° %(n)d est rétablie.", n=response_id), "success")
    return redirect(url_for(".response", slug=slug, response_id=response_id))


@requires(Role.COORDINATOR)
def correct(slug: str, response_id: int, question_id: str):
    """Correct one answer with a reason; the page carries the value it showed (optimistic check)."""
    from ..campaigns.questionnaires import definition_of

    campaign = member_campaign_or_404(slug)
    found = _response_or_404(campaign, response_id)
    definition = definition_of(found.questionnaire_version)
    question = definition.questions.get(question_id)
    if question is None or not question.answerable:
        abort(404)
    answers = found.answers_dict()
    form = CorrectionForm()
    error, status = None, 200
    given = {"value": request.form.get("value"), "values": request.form.getlist("values"),
             "other": request.form.get("other"),
             **{f"row-{r.id}": request.form.get(f"row-{r.id}") for r in question.rows}}
    if request.method == "POST":
        if not form.validate_on_submit():
            error, status = _("Le formulaire a expiré : rechargez la page."), 400
        else:
            try:
                response_service.correct(db.session, campaign, found, question.id, given, expected=form.expected.data or "",
                                         reason=form.reason.data, actor=_actor())
            except ServiceError as refused:
                db.session.rollback()
                error, status = str(refused), 422
                found = _response_or_404(campaign, response_id)
                answers = found.answers_dict()
            else:
                db.session.commit()
                flash(_("La réponse à « %(q)s » est corrigée.", q=question.label("fr")), "success")
                return redirect(url_for(".response", slug=slug, response_id=response_id) + f"#q-{question.id}")
    if request.method == "GET" or not form.expected.data:
        form.expected.data = response_service.token_of(question, answers)
    current = answers.get(question.id)
    if request.method == "POST" and status == 422:
        current_given = given
    else:
        current_given = {"value": current if not isinstance(current, (list, dict)) else None,
                         "values": current if isinstance(current, list) else [],
                         "other": answers.get(question.id + "__autre"),
                         **{f"row-{r.id}": (current or {}).get(r.id) if isinstance(current, dict) else None
                            for r in question.rows}}
    districts = response_service.districts_of(campaign)
    return render_template("collection/correct.html", campaign=campaign, response=found, question=question, form=form,
                           error=error, given=current_given, options=question.options_for(districts),
                           shown=response_service.display_value(question, current, districts)), status


@requires(Role.COORDINATOR)
def duplicates(slug: str):
    """Likely duplicates side by side, for the coordinator to decide."""
    campaign = member_campaign_or_404(slug)
    return render_template("collection/duplicates.html", campaign=campaign,
                           pairs=response_service.duplicates(db.session, campaign))


# --- settings ---------------------------------------------------------------------------------


def _render_settings(campaign, *, error=None, section=None, status=200, values=None, targets=None):
    return render_template(
        "collection/settings.html", campaign=campaign, form=EmptyForm(), error=error, section=section,
        values=values or {}, languages=current_app.config["CLS_LANGUAGES"], axes=settings_service.axes_of(campaign),
        invitations=settings_service.invitation_counts(db.session, campaign), targets=targets,
        statuses=[s.value for s in settings_service.CampaignStatus], purges=retention.purges(db.session, campaign),
        today=dt.date.today()), status


def _refused(campaign, error, section, values=None, status=422):
    db.session.rollback()
    return _render_settings(member_campaign_or_404(campaign.slug), error=str(error), section=section, status=status,
                            values=values)


def _checked(campaign, section):
    if not EmptyForm().validate_on_submit():
        return _render_settings(campaign, error=_("Le formulaire a expiré : rechargez la page."), section=section,
                                status=400)
    return None


@requires(Role.COORDINATOR)
def settings(slug: str):
    """Name, dates, languages, information text and retention date (GET shows every setting)."""
    campaign = member_campaign_or_404(slug)
    if request.method == "GET":
        return _render_settings(campaign)
    refused = _checked(campaign, "general")
    if refused:
        return refused
    values = request.form.to_dict()
    try:
        changed = settings_service.update_general(db.session, campaign, values, request.form.getlist("languages"),
                                                  current_app.config["CLS_LANGUAGES"], actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "general", values)
    db.session.commit()
    from ..survey import answering

    answering.forget_surveys()
    flash(_("Réglages enregistrés.") if changed else _("Rien n'a changé."), "success")
    return redirect(url_for(".settings", slug=slug))


@requires(Role.COORDINATOR)
def status(slug: str):
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "status")
    if refused:
        return refused
    try:
        settings_service.set_status(db.session, campaign, request.form.get("status", ""), actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "status")
    db.session.commit()
    from ..survey import answering

    answering.forget_surveys()
    flash(_("Campagne %(slug)s : %(status)s.", slug=slug, status=campaign.status.value), "success")
    return redirect(url_for(".settings", slug=slug) + "#statut")


def _district_rows():
    form = request.form
    count = int(form.get("rows", "0")) if (form.get("rows") or "").isdigit() else 0
    return [{"code": form.get(f"code-{i}", ""), "name": form.get(f"name-{i}", ""), "qpv": form.get(f"qpv-{i}"),
             "target": form.get(f"target-{i}", "")} for i in range(min(count, 500))]


@requires(Role.COORDINATOR)
def districts(slug: str):
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "districts")
    if refused:
        return refused
    rows = _district_rows()
    try:
        changes = settings_service.update_districts(db.session, campaign, rows, actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "districts", {"districts": rows})
    db.session.commit()
    from ..survey import answering

    answering.forget_surveys()
    flash(_("%(n)d quartier(s) modifié(s).", n=changes), "success")
    return redirect(url_for(".settings", slug=slug) + "#quartiers")


@requires(Role.COORDINATOR)
def targets(slug: str):
    """Targets computed from a total and the census margins: shown first, applied on confirmation."""
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "targets")
    if refused:
        return refused
    try:
        computed = settings_service.targets_from_margins(db.session, campaign, request.form.get("total", ""))
    except ServiceError as error:
        return _refused(campaign, error, "targets", {"total": request.form.get("total", "")})
    if request.form.get("apply") != "1":
        return _render_settings(campaign, targets=computed, values={"total": request.form.get("total", "")})
    settings_service.apply_targets(db.session, campaign, computed, actor=_actor())
    db.session.commit()
    flash(_("Objectifs enregistrés d'après le recensement."), "success")
    return redirect(url_for(".settings", slug=slug) + "#quartiers")


@requires(Role.COORDINATOR)
def axes(slug: str):
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "axes")
    if refused:
        return refused
    labels = {k[len("axis-"):]: v for k, v in request.form.items() if k.startswith("axis-")}
    try:
        settings_service.update_axes(db.session, campaign, labels, actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "axes")
    db.session.commit()
    flash(_("Axes du CLS enregistrés."), "success")
    return redirect(url_for(".settings", slug=slug) + "#axes")


@requires(Role.COORDINATOR)
def members(slug: str):
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "members")
    if refused:
        return refused
    try:
        user = settings_service.add_member(db.session, campaign, request.form.get("email", ""), actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "members", {"email": request.form.get("email", "")})
    db.session.commit()
    flash(_("%(email)s a accès à la campagne %(slug)s.", email=user.email, slug=slug), "success")
    return redirect(url_for(".settings", slug=slug) + "#membres")


@requires(Role.COORDINATOR)
def invitations(slug: str):
    """Generate invitation codes and show them once, on a sheet to print (only their hashes are kept)."""
    from ..survey import answering

    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "invitations")
    if refused:
        return refused
    text = (request.form.get("count") or "").strip()
    if not text.isdigit():
        return _refused(campaign, _("Nombre de codes « %(v)s » invalide (nombre entier attendu).", v=text), "invitations",
                        status=422)
    try:
        codes = answering.generate_invitation_codes(db.session, campaign, int(text))
    except ServiceError as error:
        return _refused(campaign, error, "invitations")
    db.session.commit()
    reply = current_app.make_response(render_template("collection/invitations.html", campaign=campaign,
                                                      codes=[answering.format_code(c) for c in codes]))
    reply.headers["Cache-Control"] = "no-store"
    return reply


@requires(Role.COORDINATOR)
def purge(slug: str):
    """Delete the raw responses after the retention date (typed confirmation); the aggregates remain."""
    campaign = member_campaign_or_404(slug)
    refused = _checked(campaign, "retention")
    if refused:
        return refused
    if (request.form.get("confirm") or "").strip() != campaign.slug:
        return _refused(campaign, _("Pour confirmer, saisissez l'identifiant de la campagne (%(slug)s).", slug=slug),
                        "retention")
    try:
        count = retention.purge_responses(db.session, campaign, today=dt.date.today(), actor=_actor())
    except ServiceError as error:
        return _refused(campaign, error, "retention")
    db.session.commit()
    flash(_("%(n)d réponses supprimées ; les chiffres de la collecte et le rapport restent.", n=count), "success")
    return redirect(url_for(".dashboard", slug=slug))


@requires(Role.COORDINATOR)
def create(**_ignored):
    """Create a campaign (as ``flask campaigns create``); its creator becomes a member."""
    form = EmptyForm()
    values = request.form.to_dict() if request.method == "POST" else {}
    error, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            error, status = _("Le formulaire a expiré : rechargez la page."), 400
        else:
            try:
                campaign = settings_service.create(db.session, values, actor=_actor())
            except ServiceError as refused:
                db.session.rollback()
                error, status = str(refused), 422
            else:
                db.session.commit()
                flash(_("Campagne « %(name)s » créée (%(slug)s).", name=campaign.name, slug=campaign.slug), "success")
                return redirect(url_for("collection.settings", slug=campaign.slug))
    return render_template("collection/create.html", form=form, values=values, error=error), status
