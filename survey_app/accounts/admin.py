"""Administration: staff accounts and roles."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Role, User
from ..domain import ServiceError
from . import services as user_service
from ..web.access import requires
from ..web.forms import EmptyForm, UserCreateForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/utilisateurs", methods=["GET", "POST"])
@requires(Role.ADMIN)
def users():
    """List accounts and create one."""
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            user_service.check_password_strength(form.password.data, email=form.email.data)
        except ServiceError as error:
            form.password.errors.append(str(error))
            status = 400
        else:
            status = _create(form)
            if status is None:
                flash(_("Compte créé."), "success")
                return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    accounts = user_service.list_users(db.session)
    return render_template("admin/users.html", form=form, accounts=accounts, toggle=EmptyForm()), status


def _create(form: UserCreateForm) -> int | None:
    """Create the account of ``form``; return 400 (the error put on the form) or ``None``."""
    try:
        user_service.create_user(
            db.session,
            form.email.data,
            form.password.data,
            form.role.data,
            display_name=form.display_name.data,
            actor=current_user,
        )
    except ServiceError as error:
        db.session.rollback()
        form.email.errors.append(str(error))
        return 400
    db.session.commit()
    return None


@bp.route("/utilisateurs/<int:user_id>/activation", methods=["POST"])
@requires(Role.ADMIN)
def toggle_active(user_id: int):
    """Activate or deactivate an account."""
    form = EmptyForm()
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    try:
        user_service.set_active(db.session, user, not user.active, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Compte mis à jour."), "success")
    return redirect(url_for("admin.users"))
