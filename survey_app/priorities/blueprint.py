"""URL rules of the priorities workspace of a campaign (coordinator role, campaign members only)."""
from flask import Blueprint

from . import views

bp = Blueprint("priorities", __name__, url_prefix="/espace/campagnes/<slug>/priorites")

bp.add_url_rule("", "workspace", views.workspace)
bp.add_url_rule("/construire", "build", views.build, methods=["POST"])
bp.add_url_rule("/grille", "grid", views.grid, methods=["POST"])
bp.add_url_rule("/<key>/decision", "decide", views.decide, methods=["POST"])
bp.add_url_rule("/<key>/regrouper", "merge", views.merge, methods=["POST"])
bp.add_url_rule("/<key>/separer", "separate", views.separate, methods=["POST"])
bp.add_url_rule("/priorites-candidates.<any(csv, xlsx):fmt>", "download", views.download)
