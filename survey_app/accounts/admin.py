"""Administration: staff accounts (invitations, roles, campaigns, activation, new passwords) and activity."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..campaigns.services import visible_campaigns
from ..domain import ServiceError
from ..extensions import db
from ..models import Role, User
from ..web.access import requires
from ..web.forms import EmptyForm
from . import activity as activity_service
from . import links as account_links
from . import services as user_service
from .forms import AccountForm, InviteForm
from .labels import action_label, values_text

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Events shown on an account's page; the activity page shows the rest.
LATEST = 10


def _actor() -> User:
    return current_user._get_current_object()


def _link_days() -> int:
    return int(current_app.config.get("CLS_ACCOUNT_LINK_DAYS", account_links.LINK_DAYS))


def link_url(token: str) -> str:
    """The address to send: ``CLS_PUBLIC_URL`` when set (behind a proxy), else this host."""
    base = current_app.config.get("CLS_PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for("auth.account_link", token=token)
    return url_for("auth.account_link", token=token, _external=True)


def _campaign_choices():
    return [(campaign.id, campaign.name) for campaign in visible_campaigns(db.session, _actor())]


def _issued(issued: account_links.IssuedLink):
    """Show a link just made, once: it is not kept anywhere but in this answer (never cached)."""
    return render_template("admin/link_issued.html", issued=issued, url=link_url(issued.token),
                           expires=activity_service.local_time(issued.expires_at))


@bp.route("/utilisateurs", methods=["GET", "POST"])
@requires(Role.ADMIN)
def users():
    """List the accounts and invite a new staff member."""
    form = InviteForm()
    form.campaigns.choices = _campaign_choices()
    status = 200
    if form.validate_on_submit():
        chosen = [c for c in visible_campaigns(db.session, _actor()) if c.id in set(form.campaigns.data or [])]
        try:
            issued = account_links.invite(db.session, form.email.data, form.display_name.data, form.role.data,
                                          chosen, actor=_actor(), days=_link_days())
        except ServiceError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
            status = 400
        else:
            db.session.commit()
            return _issued(issued)
    elif form.is_submitted():
        status = 400
    return render_template(
        "admin/users.html", form=form, accounts=user_service.list_users(db.session),
        open_links={k: activity_service.local_time(v) for k, v in account_links.open_links(db.session).items()},
    ), status


def _account_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _account_page(user: User, form: AccountForm, status: int = 200):
    actions = activity_service.recent_activity(db.session, actor_id=user.id, per_page=LATEST)
    expires = account_links.open_links(db.session).get(user.id)
    return render_template(
        "admin/user.html", account=user, form=form, button=EmptyForm(), actions=actions,
        action_label=action_label, values_text=values_text, link_expires=activity_service.local_time(expires) if expires else None,
    ), status


@bp.route("/utilisateurs/<int:user_id>", methods=["GET"])
@requires(Role.ADMIN)
def user(user_id: int):
    """One account: its role and campaigns, its state, a new link, its latest actions."""
    account = _account_or_404(user_id)
    form = AccountForm(data={"role": account.role.value, "campaigns": [m.campaign_id for m in account.memberships]})
    form.campaigns.choices = _campaign_choices()
    return _account_page(account, form)


@bp.route("/utilisateurs/<int:user_id>/role", methods=["POST"])
@requires(Role.ADMIN)
def set_role(user_id: int):
    """Change the role and the campaigns of an account."""
    account = _account_or_404(user_id)
    form = AccountForm()
    form.campaigns.choices = _campaign_choices()
    if not form.validate_on_submit():
        return _account_page(account, form, 400)
    chosen = [c for c in visible_campaigns(db.session, _actor()) if c.id in set(form.campaigns.data or [])]
    try:
        user_service.set_role(db.session, account, form.role.data, actor=_actor())
        user_service.set_campaigns(db.session, account, chosen, actor=_actor())
    except ServiceError as error:
        db.session.rollback()
        form.role.errors.append(str(error))
        return _account_page(account, form, 400)
    db.session.commit()
    flash(_("Rôle et campagnes enregistrés."), "success")
    if not current_user.has_role(Role.ADMIN):  # an administrator who gave up their own role
        return redirect(url_for("staff.home"))
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/utilisateurs/<int:user_id>/activation", methods=["POST"])
@requires(Role.ADMIN)
def toggle_active(user_id: int):
    """Deactivate an account (its sessions end at once) or reactivate it."""
    form = EmptyForm()
    account = _account_or_404(user_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        # an invitation not accepted yet is cancelled like an open account is closed
        user_service.set_active(db.session, account, not (account.active or account.invitation_pending), actor=_actor())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Compte réactivé.") if account.active else _("Compte désactivé : ses sessions sont terminées et ses liens ne fonctionnent plus."), "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/utilisateurs/<int:user_id>/lien", methods=["POST"])
@requires(Role.ADMIN)
def new_link(user_id: int):
    """Make a new invitation link, or a link to choose a new password, and show it once."""
    form = EmptyForm()
    account = _account_or_404(user_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        issued = account_links.new_link(db.session, account, actor=_actor(), days=_link_days())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.user", user_id=account.id))
    db.session.commit()
    return _issued(issued)


@bp.route("/activite", methods=["GET"])
@requires(Role.ADMIN)
def activity():
    """The latest actions of every staff member, or of one (``?compte=<id>``), newest first."""
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 7 else 1
    account_id = request.args.get("compte", "")
    account = db.session.get(User, int(account_id)) if account_id.isdigit() and len(account_id) < 10 else None
    if account_id and account is None:
        abort(404)
    result = activity_service.recent_activity(db.session, actor_id=account.id if account else None, page=page)
    return render_template("admin/activity.html", result=result, account=account, action_label=action_label, values_text=values_text,
                           accounts=user_service.list_users(db.session))
