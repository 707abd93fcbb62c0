"""Settings: safe defaults, overridden by ``CLS_*`` environment variables.

Nothing here is read at import time: :func:`default_settings` and
:func:`settings_from_environ` are called by :func:`survey_app.create_app` with the
environment it is given.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

import questionnaires


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message is one line meant for the operator."""


#: Environment variable → (Flask config key, converter)
_ENV_SETTINGS = {
    "CLS_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "CLS_SECRET_KEY": ("SECRET_KEY", str),
    "CLS_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", str),
    "CLS_LOGIN_RATE_LIMIT": ("CLS_LOGIN_RATE_LIMIT", str),
    "CLS_SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in {"1", "true", "yes", "oui"}),
    "CLS_DEFAULT_LANGUAGE": ("BABEL_DEFAULT_LOCALE", str),
    "CLS_TIMEZONE": ("BABEL_DEFAULT_TIMEZONE", lambda v: _timezone("CLS_TIMEZONE", v)),
    "CLS_QUESTIONNAIRES_DIR": ("CLS_QUESTIONNAIRES_DIR", str),
    "CLS_PUBLIC_URL": ("CLS_PUBLIC_URL", lambda v: v.rstrip("/")),
    "CLS_PING_AFTER_IDLE_SECONDS": ("CLS_PING_AFTER_IDLE_SECONDS", lambda v: _seconds("CLS_PING_AFTER_IDLE_SECONDS", v)),
    "CLS_SURVEY_CACHE_SECONDS": ("CLS_SURVEY_CACHE_SECONDS", lambda v: _seconds("CLS_SURVEY_CACHE_SECONDS", v)),
    "CLS_REDIS_URL": ("CLS_REDIS_URL", str),
    "CLS_JOBS_IMMEDIATE": ("CLS_JOBS_IMMEDIATE", lambda v: v.lower() in {"1", "true", "yes", "oui"}),
    "CLS_JOBS_FILE": ("CLS_JOBS_FILE", str),
    "CLS_JOBS_STALE_SECONDS": ("CLS_JOBS_STALE_SECONDS", lambda v: _seconds("CLS_JOBS_STALE_SECONDS", v)),
    "CLS_JOBS_QUEUE_NAME": ("CLS_JOBS_QUEUE_NAME", str),
    "CLS_TRUSTED_PROXIES": ("CLS_TRUSTED_PROXIES", lambda v: _count("CLS_TRUSTED_PROXIES", v, 0, 5)),
    "CLS_LOGIN_LOCKOUT_FAILURES": ("CLS_LOGIN_LOCKOUT_FAILURES", lambda v: _count("CLS_LOGIN_LOCKOUT_FAILURES", v, 1, 1000)),
    "CLS_LOGIN_LOCKOUT_MINUTES": ("CLS_LOGIN_LOCKOUT_MINUTES", lambda v: _count("CLS_LOGIN_LOCKOUT_MINUTES", v, 1, 24 * 60)),
    "CLS_DRAFT_RETENTION_DAYS": ("CLS_DRAFT_RETENTION_DAYS", lambda v: _count("CLS_DRAFT_RETENTION_DAYS", v, 1, 3650)),
    "CLS_ACCOUNT_LINK_DAYS": ("CLS_ACCOUNT_LINK_DAYS", lambda v: _count("CLS_ACCOUNT_LINK_DAYS", v, 1, 30)),
}

LANGUAGES = ("fr", "en")


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86400:
        raise ConfigError(f"{name} doit être un nombre de secondes (par exemple 10), pas « {value} ».")
    return seconds


def _timezone(name: str, value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} doit être un fuseau horaire (par exemple Europe/Paris), pas « {value} ».") from None
    return value


def _count(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ConfigError(f"{name} doit être un nombre entier entre {low} et {high}, pas « {value} ».")
    return number


def default_settings(instance_path: str) -> dict:
    """Return the defaults: a SQLite file in the instance folder, French first."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "cls.sqlite3"),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "CLS_LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        "BABEL_DEFAULT_LOCALE": "fr",
        # the town's clock for every date and time a page shows (the database keeps UTC)
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "CLS_LANGUAGES": LANGUAGES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "CLS_QUESTIONNAIRES_DIR": str(questionnaires.FOLDER),
        # PostgreSQL: a pooled connection idle for longer is checked before use
        "CLS_PING_AFTER_IDLE_SECONDS": 10.0,
        # a campaign's settings are read again after this long by the residents' pages of
        # another worker (at once in the worker that changed them)
        "CLS_SURVEY_CACHE_SECONDS": 5.0,
        # background jobs: huey on this SQLite file unless CLS_REDIS_URL is set; run at
        # once in the calling process when CLS_JOBS_IMMEDIATE (default: when TESTING)
        "CLS_JOBS_FILE": str(Path(instance_path) / "jobs.sqlite3"),
        "CLS_REDIS_URL": None,
        "CLS_JOBS_IMMEDIATE": None,
        # a running job whose consumer gave no sign of life for this long was interrupted:
        # it is run again, at most CLS_JOBS_MAX_ATTEMPTS times in all
        "CLS_JOBS_STALE_SECONDS": 120.0,
        "CLS_JOBS_MAX_ATTEMPTS": 3,
        # several instances may share one Redis: each its own queue name
        "CLS_JOBS_QUEUE_NAME": "cls-jobs",
        # how many reverse proxies stand in front of the service and add X-Forwarded-*
        # headers (0: none, the headers are ignored, as a client can forge them)
        "CLS_TRUSTED_PROXIES": 0,
        # after this many failed logins for one e-mail address within the delay below,
        # logins with that address are refused for the delay
        "CLS_LOGIN_LOCKOUT_FAILURES": 10,
        "CLS_LOGIN_LOCKOUT_MINUTES": 15,
        # web drafts not sent after this many days are deleted by ``flask campaigns purge``
        # (collection/retention.py: purge_drafts)
        "CLS_DRAFT_RETENTION_DAYS": 30,
        # invitation and new-password links work once, for this many days
        "CLS_ACCOUNT_LINK_DAYS": 7,
    }


def settings_from_environ(environ: Mapping[str, str]) -> dict:
    """Pick the ``CLS_*`` variables out of ``environ`` and convert them."""
    settings = {}
    for name, (key, convert) in _ENV_SETTINGS.items():
        value = environ.get(name)
        if value not in (None, ""):
            settings[key] = convert(value)
    return settings


def check_database_url(url: str) -> None:
    """Raise :class:`ConfigError` when ``url`` is not a database URL we can use."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"CLS_DATABASE_URL invalide : « {url} » n'est pas une URL de base de données "
            "(exemples : sqlite:///chemin/cls.sqlite3, postgresql+psycopg://user@hôte/base)."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"CLS_DATABASE_URL : le moteur « {backend} » n'est pas pris en charge "
            "(SQLite ou PostgreSQL)."
        )
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we declare; SQLAlchemy's default would be psycopg2.
        pass


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it once."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
