"""Login and logout of staff."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..models import Role
from . import services as user_service
from ..web.access import public, requires
from ..web.forms import EmptyForm, LoginForm
from ..web.security import safe_next_url

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["CLS_LOGIN_RATE_LIMIT"]


def _policy() -> user_service.LockoutPolicy:
    config = current_app.config
    return user_service.LockoutPolicy(config["CLS_LOGIN_LOCKOUT_FAILURES"], config["CLS_LOGIN_LOCKOUT_MINUTES"])


def _renew_session() -> None:
    """Start from a new session at login: nothing set before it (a planted token) survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    """Show the login form and sign a staff member in."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        policy = _policy()
        outcome = user_service.sign_in(
            db.session, form.email.data, form.password.data, key_secret=current_app.secret_key, policy=policy
        )
        db.session.commit()
        if outcome.locked:
            error = _(
                "Trop d'essais infructueux avec cette adresse e-mail : la connexion est suspendue "
                "pendant %(minutes)d minutes. Réessayez plus tard, ou demandez à l'administration "
                "de vérifier votre compte.",
                minutes=policy.minutes,
            )
            status = 429
        elif outcome.user is None:
            error = _("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.")
            status = 400
        else:
            _renew_session()
            login_user(outcome.user)
            return redirect(safe_next_url(request.args.get("next"), url_for("staff.home")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/deconnexion", methods=["POST"])
@requires(Role.AGENT)
def logout():
    """Sign out, ending every session of the account, and return to the login page."""
    form = EmptyForm()
    if form.validate_on_submit():
        user_service.end_sessions(db.session, current_user._get_current_object())
        db.session.commit()
        logout_user()
        _renew_session()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))
