"""Staff accounts: creation, authentication, activation."""
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


def set_active(session: Session, user: User, active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate an account (an administrator cannot deactivate themself)."""
    if actor is not None and actor.id == user.id and not active:
        raise ServiceError("Vous ne pouvez pas désactiver votre propre compte.")
    if user.active != active:
        audit.record(session, actor, "user.active", "user", user.id, field="active", old=user.active, new=active)
        user.active = active
        if not active:
            user.end_sessions()


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
