"""The report workspace, its downloads, and the residents' public results page."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import ServiceError
from ..extensions import db
from ..models import JobState, Role
from ..web.access import member_campaign_or_404, public, requires
from ..web.forms import EmptyForm
from . import services


def _actor():
    return current_user._get_current_object()


@requires(Role.COORDINATOR)
def workspace(slug: str):
    """Show the report's state: build it, follow the build, download it, publish the results page."""
    from ..jobs.views import job_status

    campaign = member_campaign_or_404(slug)
    state = services.report_state(db.session, campaign)
    job = state.job
    status = job_status(campaign, job) if job is not None else None
    if status is not None:
        # the job's page is this page: its result is the report itself, read in the browser
        status["result_url"] = url_for(".view", slug=slug) if "page" in state.files else None
    failed = job is not None and job.state is JobState.FAILED
    return render_template("report/workspace.html", campaign=campaign, state=state, status=status, failed=failed,
                           form=EmptyForm(), result=(state.done.result if state.done is not None else None),
                           files=state.files)


@requires(Role.COORDINATOR)
def start(slug: str):
    """Start building the report (HTML, PDF, slides) in the background."""
    campaign = member_campaign_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        job = services.start_report(db.session, campaign, _actor(), stylesheet=url_for("static", filename="report.css"),
                                    back=url_for(".workspace", slug=slug))
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".workspace", slug=slug))
    if job.state is JobState.FAILED:
        flash(_("Le rapport n'a pas pu être produit : %(error)s", error=job.error or ""), "error")
    return redirect(url_for(".workspace", slug=slug))


@requires(Role.COORDINATOR)
def view(slug: str):
    """The report as a page of the workspace (its stylesheet linked, no inline style)."""
    campaign = member_campaign_or_404(slug)
    stored = services.report_file(db.session, campaign, "page")
    if stored is None:
        abort(404)
    return Response(stored.content, content_type=services.FILES["page"][1],
                    headers={"Cache-Control": "private, no-store"})


@requires(Role.COORDINATOR)
def download(slug: str, kind: str):
    """Download the report (standalone HTML, PDF) or the slides."""
    campaign = member_campaign_or_404(slug)
    stored = services.report_file(db.session, campaign, kind)
    if stored is None or kind == "page":
        abort(404)
    name, content_type = services.FILES[kind]
    filename = f"{campaign.slug}-{name}"
    # content_type is sent as it is (mimetype= would add a second « ; charset=utf-8 » to text types)
    return Response(stored.content, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})


@requires(Role.COORDINATOR)
def publish(slug: str):
    """Publish the residents' results page (audited)."""
    campaign = member_campaign_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.publish_results(db.session, campaign, _actor())
        db.session.commit()
        flash(_("La page de résultats est publiée."), "success")
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for(".workspace", slug=slug))


@requires(Role.COORDINATOR)
def unpublish(slug: str):
    """Withdraw the residents' results page (audited)."""
    campaign = member_campaign_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unpublish_results(db.session, campaign, _actor())
    db.session.commit()
    flash(_("La page de résultats n'est plus publiée."), "success")
    return redirect(url_for(".workspace", slug=slug))


@public
def results(slug: str):
    """The residents' results page, when the coordinator has published it."""
    campaign = services.published_campaign(db.session, slug)
    if campaign is None:
        abort(404)
    lang = str(get_locale())
    page = campaign.results_page
    return render_template("report/results.html", campaign=campaign, page=page, lang_code=lang,
                           published_on=services.published_on(campaign))
