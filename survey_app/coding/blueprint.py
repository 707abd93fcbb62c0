"""URL rules of the coding screen."""
from flask import Blueprint

from . import views

bp = Blueprint("coding", __name__, url_prefix="/espace/campagnes/<slug>/codage")
bp.add_url_rule("/", view_func=views.screen)
bp.add_url_rule("/coder", view_func=views.record, methods=["POST"])
bp.add_url_rule("/themes", view_func=views.add_theme, methods=["POST"])
bp.add_url_rule("/terme-refuse", view_func=views.reject_term, methods=["POST"])
bp.add_url_rule("/automatique", view_func=views.auto, methods=["POST"])
bp.add_url_rule("/themes-emergents", view_func=views.emerging)
bp.add_url_rule("/parts", view_func=views.shares)
bp.add_url_rule("/grille.yaml", view_func=views.codebook_file)
