"""Access control, denied by default.

Every view declares who may reach it, with :func:`public` or :func:`requires`. A view
that declares nothing answers 403 to everybody, and a test enumerates the routes to
check that each one declares its access.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import Role, User

PUBLIC = "public"


def public(view):
    """Mark a view as reachable without an account."""
    view.access = PUBLIC
    return view


def requires(role: Role):
    """Mark a view as reserved to ``role`` and the roles above it."""

    def decorate(view):
        view.access = role
        return view

    return decorate


def view_access(app: Flask, endpoint: str):
    """Return the declared access of ``endpoint`` (``None`` when undeclared)."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions[endpoint]
    return getattr(view, "access", None)


def _enforce():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404 handler answers
        return None
    access = view_access(current_app, endpoint)
    if access == PUBLIC:
        return None
    if access is None:
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(access):
        abort(403)
    return None


@login_manager.user_loader
def _load_user(session_id: str):
    """Return the account of the session if that session has not been ended since.

    The session keeps ``"<id>:<generation>"`` (:meth:`User.get_id`); logging out,
    changing the password or deactivating the account raises the generation, so a
    cookie copied before then no longer signs anybody in.
    """
    user_id, _, generation = str(session_id).partition(":")
    try:
        user = db.session.get(User, int(user_id))
        generation_number = int(generation)
    except ValueError:
        return None
    if user is None or user.session_generation != generation_number:
        return None
    return user


def init_access(app: Flask) -> None:
    """Check every request against the access its view declares."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says it itself
    login_manager.session_protection = "strong"
    app.before_request(_enforce)



def member_campaign_or_404(slug: str):
    """Return the campaign ``slug`` if the signed-in staff member works on it, else answer 404."""
    from ..campaigns.services import campaign_for_user

    campaign = campaign_for_user(db.session, current_user, slug)
    if campaign is None:
        abort(404)
    return campaign
