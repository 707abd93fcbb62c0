"""Error pages in the visitor's language; never a traceback."""
from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from ..extensions import db


def _messages():
    return {
        400: _("La demande n'a pas pu être traitée. Vérifiez les informations saisies et réessayez."),
        403: _("Vous n'avez pas accès à cette page."),
        404: _("Cette page n'existe pas."),
        405: _("Cette action n'est pas possible sur cette page."),
        413: _("Les données envoyées sont trop volumineuses."),
        429: _("Trop de tentatives. Patientez quelques minutes avant de réessayer."),
        500: _("Une erreur inattendue s'est produite. Aucune donnée déjà enregistrée n'a été perdue."),
        503: _("Le service est momentanément indisponible. Réessayez dans quelques instants."),
    }


def render_error(code: int, message: str | None = None):
    """Return the error page for ``code``, with ``message`` or the usual one."""
    return render_template("errors/error.html", code=code, message=message or _messages().get(code, "")), code


def _database_error(error: Exception) -> bool:
    """Whether ``error`` says the database cannot be reached or used for now: SQLAlchemy's
    ``OperationalError`` or ``InterfaceError`` (a connection closed under it), an error after
    which SQLAlchemy dropped the connection, or the driver's own ``OperationalError`` or
    ``InterfaceError`` (the residents' pages run their statements on the driver's cursor,
    :mod:`survey_app.infra.hot_sql`, whose errors SQLAlchemy never sees)."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    dbapi = getattr(db.engine.dialect, "loaded_dbapi", None)
    driver_errors = tuple(getattr(dbapi, name) for name in ("OperationalError", "InterfaceError") if hasattr(dbapi, name))
    return bool(driver_errors) and isinstance(error, driver_errors)


def _rollback() -> None:
    """End the request's transaction; on a lost connection the rollback fails too (SQLAlchemy
    then drops that connection from the pool): the session is closed and nothing else done."""
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - the error page must still be sent
        current_app.logger.warning("rollback after an error failed: %s", error)
        try:
            db.session.close()
        except Exception:  # noqa: BLE001
            pass


def _unavailable():
    """The 503 page: the database is out of reach for a moment (it says so, in French)."""
    try:
        body, code = render_error(503)
    except Exception:  # noqa: BLE001 - the page itself needed the database (a signed-in user)
        body, code = f"<!doctype html><title>{_('Erreur')} 503</title><p>{_messages()[503]}</p>", 503
    return body, code, {"Retry-After": "5"}


def _without_trailing_slash():
    """The page a mistyped ``…/page/`` means, when ``…/page`` exists: the URL rebuilt by
    ``url_for`` from the matched route (never the request's own text: no open redirect)."""
    path = request.path
    if request.method not in ("GET", "HEAD") or len(path) < 2 or not path.endswith("/"):
        return None
    adapter = current_app.url_map.bind("")
    try:
        endpoint, values = adapter.match(path.rstrip("/"), method=request.method)
    except (HTTPException, RoutingException):
        return None
    target = url_for(endpoint, **values)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=308)


def register(app: Flask) -> None:
    """Register the handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("Le formulaire a expiré ou a été envoyé deux fois. Rechargez la page et réessayez."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 404:
            moved = _without_trailing_slash()
            if moved is not None:
                return moved
        if error.code in _messages():
            return render_error(error.code)
        return error

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        _rollback()
        app.logger.error("database unavailable: %s", error.orig)
        return _unavailable()

    @app.errorhandler(Exception)
    def unexpected(error):
        if _database_error(error):  # the driver's own error (hot statements)
            _rollback()
            app.logger.error("database unavailable: %s", error)
            return _unavailable()
        _rollback()
        app.logger.exception("unexpected error")
        return render_error(500)
