"""Public pages: the landing page, the language switch, a health check."""
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, CampaignStatus
from .access import public
from .i18n import available_languages
from .security import safe_next_url

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def index():
    """Send staff to their home page; show residents the open campaigns."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.OPEN).order_by(Campaign.name)
    ).all()
    return render_template("public/index.html", campaigns=campaigns)


@bp.route("/langue/<lang>")
@public
def set_language(lang: str):
    """Remember the chosen language and return to the page the visitor came from."""
    if lang in available_languages():
        session["lang"] = lang
    return redirect(safe_next_url(request.args.get("next"), url_for("public.index")))


@bp.route("/sante")
@public
def health():
    """Answer the reverse proxy's health check (the database must answer)."""
    db.session.execute(select(1))
    return jsonify(status="ok")
