"""URL rules of paper entry: the agent's screen and the coordinator's paper pages."""
from flask import Blueprint

from . import views, views_coordinator as coordination

bp = Blueprint("entry", __name__, url_prefix="/saisie")
bp.add_url_rule("/", view_func=views.home)
bp.add_url_rule("/<slug>/", view_func=views.start, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/questionnaire", view_func=views.keying_page, methods=["POST"])
bp.add_url_rule("/<slug>/questionnaires/<int:form_id>", view_func=views.form_page)
bp.add_url_rule("/<slug>/questionnaires/<int:form_id>/annuler", view_func=views.cancel, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/questionnaires/<int:form_id>/corriger", view_func=coordination.correct, methods=["POST"])
bp.add_url_rule("/<slug>/questionnaires", view_func=coordination.forms_list)
bp.add_url_rule("/<slug>/rapprochement", view_func=coordination.reconcile_list)
bp.add_url_rule("/<slug>/rapprochement/<int:form_id>", view_func=coordination.reconcile, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/suivi", view_func=coordination.figures)
bp.add_url_rule("/<slug>/reglages", view_func=coordination.settings, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/formulaires/vierge/<int:version_id>.<fmt>", view_func=coordination.blank_form,
               methods=["GET", "POST"])
bp.add_url_rule("/<slug>/formulaires/numerotes", view_func=coordination.numbered_forms, methods=["POST"])
bp.add_url_rule("/<slug>/formulaires/pdf/<int:job_id>", view_func=coordination.pdf_status)
bp.add_url_rule("/<slug>/formulaires/pdf/<int:job_id>/telecharger", view_func=coordination.pdf_download)
