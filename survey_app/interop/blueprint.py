"""URL rules of the exchanges with KoboToolbox and ODK: XLSForm in and out, data exports in."""
from flask import Blueprint

from . import views

bp = Blueprint("interop", __name__, url_prefix="/espace/campagnes/<slug>/kobo-odk")
# before every other check (the CSRF check reads the form): the size limit of the uploads
bp.record_once(lambda state: state.app.before_request_funcs.setdefault(None, []).insert(0, views.upload_limit))

bp.add_url_rule("/", "page", views.page)
bp.add_url_rule("/xlsform/export/<key>.xlsx", "xlsform_export", views.xlsform_export)
bp.add_url_rule("/xlsform/import", "xlsform_upload", views.xlsform_upload, methods=["POST"])
bp.add_url_rule("/xlsform/import/<token>", "xlsform_report", views.xlsform_report)
bp.add_url_rule("/xlsform/import/<token>/charger", "xlsform_load", views.xlsform_load, methods=["POST"])
bp.add_url_rule("/reponses", "responses_upload", views.responses_upload, methods=["POST"])
bp.add_url_rule("/reponses/<token>", "responses_report", views.responses_report)
bp.add_url_rule("/reponses/<token>/importer", "responses_confirm", views.responses_confirm, methods=["POST"])
