"""URL rules of the coordinator's campaign pages: the staff home, a campaign, its public links."""
from flask import Blueprint

from . import links, views

bp = Blueprint("staff", __name__, url_prefix="/espace")
bp.add_url_rule("/", view_func=views.home)
bp.add_url_rule("/campagnes/<slug>", view_func=views.campaign)

links_bp = Blueprint("campaign_links", __name__, url_prefix="/espace/campagnes/<slug>")
links_bp.add_url_rule("/liens", view_func=links.links)
links_bp.add_url_rule("/liens/<key>/qr.<fmt>", view_func=links.qr_code)
links_bp.add_url_rule("/invitations", view_func=links.invitations, methods=["POST"])
