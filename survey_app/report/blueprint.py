"""URL rules of the diagnostic report (coordinators of the campaign) and of the public results page."""
from flask import Blueprint

from . import views

bp = Blueprint("report", __name__, url_prefix="/espace/campagnes/<slug>/rapport")
bp.add_url_rule("/", "workspace", views.workspace)
bp.add_url_rule("/produire", "start", views.start, methods=["POST"])
bp.add_url_rule("/voir", "view", views.view)
bp.add_url_rule("/telecharger/<any(html, pdf, pptx):kind>", "download", views.download)
bp.add_url_rule("/publier", "publish", views.publish, methods=["POST"])
bp.add_url_rule("/retirer", "unpublish", views.unpublish, methods=["POST"])

public_bp = Blueprint("results", __name__)
public_bp.add_url_rule("/resultats/<slug>", "page", views.results)
