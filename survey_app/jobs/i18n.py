"""Messages of services that also run outside a request (a consumer, a command).

What a job stores (its message, its error) is in French, the source language, whoever
reads it later; ``_`` here translates to French without asking the request's locale.
"""
from __future__ import annotations

from flask import has_app_context, has_request_context
from flask_babel import force_locale, gettext


def _(text: str, **variables) -> str:
    """``gettext`` in French, usable with or without a request (extracted like ``_``)."""
    if not has_app_context():
        return text % variables if variables else text
    if has_request_context():
        return gettext(text, **variables)
    with force_locale("fr"):
        return gettext(text, **variables)
