"""The collection settings pages (name, dates, languages, status, districts and targets,
CLS axes, members, invitation codes, retention and purge) and the creation of a campaign:
read the request, call :mod:`.settings` (or :mod:`.retention`), render."""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import ServiceError
from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from ..web.i18n import LANGUAGE_NAMES
from . import retention, settings as settings_service


def _actor():
    return current_user._get_current_object()


def _render_settings(campaign, *, error=None, section=None, status=200, values=None, targets=None):
    return render_template(
        "collection/settings.html", campaign=campaign, form=EmptyForm(), error=error, section=section,
        values=values or {}, languages=current_app.config["CLS_LANGUAGES"], language_names=LANGUAGE_NAMES,
        axes=settings_service.axes_of(campaign),
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


def _saved(campaign, section: str, change, *, values=None, anchor: str = "", forget_surveys: bool = False):
    """The course of a settings form: the CSRF token checked (400), ``change()`` called, committed,
    the message it returns shown back at the section (``#anchor``). A ``ServiceError`` re-renders
    the settings with it and what was typed (``values``), status 422, nothing stored.
    ``forget_surveys``: the change shows in the residents' pages at once."""
    refused = _checked(campaign, section)
    if refused:
        return refused
    try:
        message = change()
    except ServiceError as error:
        return _refused(campaign, error, section, values)
    db.session.commit()
    if forget_surveys:
        from ..survey import answering

        answering.forget_surveys()
    flash(message, "success")
    return redirect(url_for(".settings", slug=campaign.slug) + (f"#{anchor}" if anchor else ""))


@requires(Role.COORDINATOR)
def settings(slug: str):
    """Name, dates, languages, information text and retention date (GET shows every setting)."""
    campaign = member_campaign_or_404(slug)
    if request.method == "GET":
        return _render_settings(campaign)
    values = request.form.to_dict()

    def change():
        changed = settings_service.update_general(db.session, campaign, values, request.form.getlist("languages"),
                                                  current_app.config["CLS_LANGUAGES"], actor=_actor())
        return _("Réglages enregistrés.") if changed else _("Rien n'a changé.")
    return _saved(campaign, "general", change, values=values, forget_surveys=True)


@requires(Role.COORDINATOR)
def status(slug: str):
    campaign = member_campaign_or_404(slug)

    def change():
        settings_service.set_status(db.session, campaign, request.form.get("status", ""), actor=_actor())
        return _("Campagne %(slug)s : %(status)s.", slug=slug, status=campaign.status.value)
    return _saved(campaign, "status", change, anchor="statut", forget_surveys=True)


def _district_rows():
    form = request.form
    count = int(form.get("rows", "0")) if (form.get("rows") or "").isdigit() else 0
    return [{"code": form.get(f"code-{i}", ""), "name": form.get(f"name-{i}", ""), "qpv": form.get(f"qpv-{i}"),
             "target": form.get(f"target-{i}", "")} for i in range(min(count, 500))]


@requires(Role.COORDINATOR)
def districts(slug: str):
    campaign = member_campaign_or_404(slug)
    rows = _district_rows()

    def change():
        changes = settings_service.update_districts(db.session, campaign, rows, actor=_actor())
        return _("%(n)d quartier(s) modifié(s).", n=changes)
    return _saved(campaign, "districts", change, values={"districts": rows}, anchor="quartiers", forget_surveys=True)


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
    labels = {k[len("axis-"):]: v for k, v in request.form.items() if k.startswith("axis-")}

    def change():
        settings_service.update_axes(db.session, campaign, labels, actor=_actor())
        return _("Axes du CLS enregistrés.")
    return _saved(campaign, "axes", change, anchor="axes")


@requires(Role.COORDINATOR)
def members(slug: str):
    campaign = member_campaign_or_404(slug)

    def change():
        user = settings_service.add_member(db.session, campaign, request.form.get("email", ""), actor=_actor())
        return _("%(email)s a accès à la campagne %(slug)s.", email=user.email, slug=slug)
    return _saved(campaign, "members", change, values={"email": request.form.get("email", "")}, anchor="membres")


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
