"""The priorities workspace of a campaign: the ranked list, the decisions, the grid, downloads.

Views read the request, call :mod:`.services` (imported inside each view: it loads
pandas and the analysis library, which the residents' pages never need) and render.
A refused input re-renders the page with what was typed and the message, status 400,
nothing stored.
"""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..domain import ServiceError
from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from .forms import PEARL_FIELDS, DecisionForm, GridForm, MergeForm

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value) -> str:
    if value is None:
        return ""
    from analysis.priorities import format_number_fr

    return format_number_fr(float(value), 2)


def decision_form(key: str, decision=None, *, bound: bool = False) -> DecisionForm:
    """The decision form of candidate `key`: bound to the request, or filled from the stored decision."""
    if bound:
        return DecisionForm(prefix=key)
    pearl = (decision.pearl or {}) if decision is not None else {}
    data = {
        "status": decision.status if decision is not None else "proposed",
        "seriousness": _number(decision.seriousness) if decision is not None else "",
        "effectiveness": _number(decision.effectiveness) if decision is not None else "",
        "label": (decision.label or "") if decision is not None else "",
        "note": (decision.note or "") if decision is not None else "",
        **{item: {True: "oui", False: "non"}.get(pearl.get(item), "") for item, _label in PEARL_FIELDS},
    }
    return DecisionForm(prefix=key, formdata=None, data=data)


def merge_form(work, key: str, *, bound: bool = False) -> MergeForm:
    form = MergeForm(prefix=f"regrouper-{key}") if bound else MergeForm(prefix=f"regrouper-{key}", formdata=None)
    form.into.choices = [SelectChoice("", _("— choisir —"))] + [SelectChoice(k, label) for k, label in work.merge_targets(key)]
    return form


def grid_form(work, *, bound: bool = False) -> GridForm:
    if bound:
        return GridForm()
    grid = work.ranking.grid
    return GridForm(formdata=None, data={"variant": grid.variant,
                                         "inequity_weight": _number(grid.inequity_weight),
                                         "demand_weight": _number(grid.demand_weight)})


def _unavailable(campaign, message: str, status: int = 200):
    db.session.rollback()
    return render_template("priorities/unavailable.html", campaign=campaign, message=message), status


def _keep_side_effects() -> None:
    """Commit what computing the evidence stored (the codebook's first copy, lemmas); harmless if raced."""
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _render(campaign, work, *, bound=None, status: int = 200, errors=()):
    """The workspace page; `bound` replaces one form by the one the coordinator sent."""
    bound = bound or {}
    decision_forms = {item.key: bound.get(("decision", item.key))
                      or decision_form(item.key, work.decisions.get(item.key)) for item in work.ranking.all}
    merge_forms = {item.key: bound.get(("merge", item.key)) or merge_form(work, item.key)
                   for item in work.ranking.all}
    open_key = next((key for kind, key in bound if kind in ("decision", "merge")), None)
    return render_template(
        "priorities/workspace.html", campaign=campaign, work=work, decision_forms=decision_forms,
        merge_forms=merge_forms, grid_form=bound.get(("grid", None)) or grid_form(work),
        empty_form=EmptyForm(), open_key=open_key, errors=list(errors), number=_number,
        pearl_fields=PEARL_FIELDS,
    ), status


def _workspace(campaign):
    from . import services

    work = services.workspace(db.session, campaign)
    _keep_side_effects()
    return work


def _field_errors(form) -> list[tuple[str, str]]:
    """``(field id, message)`` of every error of `form`, for the error summary."""
    return [(field.id, str(message)) for field in form for message in field.errors]


def _commit(slug: str) -> bool:
    """Commit the change; False (and a message) when another person's change collided with it."""
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Une autre personne a modifié cette priorité au même moment : rien n'a été enregistré. "
                "Relisez la page et recommencez."), "error")
        return False
    return True


def _back(slug: str, anchor: str | None = None):
    return redirect(url_for("priorities.workspace", slug=slug) + (f"#{anchor}" if anchor else ""))


@requires(Role.COORDINATOR)
def workspace(slug: str):
    """The ranked candidates by CLS axis, their evidence and score, the decisions, the history."""
    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error))
    return _render(campaign, work)


