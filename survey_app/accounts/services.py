"""Staff accounts: creation, authentication, activation."""
from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Role, User
from ..models._types import utcnow
from ..domain import ServiceError
from .. import audit

MIN_PASSWORD_LENGTH = 10
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


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
        )


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
    check_password_strength(password)
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
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    audit.record(session, actor, "user.password", "user", user.id)


def set_active(session: Session, user: User, active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate an account (an administrator cannot deactivate themself)."""
    if actor is not None and actor.id == user.id and not active:
        raise ServiceError("Vous ne pouvez pas désactiver votre propre compte.")
    if user.active != active:
        audit.record(session, actor, "user.active", "user", user.id, field="active", old=user.active, new=active)
        user.active = active


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active account matching the credentials, else ``None``."""
    user = find_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def generate_password() -> str:
    """Return a random password easy to copy (for demo and first accounts)."""
    return secrets.token_urlsafe(12)
