"""The priorities workspace of a campaign: the ranked list, the decisions, the grid, downloads.

Views read the request, call :mod:`.services` (imported inside each view: it loads
pandas and the analysis library, which the residents' pages never need) and render.
A refused input re-renders the page with what was typed and the message, status 400,
nothing stored.

No view computes the evidence: the job "priorities" builds it (:func:`build` starts
it) and the pages rank the stored evidence (:mod:`.stored`) with the decisions. Until it
is built, the page offers to build it and shows the job's progress.
"""
from __future__ import annotations

import re

from flask import Response, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..domain import ServiceError
from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from . import jobs as _jobs  # noqa: F401 - registers the job kind "priorities"
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


def _job_status(campaign, job):
    if job is None:
        return None
    from ..jobs.views import job_status

    return job_status(campaign, job)


def _render(campaign, work, *, bound=None, status: int = 200, errors=(), state=None):
    """The workspace page; `bound` replaces one form by the one the coordinator sent."""
    bound = bound or {}
    decision_forms = {item.key: bound.get(("decision", item.key))
                      or decision_form(item.key, work.decisions.get(item.key)) for item in work.ranking.all}
    merge_forms = {item.key: bound.get(("merge", item.key)) or merge_form(work, item.key)
                   for item in work.ranking.all}
    open_key = next((key for kind, key in bound if kind in ("decision", "merge")), None)
    if state is None:
        from . import stored

        state = stored.evidence_state(db.session, campaign)
    return render_template(
        "priorities/workspace.html", campaign=campaign, work=work, decision_forms=decision_forms,
        merge_forms=merge_forms, grid_form=bound.get(("grid", None)) or grid_form(work),
        empty_form=EmptyForm(), open_key=open_key, errors=list(errors), number=_number,
        pearl_fields=PEARL_FIELDS, state=state, job_status=_job_status(campaign, state.job),
    ), status


class NotBuilt(Exception):
    """The campaign's evidence has not been built yet (the job "priorities" never succeeded)."""


def _workspace(campaign, state=None):
    """The workspace on the stored evidence; raises :class:`NotBuilt` when there is none.

    Raises ServiceError when the campaign cannot have a list (nobody answered...).
    """
    from . import services, stored

    stored.check_buildable(db.session, campaign)
    if state is None:
        state = stored.evidence_state(db.session, campaign)
    if state.stored is None:
        raise NotBuilt()
    return services.workspace(db.session, campaign, found=state.stored.evidence)


def _not_built(slug: str):
    flash(_("La liste des priorités candidates n'a pas encore été construite : construisez-la d'abord."), "error")
    return _back(slug)


def _workspace_or_stop(campaign):
    """The workspace of a page that changes or downloads the list, or the end of the request:
    back to the workspace page (with a message) when the list is not built yet, the page
    saying why (409) when the campaign cannot have one."""
    try:
        return _workspace(campaign)
    except NotBuilt:
        abort(_not_built(campaign.slug))
    except ServiceError as error:
        abort(make_response(*_unavailable(campaign, str(error), 409)))


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
    """The ranked candidates by CLS axis, their evidence and score, the decisions, the history.

    Before the evidence is built: what the list will rest on, the button that builds it
    and the progress of the job building it.
    """
    from . import stored

    campaign = member_campaign_or_404(slug)
    try:
        stored.check_buildable(db.session, campaign)
        state = stored.evidence_state(db.session, campaign)
        if state.stored is None:
            return render_template("priorities/build.html", campaign=campaign, state=state,
                                   job_status=_job_status(campaign, state.job), empty_form=EmptyForm())
        work = _workspace(campaign, state)
    except ServiceError as error:
        return _unavailable(campaign, str(error))
    return _render(campaign, work, state=state)


@requires(Role.COORDINATOR)
def build(slug: str):
    """Start building the campaign's evidence as a background job (the page shows its progress)."""
    from . import stored

    campaign = member_campaign_or_404(slug)
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return _back(slug)
    try:
        job = stored.start_build(db.session, campaign, current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        return _unavailable(campaign, str(error), 409)
    db.session.commit()
    if not job.state.finished:
        flash(_("Construction de la liste lancée : la page montre son avancement."), "success")
    elif job.error:
        flash(_("La construction de la liste a échoué : %(error)s", error=job.error), "error")
    else:
        flash(_("Liste des priorités candidates construite."), "success")
    return _back(slug, "construction")


@requires(Role.COORDINATOR)
def decide(slug: str, key: str):
    """Store the decision, B, C, PEARL, note and label of one candidate."""
    from . import services

    campaign = member_campaign_or_404(slug)
    work = _workspace_or_stop(campaign)
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
    work = _workspace_or_stop(campaign)
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
    work = _workspace_or_stop(campaign)
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
    work = _workspace_or_stop(campaign)
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
    work = _workspace_or_stop(campaign)
    if fmt == "xlsx":
        body, mimetype = exports.to_xlsx(work), XLSX_TYPE
    else:
        body, mimetype = exports.to_csv(work), CSV_TYPE
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{slug}-priorites-candidates".lower()).strip("-")
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
