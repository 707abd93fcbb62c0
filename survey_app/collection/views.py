"""The collection pages: read the request, call the collection services, render.

The dashboard and the responses (list, one response, exclusion, correction, duplicates)
are here; the settings pages and the creation of a campaign are in :mod:`.views_settings`,
whose views this module also names (``views.settings``…).
"""
from __future__ import annotations

import datetime as dt

from flask import Response as HttpResponse, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain import ServiceError
from ..extensions import db
from ..models import Channel, ResponseStatus, Role
from ..web.access import member_campaign_or_404, requires
from ..web.i18n import page_language
from . import dashboard as board_service, duplicates as duplicate_service, responses as response_service, retention
from .forms import CorrectionForm, ExcludeForm, RestoreForm
from .views_settings import (_actor, axes, create, districts, invitations, members, purge, settings,  # noqa: F401
                             status, targets)


@requires(Role.COORDINATOR)
def dashboard(slug: str):
    """Progress of the collection: districts against targets, channels, days, structure, drop-off."""
    campaign = member_campaign_or_404(slug)
    board = board_service.build(db.session, campaign, page_language())
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
    board = board_service.for_chart(db.session, campaign, name, page_language())
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
        items=response_service.items(found, definition, campaign, page_language()), changes=changes, events=events,
        exclude_form=exclude_form or ExcludeForm(formdata=None), restore_form=restore_form or RestoreForm(formdata=None),
        error=error, cell_text=response_service.cell_text, questions=definition.questions,
        reason_text=response_service.exclusion_reason_text,
        districts=response_service.districts_of(campaign)), status


@requires(Role.COORDINATOR)
def response(slug: str, response_id: int):
    """One response: its answers in questionnaire order, its audit trail, its actions."""
    campaign = member_campaign_or_404(slug)
    return _render_response(campaign, _response_or_404(campaign, response_id))


def _decided(slug: str, response_id: int, form, form_name: str, decide, *, invalid: str, done: str):
    """The course of an exclusion or a restoration: the form checked (400, ``invalid``),
    ``decide(campaign, found)`` called and committed, ``done`` shown on the response; a
    ``ServiceError`` re-renders the response with it, status 409, nothing stored.
    ``form_name``: the argument of :func:`_render_response` the form is shown as."""
    campaign = member_campaign_or_404(slug)
    found = _response_or_404(campaign, response_id)
    if not form.validate_on_submit():
        return _render_response(campaign, found, status=400, error=invalid, **{form_name: form})
    try:
        decide(campaign, found)
    except ServiceError as refused:
        db.session.rollback()
        return _render_response(campaign, _response_or_404(campaign, response_id), error=str(refused), status=409,
                                **{form_name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".response", slug=slug, response_id=response_id))


@requires(Role.COORDINATOR)
def exclude(slug: str, response_id: int):
    form = ExcludeForm()
    return _decided(slug, response_id, form, "exclude_form",
                    lambda campaign, found: response_service.exclude(db.session, campaign, found, form.motive.data,
                                                                     form.note.data, _actor()),
                    invalid=_("L'exclusion n'est pas enregistrée : indiquez son motif et sa raison."),
                    done=_("La réponse n° %(n)d est exclue de l'analyse.", n=response_id))


@requires(Role.COORDINATOR)
def restore(slug: str, response_id: int):
    form = RestoreForm()
    return _decided(slug, response_id, form, "restore_form",
                    lambda campaign, found: response_service.restore(db.session, campaign, found, form.reason.data,
                                                                     _actor()),
                    invalid=_("Indiquez pourquoi la réponse est rétablie."),
                    done=_("La réponse n° %(n)d est rétablie.", n=response_id))


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
                flash(_("La réponse à « %(q)s » est corrigée.", q=question.label(page_language())), "success")
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
                           shown=response_service.display_value(question, current, districts, page_language())), status


@requires(Role.COORDINATOR)
def duplicates(slug: str):
    """Likely duplicates side by side, for the coordinator to decide."""
    campaign = member_campaign_or_404(slug)
    return render_template("collection/duplicates.html", campaign=campaign,
                           pairs=duplicate_service.duplicates(db.session, campaign, lang=page_language()))
