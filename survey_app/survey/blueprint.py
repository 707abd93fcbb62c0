"""The resident's survey: its Blueprint and URL rules (the views are in :mod:`.views`)."""
from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, db, limiter
from ..questionnaire.model import label_in
from ..web.access import public
from . import forms as survey_forms
from . import views
from .surveys import watch

bp = Blueprint("survey", __name__, url_prefix="/enquete/<slug>/<key>")
# The survey checks its CSRF token itself (with Flask-WTF's check), to answer a stale
# form with the form again and the answers typed.
csrf.exempt(bp)


@bp.record_once
def _setup(state):
    # Globals, so that the question macros are imported without the page's context
    # (an import "with context" is evaluated again at every render).
    state.app.jinja_env.globals.update(survey_forms=survey_forms, survey_label_in=label_in)
    watch(db.session)
    global _FILTERED
    if not _FILTERED:  # the limiter is one per process, the apps may be several (tests)
        limiter.request_filter(_without_limits)
        _FILTERED = True


_FILTERED = False


def _without_limits() -> bool:
    """The survey's pages have no rate limit but the resume form's: Flask-Limiter's
    request-level check has nothing to do on them (about 8 % of a page's CPU, measured)."""
    return request.blueprint == "survey" and request.endpoint != "survey.resume"


bp.before_request(views.refuse_too_large)
bp.before_request(views.switch_language)
bp.register_error_handler(RequestEntityTooLarge, views.too_large)
bp.add_url_rule("", "info", public(views.info), methods=["GET"])
bp.add_url_rule("/commencer", "start", public(views.start), methods=["POST"])
bp.add_url_rule("/page/<section_id>", "page", public(views.page), methods=["GET", "POST"])
bp.add_url_rule("/relecture", "review", public(views.review), methods=["GET", "POST"])
bp.add_url_rule("/merci", "thanks", public(views.thanks), methods=["GET"])
bp.add_url_rule("/plus-tard", "later", public(views.later), methods=["GET"])
bp.add_url_rule("/reprendre", "resume", limiter.limit("20 per minute", methods=["POST"])(public(views.resume)),
                methods=["GET", "POST"])
