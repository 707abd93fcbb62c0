"""The margins and weights page: read the request, call the weighting services, render."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import ServiceError
from ..extensions import db
from ..jobs.views import job_status
from ..models import JobState, Role
from ..web.access import member_campaign_or_404, requires
from ..web.i18n import page_language
from . import services
from .forms import MarginsForm, WeightsForm, variable_choices


def _problems(error: ServiceError) -> tuple[str, list[str]]:
    """Split a refusal into its heading and its list of problems."""
    head, *items = str(error).split("\n- ")
    return head, items


def _render(campaign, *, margins_form=None, weights_form=None, margins_error=None, weights_error=None, status=200):
    rows = services.margin_rows(db.session, campaign)
    variables = list(dict.fromkeys(r.variable for r in rows))
    labels = services.margin_labels(db.session, campaign, lang=page_language())
    weights_form = weights_form or WeightsForm(formdata=None)
    weights_form.cells.choices = variable_choices(variables, labels)
    current = services.current_weighting(db.session, campaign)
    job = services.weighting_job(db.session, campaign)
    active = job is not None and not job.state.finished
    failed = job is not None and job.state is JobState.FAILED and (
        current is None or services.as_utc(job.created_at) >= current.computed_at
    )
    return render_template(
        "weighting/page.html",
        campaign=campaign,
        margins=rows,
        totals=services.margin_totals(rows),
        margins_form=margins_form or MarginsForm(formdata=None),
        weights_form=weights_form,
        margins_error=margins_error,
        weights_error=weights_error,
        job_status=job_status(campaign, job) if (active or failed) else None,
        active=active,
        report=services.diagnostics_view(current),
        labels=labels,
    ), status


@requires(Role.COORDINATOR)
def page(slug: str):
    """Show the margins, the current weights and their diagnostics, and the forms to change them."""
    campaign = member_campaign_or_404(slug)
    return _render(campaign)


@requires(Role.COORDINATOR)
def upload_margins(slug: str):
    """Replace the margins by the uploaded CSV, or list every problem and change nothing."""
    campaign = member_campaign_or_404(slug)
    form = MarginsForm()
    if not form.validate_on_submit():
        return _render(campaign, margins_form=form, status=400)
    data = form.margins_file.data.read()
    try:
        outcome = services.import_margins(db.session, campaign, data, actor=current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        return _render(campaign, margins_form=form, margins_error=_problems(error), status=400)
    db.session.commit()
    flash(_("%(n)d marges importées.", n=outcome.rows), "success")
    for notice in outcome.notices:
        flash(notice, "info")
    return redirect(url_for(".page", slug=slug) + "#marges")


@requires(Role.COORDINATOR)
def compute(slug: str):
    """Start the weighting job with the chosen method; show its progress."""
    campaign = member_campaign_or_404(slug)
    form = WeightsForm()
    form.cells.choices = variable_choices(dict.fromkeys(r.variable for r in services.margin_rows(db.session, campaign)))
    if not form.validate_on_submit():
        return _render(campaign, weights_form=form, status=400)
    try:
        params = services.weighting_params(
            form.method.data,
            cells=form.cells.data or None,
            trim_upper=float(form.trim_upper.data) if form.trim_upper.data is not None else None,
            min_respondents=form.min_respondents.data,
        )
        job = services.start_weighting(db.session, campaign, params, actor=current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        return _render(campaign, weights_form=form, weights_error=_problems(error), status=400)
    # the page shows the job's progress (and reloads itself when it is done, with JavaScript)
    return redirect(url_for(".page", slug=slug) + "#ponderation")


@requires(Role.COORDINATOR)
def chart(slug: str, run_id: int):
    """The weight distribution chart of a weighting run, as an SVG image."""
    campaign = member_campaign_or_404(slug)
    current = services.current_weighting(db.session, campaign)
    if current is None or current.run.id != run_id:
        abort(404)
    svg = services.distribution_chart(db.session, current.run)
    if not svg:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    # the drawing's own presentation styles; nothing else is allowed in it
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
