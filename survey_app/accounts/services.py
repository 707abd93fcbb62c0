"""Staff accounts: creation, authentication, activation, role and campaigns."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import LoginThrottle, Role, User
from ..models._types import utcnow
from ..domain import ServiceError
from .. import audit
from .passwords import MIN_PASSWORD_LENGTH, check_password_strength  # noqa: F401  (re-exported)
# Checked against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def normalise_email(email: str) -> str:
    """Return the e-mail lower-cased, or raise :class:`ServiceError` when malformed."""
    try:
        return validate_email(email.strip(), check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError:
        raise ServiceError(f"Adresse e-mail invalide : « {email} ».") from None


def parse_role(value: str | Role) -> Role:
    """Return the :class:`Role` named ``value`` or raise a clear error."""
    if isinstance(value, Role):
        return value
    try:
        return Role(value.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ServiceError(f"Rôle inconnu : « {value} » (rôles possibles : {names}).") from None


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str | Role,
    *,
    display_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; refuse a duplicate e-mail, an unknown role or a weak password."""
    email = normalise_email(email)
    role = parse_role(role)
    check_password_strength(password, email=email)
    if find_by_email(session, email) is not None:
        raise ServiceError(f"Un compte existe déjà pour {email}.")
    user = User(
        email=email,
        display_name=(display_name or email.split("@")[0]).strip()[:120],
        role=role,
        password_hash=generate_password_hash(password),
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, new={"email": email, "role": role.value})
    return user


def set_password(session: Session, user: User, password: str, *, actor: User | None = None) -> None:
    """Change the password and end every session of the account."""
    check_password_strength(password, email=user.email)
    user.password_hash = generate_password_hash(password)
    user.end_sessions()
    audit.record(session, actor, "user.password", "user", user.id)


def _keep_an_administrator(session: Session, user: User, what: str) -> None:
    """Refuse ``what`` when ``user`` is the last active administrator.

    Every active administrator's row, this one's included, is locked for update
    (PostgreSQL): of two administrators demoting each other at the same moment, the
    second waits for the first and then sees that only one is left.
    """
    if user.role is not Role.ADMIN or not user.active:
        return
    admins = session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id).with_for_update()
    ).all()
    if not [admin_id for admin_id in admins if admin_id != user.id]:
        raise ServiceError(
            f"Impossible de {what} : c'est le dernier compte d'administration actif. "
            "Donnez d'abord le rôle d'administration à un autre compte."
        )


def set_active(session: Session, user: User, active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate an account.

    Deactivating ends every session of the account at once and cancels its open links
    (invitation, new password). Nobody deactivates their own account, and the last
    active administrator stays.
    """
    if active and user.invitation_pending:
        raise ServiceError("Ce compte attend que son invitation soit acceptée : créez un nouveau lien d'invitation "
                           "si le précédent est perdu ou expiré.")
    if active == user.active and not (user.invitation_pending and not active):
        return
    if not active:
        if actor is not None and actor.id == user.id:
            raise ServiceError("Vous ne pouvez pas désactiver votre propre compte.")
        _keep_an_administrator(session, user, "désactiver ce compte")
    if user.invitation_pending:  # deactivating an account not opened yet: the invitation is cancelled
        audit.record(session, actor, "user.invitation_cancel", "user", user.id)
    else:
        audit.record(session, actor, "user.active", "user", user.id, field="active", old=user.active, new=active)
    user.active = active
    if not active:
        from .links import revoke_links

        user.end_sessions()
        revoke_links(session, user)
        user.invitation_pending = False


def set_role(session: Session, user: User, role: str | Role, *, actor: User | None = None) -> None:
    """Change the role of ``user``; it applies from the account's next request.

    The last active administrator keeps the role (including when they change their own).
    """
    role = parse_role(role)
    if role is user.role:
        return
    if user.role is Role.ADMIN:
        _keep_an_administrator(session, user, "retirer le rôle d'administration")
    audit.record(session, actor, "user.role", "user", user.id, field="role", old=user.role.value, new=role.value)
    user.role = role


def set_campaigns(session: Session, user: User, campaigns, *, actor: User | None = None) -> None:
    """Make ``campaigns`` the campaigns ``user`` works on (administrators see every campaign anyway)."""
    from ..campaigns.services import add_member

    wanted = {campaign.id: campaign for campaign in campaigns}
    for membership in list(user.memberships):
        if membership.campaign_id not in wanted:
            audit.record(session, actor, "campaign.member_remove", "campaign", membership.campaign_id,
                         old={"user": user.email})
            user.memberships.remove(membership)
    current = {membership.campaign_id for membership in user.memberships}
    for campaign_id, campaign in wanted.items():
        if campaign_id not in current:
            add_member(session, campaign, user, actor=actor)
    session.flush()


def get_user(session: Session, user_id: int) -> User:
    """Return the account ``user_id`` or raise a clear error."""
    user = session.get(User, user_id)
    if user is None:
        raise ServiceError(f"Compte inconnu : n° {user_id}.")
    return user


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``failures`` failed logins for one address within ``minutes``, refuse it for ``minutes``."""

    failures: int = 10
    minutes: int = 15


@dataclass(frozen=True)
class LoginOutcome:
    """The account signed in, or why not (``locked``: too many failures for this address)."""

    user: User | None
    locked: bool = False


def throttle_key(email: str, secret: str | bytes) -> str:
    """Return the keyed hash under which failures for ``email`` are counted."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives back naive values of what was stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def _throttle_row(session: Session, key: str, now: dt.datetime) -> LoginThrottle:
    """Return the row of ``key``, locked for update, creating it when needed (race-safe)."""
    # populate_existing: the row read a moment ago may have been counted by another worker since.
    locked = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update().execution_options(populate_existing=True)
    row = session.scalar(locked)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
            session.add(row)
    except IntegrityError:  # another worker created it meanwhile
        row = session.scalar(locked)
    return row


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    key_secret: str | bytes,
    policy: LockoutPolicy = LockoutPolicy(),
    now: dt.datetime | None = None,
) -> LoginOutcome:
    """Check the credentials, counting failures per address in the database.

    Known and unknown addresses are treated alike — the same count, the same lock-out,
    one password hash checked either way — so that nothing tells whether an account
    exists. The caller commits (failures are kept even though the login fails).
    """
    now = now or utcnow()
    key = throttle_key(email, key_secret)
    throttle = session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    user = find_by_email(session, email)
    if throttle is not None and _aware(throttle.locked_until) is not None and _aware(throttle.locked_until) > now:
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome(None, locked=True)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        good = False
    else:
        good = check_password_hash(user.password_hash, password) and user.active
    if good:
        if throttle is not None:
            session.delete(throttle)
        user.last_login_at = now
        return LoginOutcome(user)
    window = dt.timedelta(minutes=policy.minutes)
    # Forget counts that no longer matter (addresses mistyped once, locks long over).
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - 2 * window,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now - window),
            LoginThrottle.key != key,
        ).execution_options(synchronize_session=False)
    )
    row = _throttle_row(session, key, now)
    if _aware(row.window_started_at) < now - window:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= policy.failures:
        row.failures, row.window_started_at, row.locked_until = 0, now, now + window
    session.flush()
    return LoginOutcome(None)


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user`` (logout ends them all: a cookie copied earlier stops working)."""
    user.end_sessions()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def generate_password() -> str:
    """Return a random password easy to copy (for demo and first accounts)."""
    return secrets.token_urlsafe(12)
