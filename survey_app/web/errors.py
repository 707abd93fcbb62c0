"""Error pages in the visitor's language; never a traceback."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

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


def register(app: Flask) -> None:
    """Register the handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("Le formulaire a expiré ou a été envoyé deux fois. Rechargez la page et réessayez."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in _messages():
            return render_error(error.code)
        return error

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        db.session.rollback()
        app.logger.error("database unavailable: %s", error.orig)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unexpected error")
        return render_error(500)
