"""URL rules of the result pages of a campaign (coordinator role, campaign members only)."""
from flask import Blueprint

from . import views

bp = Blueprint("findings", __name__, url_prefix="/espace/campagnes/<slug>/resultats")

bp.add_url_rule("/indicateurs", "indicators", views.indicators)
bp.add_url_rule("/indicateurs/calculer", "start", views.start, methods=["POST"])
bp.add_url_rule("/indicateurs.<any(csv, xlsx):fmt>", "indicators_download", views.indicators_download)
bp.add_url_rule("/croisements", "cross_tables", views.cross_tables)
bp.add_url_rule("/croisements.<any(csv, xlsx):fmt>", "cross_table_download", views.cross_table_download)
bp.add_url_rule("/quartiers", "themes", views.themes)
bp.add_url_rule("/quartiers.<any(csv, xlsx):fmt>", "themes_download", views.themes_download)
bp.add_url_rule("/themes", "theme_workspace", views.theme_workspace)
bp.add_url_rule("/themes/calculer", "theme_start", views.theme_start, methods=["POST"])
bp.add_url_rule("/themes/renommer", "theme_rename", views.theme_rename, methods=["POST"])
bp.add_url_rule("/themes/fusionner", "theme_merge", views.theme_merge, methods=["POST"])
bp.add_url_rule("/themes/scinder", "theme_split", views.theme_split, methods=["POST"])
