"""URL rules of the margins and weights pages."""
from flask import Blueprint

from . import views

bp = Blueprint("weighting", __name__, url_prefix="/espace/campagnes/<slug>/ponderation")
bp.add_url_rule("/", "page", views.page)
bp.add_url_rule("/marges", "upload_margins", views.upload_margins, methods=["POST"])
bp.add_url_rule("/calcul", "compute", views.compute, methods=["POST"])
bp.add_url_rule("/poids-<int:run_id>.svg", "chart", views.chart)