@requires(Role.COORDINATOR)
def decide(slug: str, key: str):
    """Store the decision, B, C, PEARL, note and label of one candidate."""
    from . import services

    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    if key not in work.base:
        abort(404)
    form = decision_form(key, bound=True)
    if not form.validate_on_submit():
        return _render(campaign, work, bound={("decision", key): form}, status=400, errors=_field_errors(form))
    try:
        changed = services.update_decision(
            db.session, campaign, current_user._get_current_object(), key, label=form.label.data,
            status=form.status.data, seriousness=form.seriousness.data, effectiveness=form.effectiveness.data,
            pearl=form.pearl(), note=form.note.data)
    except ServiceError as error:
        db.session.rollback()
        return _render(campaign, _workspace(campaign), bound={("decision", key): form}, status=400,
                       errors=[(f"{key}-status", str(error))])
    if not _commit(slug):
        return _back(slug, f"cand-{key}")
    label = work.base[key].label
    if changed:
        flash(_("« %(label)s » : décision enregistrée.", label=label), "success")
    else:
        flash(_("« %(label)s » : rien n'a changé.", label=label), "success")
    return _back(slug, f"cand-{key}")


@requires(Role.COORDINATOR)
def merge(slug: str, key: str):
    """Merge one candidate into another."""
    from . import services

    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    if key not in work.base:
        abort(404)
    form = merge_form(work, key, bound=True)
    if not form.validate_on_submit():
        return _render(campaign, work, bound={("merge", key): form}, status=400, errors=_field_errors(form))
    try:
        services.merge(db.session, campaign, current_user._get_current_object(), key, form.into.data)
    except ServiceError as error:
        db.session.rollback()
        return _render(campaign, _workspace(campaign), bound={("merge", key): form}, status=400,
                       errors=[(form.into.id, str(error))])
    if not _commit(slug):
        return _back(slug, f"cand-{key}")
    flash(_("« %(label)s » est regroupée avec « %(into)s ».", label=work.base[key].label,
            into=work.base[form.into.data].label), "success")
    return _back(slug, f"cand-{form.into.data}")


@requires(Role.COORDINATOR)
def separate(slug: str, key: str):
    """Undo a merge: the candidate is listed again on its own."""
    from . import services

    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    if key not in work.base:
        abort(404)
    if not EmptyForm().validate_on_submit():
        return _back(slug)
    try:
        services.separate(db.session, campaign, current_user._get_current_object(), key)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(slug)
    if not _commit(slug):
        return _back(slug, f"cand-{key}")
    flash(_("« %(label)s » est de nouveau une priorité candidate à part entière.", label=work.base[key].label),
          "success")
    return _back(slug, f"cand-{key}")


@requires(Role.COORDINATOR)
def grid(slug: str):
    """Adjust the scoring grid: variant and the weights of I and D."""
    from . import services

    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    form = grid_form(work, bound=True)
    if not form.validate_on_submit():
        return _render(campaign, work, bound={("grid", None): form}, status=400, errors=_field_errors(form))
    try:
        changed = services.set_grid(db.session, campaign, current_user._get_current_object(),
                                    variant=form.variant.data, inequity_weight=form.inequity_weight.data,
                                    demand_weight=form.demand_weight.data)
    except ServiceError as error:
        db.session.rollback()
        return _render(campaign, _workspace(campaign), bound={("grid", None): form}, status=400,
                       errors=[(form.variant.id, str(error))])
    if not _commit(slug):
        return _back(slug, "grille")
    flash(_("Grille de notation enregistrée : le classement est recalculé.") if changed
          else _("La grille n'a pas changé."), "success")
    return _back(slug, "grille")


@requires(Role.COORDINATOR)
def download(slug: str, fmt: str):
    """The list as CSV (UTF-8 with BOM, ``;``) or XLSX, cells neutralised against formulas."""
    from . import exports

    campaign = member_campaign_or_404(slug)
    try:
        work = _workspace(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    if fmt == "xlsx":
        body, mimetype = exports.to_xlsx(work), XLSX_TYPE
    else:
        body, mimetype = exports.to_csv(work), CSV_TYPE
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{slug}-priorites-candidates".lower()).strip("-")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
