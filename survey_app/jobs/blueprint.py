"""URL rules of the job pages. Registering the blueprint also attaches the job queue."""
from flask import Blueprint

from . import views
from .queue import init_queue

bp = Blueprint("jobs", __name__, url_prefix="/espace/campagnes/<slug>/travaux")
bp.record_once(lambda state: init_queue(state.app))

bp.add_url_rule("/<int:job_id>", "status", views.status)
bp.add_url_rule("/<int:job_id>.json", "status_json", views.status_json)
