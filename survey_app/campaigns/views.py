"""Staff workspace: home page and campaign page."""
from flask import render_template
from flask_login import current_user

from ..extensions import db
from ..models import Role
from . import services as campaign_service
from ..web.access import member_campaign_or_404, requires


@requires(Role.AGENT)
def home():
    """List the campaigns of the signed-in staff member."""
    campaigns = campaign_service.visible_campaigns(db.session, current_user)
    counts = campaign_service.response_counts_of(db.session, campaigns)
    return render_template("staff/home.html", campaigns=campaigns, counts=counts, Role=Role)


@requires(Role.AGENT)
def campaign(slug: str):
    """Show a campaign and what the staff member can do on it."""
    found = member_campaign_or_404(slug)
    counts = campaign_service.response_counts(db.session, found)
    return render_template("staff/campaign.html", campaign=found, counts=counts, Role=Role)
