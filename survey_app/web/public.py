"""Public pages: the landing page, the language switch, a health check."""
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..campaigns.questionnaires import definition_by_hash
from ..extensions import db
from ..models import Campaign, CampaignStatus, QuestionnaireVersion
from .access import public
from .i18n import available_languages, page_language
from .security import safe_next_url

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def index():
    """Send staff to their home page; show residents the open campaigns."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    lang = page_language()
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.OPEN).order_by(Campaign.name)
    ).all()
    versions = db.session.execute(
        select(QuestionnaireVersion.campaign_id, QuestionnaireVersion.id, QuestionnaireVersion.key,
               QuestionnaireVersion.content_hash, QuestionnaireVersion.source_name)
        .where(QuestionnaireVersion.campaign_id.in_([c.id for c in campaigns]), QuestionnaireVersion.is_current)
    ).all() if campaigns else []
    surveys: dict[int, list[dict]] = {}
    for row in sorted(versions, key=lambda r: (_KEY_ORDER.get(r.key, len(_KEY_ORDER)), r.key)):
        definition = definition_by_hash(db.session, row.id, row.content_hash, row.source_name)
        surveys.setdefault(row.campaign_id, []).append({"key": row.key, "title": definition.label(lang)})
    cards = [{"campaign": c, "surveys": surveys.get(c.id, []), "results": _published(c)} for c in campaigns]
    # a campaign closed since keeps its published results within reach of the residents
    closed = db.session.scalars(
        select(Campaign).where(Campaign.status != CampaignStatus.OPEN, Campaign.results_published_at.is_not(None))
        .order_by(Campaign.name)
    ).all()
    return render_template("public/index.html", cards=cards, results=[c for c in closed if _published(c)])


#: The residents' questionnaire first, then the professionals', then any other.
_KEY_ORDER = {"resident": 0, "professional": 1}


def _published(campaign: Campaign) -> bool:
    """The campaign's results page is published (as the results page itself checks)."""
    return campaign.results_published_at is not None and bool(campaign.results_page)


@bp.route("/langue/<lang>")
@public
def set_language(lang: str):
    """Remember the chosen language and return to the page the visitor came from."""
    if lang in available_languages():
        session["lang"] = lang
    return redirect(safe_next_url(request.args.get("next"), url_for("public.index")))


@bp.route("/favicon.ico")
@public
def favicon():
    """Where browsers ask for the site's icon without a link: the SVG shipped in static/."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/sante")
@public
def health():
    """Answer the reverse proxy's health check (the database must answer)."""
    db.session.execute(select(1))
    return jsonify(status="ok")
