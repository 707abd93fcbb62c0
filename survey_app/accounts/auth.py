"""Login and logout of staff."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..domain import ServiceError
from ..extensions import db, limiter
from ..models import LinkPurpose, Role
from ..web.access import public, requires
from ..web.forms import EmptyForm
from ..web.security import safe_next_url
from . import links as account_links
from . import services as user_service
from .forms import LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["CLS_LOGIN_RATE_LIMIT"]


def _policy() -> user_service.LockoutPolicy:
    config = current_app.config
    return user_service.LockoutPolicy(config["CLS_LOGIN_LOCKOUT_FAILURES"], config["CLS_LOGIN_LOCKOUT_MINUTES"])


def renew_session() -> None:
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
            renew_session()
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
        renew_session()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/compte/lien/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def account_link(token: str):
    """Choose a password through an invitation or a new-password link, then sign in."""
    form = SetPasswordForm()
    try:
        link = account_links.find_link(db.session, token)
    except account_links.LinkRefused as refused:
        return render_template("admin/set_password.html", form=None, refused=str(refused), invitation=False), 410
    invitation = link.purpose is LinkPurpose.INVITATION
    user = link.user
    status = 200
    if form.validate_on_submit():
        try:
            user = account_links.use_link(db.session, token, form.password.data)
        except account_links.LinkRefused as refused:
            db.session.rollback()
            return render_template("admin/set_password.html", form=None, refused=str(refused), invitation=invitation), 410
        except ServiceError as error:  # the password's strength
            db.session.rollback()
            form.password.errors.append(str(error))
            status = 400
        else:
            db.session.commit()
            renew_session()
            login_user(user)
            flash(_("Votre mot de passe est enregistré : vous êtes connecté.") if not invitation
                  else _("Bienvenue : votre compte est ouvert et vous êtes connecté."), "success")
            return redirect(url_for("staff.home"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/set_password.html", form=form, refused=None, invitation=invitation,
                           account=user), status
