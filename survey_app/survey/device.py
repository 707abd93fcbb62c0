"""What the resident's device carries: the drafts of this device, the CSRF check, the
"already answered" cookie. Web plumbing of the survey (reads ``request`` and ``session``)."""
from __future__ import annotations

from flask import current_app, request, session
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf

from .surveys import Survey

DONE_COOKIE = "cls_repondu"
DONE_COOKIE_DAYS = 180
MAX_DRAFTS_IN_SESSION = 4


def _draft_key(survey: Survey) -> str:
    return f"{survey.campaign.slug}/{survey.key}"


def token(survey: Survey) -> str | None:
    """The resume token of this device's draft of ``survey``."""
    drafts = session.get("drafts")
    return drafts.get(_draft_key(survey)) if isinstance(drafts, dict) else None


def remember(survey: Survey, token: str) -> None:
    drafts = dict(session.get("drafts") or {})
    drafts.pop(_draft_key(survey), None)
    while len(drafts) >= MAX_DRAFTS_IN_SESSION:
        drafts.pop(next(iter(drafts)))
    drafts[_draft_key(survey)] = token
    session["drafts"] = drafts


def forget(survey: Survey) -> None:
    drafts = dict(session.get("drafts") or {})
    if drafts.pop(_draft_key(survey), None) is not None:
        session["drafts"] = drafts


def note_sent(survey: Survey, *, directory_entry: bool) -> None:
    """Remember, for the thank-you page, whether the response sent holds a directory entry."""
    session["sent_directory"] = _draft_key(survey) if directory_entry else None


def sent_directory_entry(survey: Survey) -> bool:
    return session.get("sent_directory") == _draft_key(survey)


def already_answered() -> bool:
    return request.cookies.get(DONE_COOKIE) == "1"


def csrf_token() -> str:
    """This session's CSRF token for a form: signed by Flask-WTF once, then kept in the
    session with the raw token it signs, so that each page does not sign it again (the
    resident's own cookie: no process cache). Checked by :func:`csrf_ok` like any other."""
    raw = session.get("csrf_token")
    kept = session.get("csrf_signed")
    if raw is not None and isinstance(kept, list) and len(kept) == 2 and kept[0] == raw:
        return kept[1]
    signed = generate_csrf()
    session["csrf_signed"] = [session.get("csrf_token"), signed]
    return signed


def csrf_ok() -> bool:
    """Whether the posted form carries this session's CSRF token (Flask-WTF's own check)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        kept = session.get("csrf_signed")
        if isinstance(kept, list) and len(kept) == 2:
            try:
                validate_csrf(kept[1])
            except ValidationError:  # the kept token no longer holds (a key rotated): sign afresh
                session.pop("csrf_signed", None)
        return False
    return True
