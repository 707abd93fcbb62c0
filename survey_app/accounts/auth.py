"""Login and logout of staff."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..models import Role
from . import services as user_service
from ..web.access import public, requires
from ..web.forms import EmptyForm, LoginForm
from ..web.i18n import safe_next_url

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["CLS_LOGIN_RATE_LIMIT"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    """Show the login form and sign a staff member in."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = user_service.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            error = _("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.")
        else:
            db.session.commit()
            login_user(user)
            return redirect(safe_next_url(request.args.get("next"), url_for("staff.home")))
    status = 200 if error is None and not form.errors else 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/deconnexion", methods=["POST"])
@requires(Role.AGENT)
def logout():
    """Sign out and return to the login page."""
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))
