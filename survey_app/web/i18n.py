"""Language of the interface: French by default, the visitor's choice kept in the session."""
from __future__ import annotations

from flask import current_app, request, session

from ..models import Role
from .security import safe_next_url  # noqa: F401  (the one check of every ``next``)

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def available_languages() -> tuple[str, ...]:
    return tuple(current_app.config["CLS_LANGUAGES"])


def select_locale() -> str:
    """Return the language chosen in the session, else the default (French)."""
    chosen = session.get("lang")
    if chosen in available_languages():
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(lang: str) -> str:
    """Return ``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if lang.split("_")[0] in RTL_LANGUAGES else "ltr"


def current_path() -> str:
    return request.full_path.rstrip("?") if request.query_string else request.path


LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية", "es": "Español", "pt": "Português", "tr": "Türkçe"}


def template_context() -> dict:
    """Give every template the language, its direction and the language switch."""
    from flask_babel import get_locale

    lang = str(get_locale())
    return {
        "lang": lang,
        "text_dir": text_direction(lang),
        "language_links": [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages() if code != lang],
        "here": current_path(),
        "role_label": role_label,
        "status_label": status_label,
        "Role": Role,
    }


def role_label(role) -> str:
    """Return the translated name of a staff role."""
    from flask_babel import gettext as _

    labels = {"agent": _("agent de saisie"), "coordinator": _("coordination CLS"), "admin": _("administration")}
    return labels.get(getattr(role, "value", role), str(role))


def status_label(status) -> str:
    """Return the translated name of a campaign status."""
    from flask_babel import gettext as _

    labels = {"draft": _("en préparation"), "open": _("ouverte"), "closed": _("close"), "archived": _("archivée")}
    return labels.get(getattr(status, "value", status), str(status))


def page_language() -> str:
    """The language of the page being drawn (the reader's choice, French by default)."""
    from flask_babel import get_locale

    return str(get_locale() or "fr")


def local_datetime(value, pattern: str = "dd/MM/yyyy HH:mm") -> str:
    """A moment (a datetime, or its ISO text, in UTC as the database keeps it) on the town's
    clock (``CLS_TIMEZONE``, Europe/Paris by default), as the pages show it; « – » for none."""
    import datetime as dt

    from flask_babel import format_datetime

    if not value:
        return "–"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return format_datetime(value, pattern)
