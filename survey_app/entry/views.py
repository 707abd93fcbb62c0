"""The agent's pages: choose a campaign, type the serial, key the form page by page."""
from __future__ import annotations

import datetime as dt
import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from ..campaigns.questionnaires import definition_of
from ..campaigns.services import visible_campaigns
from ..domain import ServiceError
from ..extensions import db
from ..models import Campaign, FormState, Role
from ..questionnaire import effective_answers
from ..web.access import member_campaign_or_404, requires
from . import keying, screen, serials
from . import services as entry
from .forms import ReasonForm, StartForm
from .views_coordinator import STATE_LABELS, campaign_form_or_404, render_form

ROUND_LABELS = {1: _l("première saisie"), 2: _l("seconde saisie")}


def _actor():
    return current_user._get_current_object()


def _start_form(campaign: Campaign, chosen: int | None = None) -> StartForm:
    form = StartForm()
    versions = entry.paper_versions(db.session, campaign)
    form.questionnaire.choices = [SelectChoice(v.id, definition_of(v).label("fr")) for v in versions]
    if chosen is None:
        chosen = next((v.id for v in versions if v.key == "resident"), versions[0].id if versions else None)
    if request.method == "GET" or form.questionnaire.data is None:
        form.questionnaire.data = chosen
    return form


@requires(Role.AGENT)
def home():
    """The campaigns the agent keys forms for."""
    campaigns = visible_campaigns(db.session, _actor())
    return render_template("entry/home.html", campaigns=campaigns)


def _start_page(campaign, form, *, error=None, existing=None, status=200):
    return render_template(
        "entry/start.html", campaign=campaign, form=form, error=error, existing=existing,
        keyed_today=entry.keyed_today(db.session, campaign, _actor()),
        recent=entry.recent_entries(db.session, campaign, _actor(), limit=8),
        open_=campaign.is_open_on(dt.date.today()), serial_display=serials.display,
        state_labels=STATE_LABELS,
    ), status


@requires(Role.AGENT)
def start(slug: str):
    """Type or scan the serial; a first or second entry starts at once."""
    campaign = member_campaign_or_404(slug)
    chosen = request.args.get("questionnaire", type=int)
    form = _start_form(campaign, chosen)
    if request.method == "GET" or not form.validate_on_submit():
        return _start_page(campaign, form, status=200 if request.method == "GET" else 422)
    try:
        started = entry.start(db.session, campaign, _actor(), form.serial.data, form.questionnaire.data)
    except entry.AlreadyKeyed as refused:
        return _start_page(campaign, form, error=str(refused), existing=refused.form_id, status=409)
    except ServiceError as refused:
        return _start_page(campaign, form, error=str(refused), status=422)
    sections = screen.keyable_sections(started.definition, {})
    return _section_page(campaign, started, {}, sections[0].id)


def _section_page(campaign, started, texts: dict, section_id: str, errors: dict | None = None,
                  *, message: str | None = None, serial_editable: bool = False, status: int = 200, keyed=None):
    definition = started.definition
    districts = entry.districts_of(campaign)
    section = definition.section(section_id)
    here = screen.section_fields(section)
    keyed = keyed if keyed is not None else keying.read(definition, texts, districts)
    items = screen.screen_questions(definition, section, keyed.answers, districts)
    others = {k: v for k, v in texts.items() if k not in here}
    sections = screen.keyable_sections(definition, keyed.answers)
    ids = [s.id for s in sections]
    position = ids.index(section_id) + 1 if section_id in ids else 1
    known = {item.question.id for item in items}
    data = screen.client_data(items)
    context = {k: v for k, v in effective_answers(definition, keyed.answers, districts=districts).items()
               if definition.questions[k].section_id != section_id}
    summary = [(qid, msgs) for qid, msgs in (errors or {}).items()]
    fields = [name for item in items for name in keying.field_names(item.question)
              if not name.endswith("__autre")]
    wrong = [name for name in fields if name.split(".", 1)[0] in (errors or {})]
    first_field = (wrong or fields or [None])[0]
    return render_template(
        "entry/section.html", campaign=campaign, started=started, section=section, items=items,
        texts=texts, errors=errors or {}, summary=summary, known=known, state=json.dumps(others, ensure_ascii=False),
        position=position, count=len(sections), last=position == len(sections),
        round_label=ROUND_LABELS[started.round], serial=serials.display(started.serial),
        client=json.dumps({"questions": data, "answers": context}, ensure_ascii=False),
        message=message, serial_editable=serial_editable, numbers={i.question.id: i.number for i in items},
        definition=definition, first_field=first_field,
    ), status


