"""Invitations and password resets: single-use links that expire.

The administrator invites a staff member (an account that cannot log in yet) or asks
for a new password; either way the service makes a random secret, keeps only its
SHA-256, and gives the secret back once, for the administrator to send. Whoever opens
the link chooses a password (the same rules as everywhere) and is signed in; the link
then no longer works, nor does it after its expiry, after a newer link for the same
account, or once the account is deactivated. No password is ever shown or sent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from .. import audit
from ..domain import ServiceError
from ..models import AccountLink, LinkPurpose, User
from ..models._types import utcnow
from .activity import local_time
from .passwords import check_password_strength
from .services import _aware, find_by_email, normalise_email, parse_role

#: How long a link works, unless the caller says otherwise (``CLS_ACCOUNT_LINK_DAYS``).
LINK_DAYS = 7


class LinkRefused(ServiceError):
    """The link cannot be used (unknown, used, replaced, expired); the message says why, in French."""


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: ``token`` is the only copy of the secret, to be shown once."""

    user: User
    purpose: LinkPurpose
    token: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    """Return what is stored of a link's secret (a 256-bit random value needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def revoke_links(session: Session, user: User, *, now: dt.datetime | None = None) -> None:
    """Cancel every link of ``user`` not used yet."""
    session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def _issue(session: Session, user: User, purpose: LinkPurpose, *, actor: User | None, days: int,
           now: dt.datetime | None) -> IssuedLink:
    now = now or utcnow()
    if not 1 <= days <= 90:
        raise ServiceError("La durée de validité d'un lien doit être comprise entre 1 et 90 jours.")
    revoke_links(session, user, now=now)
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(days=days)
    session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=token_hash(token), created_at=now,
                            expires_at=expires_at, created_by_id=actor.id if actor is not None else None))
    session.flush()
    return IssuedLink(user, purpose, token, expires_at)


def invite(
    session: Session,
    email: str,
    display_name: str,
    role,
    campaigns=(),
    *,
    actor: User | None,
    days: int = LINK_DAYS,
    now: dt.datetime | None = None,
) -> IssuedLink:
    """Create an account that cannot log in until its owner opens the invitation and chooses a password."""
    from ..campaigns.services import add_member

    email = normalise_email(email)
    role = parse_role(role)
    name = (display_name or "").strip()
    if not name:
        raise ServiceError("Indiquez le nom affiché.")
    if find_by_email(session, email) is not None:
        raise ServiceError(f"Un compte existe déjà pour {email}.")
    user = User(
        email=email,
        display_name=name[:120],
        role=role,
        # nobody knows this password: the account is opened by the invitation only
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
        active=False,
        invitation_pending=True,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # the same address invited at the same moment
        raise ServiceError(f"Un compte existe déjà pour {email}.") from None
    campaigns = list(campaigns)
    audit.record(session, actor, "user.invite", "user", user.id,
                 new={"email": email, "role": role.value, "campaigns": [c.slug for c in campaigns]})
    for campaign in campaigns:
        add_member(session, campaign, user, actor=actor)
    return _issue(session, user, LinkPurpose.INVITATION, actor=actor, days=days, now=now)


def new_link(session: Session, user: User, *, actor: User | None, days: int = LINK_DAYS,
             now: dt.datetime | None = None) -> IssuedLink:
    """Make a new link for ``user``: a new invitation if they never accepted one, else a new password.

    Earlier links of the account stop working; its current password keeps working until
    the new link is used.
    """
    if user.invitation_pending:
        purpose, action = LinkPurpose.INVITATION, "user.invite_again"
    elif user.active:
        purpose, action = LinkPurpose.RESET, "user.reset_link"
    else:
        raise ServiceError("Ce compte est désactivé : réactivez-le avant de lui donner un lien.")
    issued = _issue(session, user, purpose, actor=actor, days=days, now=now)
    audit.record(session, actor, action, "user", user.id, new={"expires": issued.expires_at.date().isoformat()})
    return issued


def find_link(session: Session, token: str, *, now: dt.datetime | None = None) -> AccountLink:
    """Return the usable link of ``token`` or raise :class:`LinkRefused` saying why, in French."""
    now = now or utcnow()
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == token_hash(token or "")))
    ask = "Demandez un nouveau lien à l'administration de la plateforme."
    if link is None:
        raise LinkRefused("Ce lien n'est pas valide : vérifiez qu'il a été copié en entier. " + ask)
    if link.used_at is not None:
        raise LinkRefused("Ce lien a déjà servi : il ne fonctionne qu'une fois. Connectez-vous avec votre "
                          "mot de passe ; si vous l'avez oublié, " + ask[0].lower() + ask[1:])
    if link.revoked_at is not None:
        raise LinkRefused("Ce lien a été remplacé par un lien plus récent, ou annulé. " + ask)
    if _aware(link.expires_at) <= now:
        raise LinkRefused(f"Ce lien a expiré le {local_time(link.expires_at):%d/%m/%Y à %H:%M}. " + ask)
    user = link.user
    if not user.active and not user.invitation_pending:
        raise LinkRefused("Ce compte est désactivé. " + ask)
    return link


def use_link(session: Session, token: str, password: str, *, now: dt.datetime | None = None) -> User:
    """Set the password chosen through the link, open the account, and spend the link.

    A weak password is refused before the link is spent. Two uses at the same moment:
    one wins, the other is told the link has already been used. Every earlier session
    of the account ends. The caller commits and signs the returned account in.
    """
    now = now or utcnow()
    link = find_link(session, token, now=now)
    user = link.user
    check_password_strength(password, email=user.email)
    spent = session.execute(
        update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise LinkRefused("Ce lien a déjà servi : il ne fonctionne qu'une fois.")
    session.expire(link)
    accepted = user.invitation_pending
    user.password_hash = generate_password_hash(password)
    user.end_sessions()
    if accepted:
        user.invitation_pending = False
        user.active = True
    user.last_login_at = now
    audit.record(session, user, "user.invitation_accept" if accepted else "user.password_reset", "user", user.id)
    return user


def open_links(session: Session) -> dict[int, dt.datetime]:
    """Return, for each account with a link not used nor cancelled, when its latest one expires."""
    rows = session.execute(
        select(AccountLink.user_id, func.max(AccountLink.expires_at))
        .where(AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
        .group_by(AccountLink.user_id)
    )
    return {user_id: _aware(expires) for user_id, expires in rows}
