"""URL rules of the collection pages: dashboard, responses, duplicates, settings."""
from flask import Blueprint

from . import views

bp = Blueprint("collection", __name__, url_prefix="/espace/campagnes/<slug>/collecte")
bp.add_url_rule("/", "dashboard", views.dashboard)
bp.add_url_rule("/graphique-<name>.svg", "chart", views.chart)
bp.add_url_rule("/reponses", "responses", views.responses)
bp.add_url_rule("/reponses/<int:response_id>", "response", views.response)
bp.add_url_rule("/reponses/<int:response_id>/exclure", "exclude", views.exclude, methods=["POST"])
bp.add_url_rule("/reponses/<int:response_id>/retablir", "restore", views.restore, methods=["POST"])
bp.add_url_rule("/reponses/<int:response_id>/corriger/<question_id>", "correct", views.correct, methods=["GET", "POST"])
bp.add_url_rule("/doublons", "duplicates", views.duplicates)
bp.add_url_rule("/reglages", "settings", views.settings, methods=["GET", "POST"])
bp.add_url_rule("/reglages/statut", "status", views.status, methods=["POST"])
bp.add_url_rule("/reglages/quartiers", "districts", views.districts, methods=["POST"])
bp.add_url_rule("/reglages/objectifs", "targets", views.targets, methods=["POST"])
bp.add_url_rule("/reglages/axes", "axes", views.axes, methods=["POST"])
bp.add_url_rule("/reglages/membres", "members", views.members, methods=["POST"])
bp.add_url_rule("/reglages/invitations", "invitations", views.invitations, methods=["POST"])
bp.add_url_rule("/reglages/conservation", "purge", views.purge, methods=["POST"])

new_bp = Blueprint("collection_new", __name__, url_prefix="/espace/nouvelle-campagne")
new_bp.add_url_rule("/", "create", views.create, methods=["GET", "POST"])
