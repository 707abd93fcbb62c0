"""The CLS diagnostic service: a Flask application built by :func:`create_app`."""
from __future__ import annotations

import os
import time
from typing import Mapping

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import (
    ConfigError,
    check_database_url,
    default_settings,
    instance_secret_key,
    normalise_database_url,
    settings_from_environ,
)
from .extensions import babel, csrf, db, limiter, login_manager, migrate

__all__ = ["create_app", "ConfigError"]

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config: Mapping | None = None, *, environ: Mapping[str, str] | None = None) -> Flask:
    """Build the application: settings → extensions → blueprints → CLI.

    ``config`` overrides everything (tests pass a mapping); ``environ`` defaults to
    ``os.environ`` and supplies the ``CLS_*`` variables.
    """
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.update(default_settings(app.instance_path))
    app.config.update(settings_from_environ(os.environ if environ is None else environ))
    if config:
        app.config.update(config)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    check_database_url(url)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 15})

    proxies = app.config["CLS_TRUSTED_PROXIES"]
    if proxies:
        # The client's address, scheme and host as the town's proxy saw them (the
        # login limits count per client address, not per proxy).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    _init_extensions(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and \
            "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]:
        with app.app_context():
            _ping_idle_connections(db.engine, app.config["CLS_PING_AFTER_IDLE_SECONDS"])
    _register_blueprints(app)
    _register_cli(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Open SQLite in WAL mode with a busy timeout and foreign keys enforced."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled PostgreSQL connection before use when it has been idle for a while.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip on every request; a connection
    that was in use a moment ago is alive, and one that turns out dead (the server
    restarted meanwhile) makes SQLAlchemy renew the whole pool anyway.
    """

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:  # noqa: BLE001 - any failure means: use another connection
            raise exc.DisconnectionError() from error


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (register the tables on the metadata)
    from .web.i18n import local_datetime, select_locale, template_context
    from .web.access import init_access
    from .web.security import init_security

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_security(app)
    init_access(app)
    app.context_processor(template_context)
    app.add_template_filter(local_datetime, "heure")


def _register_blueprints(app: Flask) -> None:
    from .accounts import admin, auth
    from .campaigns import blueprint as campaigns
    from .collection import blueprint as collection
    from .coding import blueprint as coding
    from .entry import blueprint as entry
    from .exports import blueprint as exports
    from .findings import blueprint as findings
    from .interop import blueprint as interop
    from .jobs import blueprint as jobs
    from .priorities import blueprint as priorities
    from .report import blueprint as report
    from .weighting import blueprint as weighting
    from .web import errors, public
    from .survey import blueprint as survey

    app.register_blueprint(public.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(campaigns.links_bp)
    app.register_blueprint(coding.bp)
    app.register_blueprint(entry.bp)
    app.register_blueprint(findings.bp)
    app.register_blueprint(jobs.bp)  # also attaches the job queue
    app.register_blueprint(weighting.bp)
    app.register_blueprint(priorities.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(report.public_bp)
    app.register_blueprint(collection.bp)
    app.register_blueprint(collection.new_bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(interop.bp)
    errors.register(app)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