@requires(Role.AGENT)
def keying_page(slug: str):
    """One page of keying: go on, go back, save complete or incomplete."""
    campaign = member_campaign_or_404(slug)
    serial_text = request.form.get("serial", "")
    version_id = request.form.get("version_id", type=int)
    try:
        started = entry.start(db.session, campaign, _actor(), serial_text, version_id)
    except ServiceError as refused:  # AlreadyKeyed among them
        flash(str(refused), "error")
        return redirect(url_for(".start", slug=slug))
    definition, districts = started.definition, entry.districts_of(campaign)
    section_id = request.form.get("section", "")
    if section_id not in definition.sections_by_id:
        abort(400)
    texts = screen.read_state(request.form.get("state"))
    here = screen.section_fields(definition.section(section_id))
    for name in here:
        texts.pop(name, None)
        value = request.form.get(keying.PREFIX + name, "")
        if value.strip():
            texts[name] = value.strip()[:6000]
    texts, keyed = screen.prune(definition, texts, keep_section=section_id, districts=districts)
    action = request.form.get("action", "next")
    if action == "previous":
        target = screen.neighbour(definition, keyed.answers, section_id, -1)
        return _section_page(campaign, started, texts, (target or definition.section(section_id)).id)
    if action == "incomplete":
        return _save(campaign, started, texts, section_id, complete=False, reason=request.form.get("reason", ""))
    target = screen.neighbour(definition, keyed.answers, section_id, +1)
    if target is None:  # the last page: the whole form is checked as it is saved
        return _save(campaign, started, texts, section_id, complete=True)
    errors = keying.check(definition, keyed, districts, section_id=section_id)
    if errors:
        return _section_page(campaign, started, texts, section_id, errors, status=422, keyed=keyed)
    # no error: no text is left on a skipped question of this page either
    return _section_page(campaign, started, texts, target.id, keyed=keyed)


def _save(campaign, started, texts, section_id, *, complete: bool, reason: str = ""):
    serial_text = request.form.get("serial", started.serial)
    try:
        same_serial = serials.normalise(serial_text) == started.serial
        form, round_, errors = entry.save(db.session, campaign, _actor(), serial_text, started.version.id, texts,
                                          complete=complete, reason=reason, started=started if same_serial else None)
    except (entry.SerialTaken, entry.AlreadyKeyed) as refused:
        return _section_page(campaign, started, texts, section_id, message=str(refused), serial_editable=True,
                             status=409)
    except ServiceError as refused:
        db.session.rollback()
        return _section_page(campaign, started, texts, section_id, message=str(refused), status=422)
    if errors:  # rules across pages: show the page of the first question to correct
        definition = started.definition
        first = next((definition.questions[q].section_id for q in errors if q in definition.questions), section_id)
        return _section_page(campaign, started, texts, first, errors, status=422)
    # read before the commit expires them (no reload for the message)
    shown, state, version_id, slug = serials.display(form.keyed_serial), form.state, started.version.id, campaign.slug
    db.session.commit()
    if state is FormState.VALIDATED:
        flash(_("Questionnaire n° %(serial)s enregistré (seconde saisie) : identique à la première, il est validé.",
                serial=shown), "success")
    elif state is FormState.RECONCILING:
        flash(_("Questionnaire n° %(serial)s enregistré (seconde saisie) : des différences avec la première saisie "
                "seront tranchées par la coordination.", serial=shown), "success")
    elif state is FormState.INCOMPLETE:
        flash(_("Questionnaire n° %(serial)s enregistré comme incomplet.", serial=shown), "success")
    else:
        flash(_("Questionnaire n° %(serial)s enregistré.", serial=shown), "success")
    return redirect(url_for(".start", slug=slug, questionnaire=version_id))


@requires(Role.AGENT)
def form_page(slug: str, form_id: int):
    """A keyed form: its state; for coordinators its answers, both entries and its change log."""
    campaign, form = campaign_form_or_404(slug, form_id)
    return render_form(campaign, form)


@requires(Role.AGENT)
def cancel(slug: str, form_id: int):
    """Cancel a form keyed by mistake, with a reason."""
    campaign, form = campaign_form_or_404(slug, form_id)
    reason_form = ReasonForm()
    error = None
    if reason_form.validate_on_submit():
        try:
            entry.cancel(db.session, campaign, form, _actor(), reason_form.reason.data)
        except ServiceError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            db.session.commit()
            flash(_("La saisie du questionnaire n° %(serial)s est annulée.", serial=serials.display(form.keyed_serial)),
                  "success")
            return redirect(url_for(".start", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("entry/cancel.html", campaign=campaign, form=form, reason_form=reason_form, error=error,
                           serial=serials.display(form.keyed_serial)), status
