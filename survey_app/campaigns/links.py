"""Coordinator tools for the public link: the link itself, its QR code, invitation codes."""
from __future__ import annotations

import datetime as dt
import io

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import Role
from ..domain import ServiceError
from ..survey import answering
from .questionnaires import current_versions
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm


QR_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
MAX_INVITATIONS = answering.MAX_INVITATIONS  # one limit, the service's


def public_url(slug: str, key: str) -> str:
    """The address printed on posters: ``CLS_PUBLIC_URL`` when set (behind a proxy), else this host."""
    base = current_app.config.get("CLS_PUBLIC_URL")
    path = url_for("survey.info", slug=slug, key=key)
    return base.rstrip("/") + path if base else url_for("survey.info", slug=slug, key=key, _external=True)


@requires(Role.COORDINATOR)
def links(slug: str):
    """List the public link and QR codes of each questionnaire of the campaign."""
    campaign = member_campaign_or_404(slug)
    versions = current_versions(db.session, campaign)
    items = [(v, public_url(slug, v.key)) for v in versions]
    return render_template("staff/links.html", campaign=campaign, items=items, form=EmptyForm(),
                           invitations=answering.invitations_required(db.session, campaign), today=dt.date.today())


@requires(Role.COORDINATOR)
def qr_code(slug: str, key: str, fmt: str):
    """The QR code of a questionnaire's public link, as PNG (flyers) or SVG (posters)."""
    campaign = member_campaign_or_404(slug)
    if fmt not in QR_FORMATS or answering.find_survey(db.session, campaign.slug, key) is None:
        abort(404)
    code = segno.make(public_url(slug, key), error="m")
    buffer = io.BytesIO()
    if fmt == "png":
        code.save(buffer, kind="png", scale=12, border=4)
    else:
        code.save(buffer, kind="svg", scale=10, border=4, xmldecl=False, title=_("Lien du questionnaire"))
    reply = current_app.response_class(buffer.getvalue(), mimetype=QR_FORMATS[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="qr-{campaign.slug}-{key}.{fmt}"'
    return reply


@requires(Role.COORDINATOR)
def invitations(slug: str):
    """Generate invitation codes and hand them over once, as a CSV file: only their hashes are kept."""
    campaign = member_campaign_or_404(slug)
    form = EmptyForm()
    try:
        count = int(request.form.get("count", ""))
    except ValueError:
        count = 0
    if not form.validate_on_submit() or not 1 <= count <= MAX_INVITATIONS:
        flash(_("Indiquez un nombre de codes entre 1 et %(max)s.", max=MAX_INVITATIONS), "error")
        return redirect(url_for(".links", slug=slug))
    try:
        codes = answering.generate_invitation_codes(db.session, campaign, count)
    except ServiceError as error:  # pragma: no cover - bounds checked above
        flash(str(error), "error")
        return redirect(url_for(".links", slug=slug))
    db.session.commit()
    body = "code\n" + "\n".join(answering.format_code(c) for c in codes) + "\n"
    reply = current_app.response_class(body, mimetype="text/csv")
    reply.headers["Content-Disposition"] = f'attachment; filename="invitations-{campaign.slug}.csv"'
    reply.headers["Cache-Control"] = "no-store"
    return reply
