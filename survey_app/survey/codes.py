"""Resume codes and invitation codes: random, unambiguous, stored only as hashes."""
from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from sqlalchemy.orm import Session

from ..domain import ServiceError
from . import store
from .surveys import note_change

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 12 characters of 31: about 59 bits, shown as three groups of four.
RESUME_LENGTH = 12
INVITATION_LENGTH = 10
#: Most invitation codes made at once (the web form and the command line alike).
MAX_INVITATIONS = 20_000


def new_code(length: int) -> str:
    """Return a random code of ``length`` unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: Any) -> str:
    """Upper-case ``text`` and drop the spaces and dashes people type or copy with it."""
    if not isinstance(text, str) or len(text) > 100:
        return ""
    return re.sub(r"[\s\-_.]", "", text).upper()


def format_code(code: str) -> str:
    """Group a code by four characters (``ABCD-EFGH-JKMN``) for reading and copying."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def looks_like(code: str, length: int) -> bool:
    return len(code) == length and all(c in CODE_ALPHABET for c in code)


def invitations_required(session: Session, campaign) -> bool:
    """Tell whether the campaign mailed invitation codes (then every response needs one)."""
    return store.has_invitations(session, campaign.id)


def generate_invitation_codes(session: Session, campaign, count: int) -> list[str]:
    """Create ``count`` invitation codes and return them: they are shown this once, only hashes are kept."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise ServiceError(f"Le nombre de codes doit être compris entre 1 et {MAX_INVITATIONS:,}.".replace(",", " "))
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code(INVITATION_LENGTH))
    store.insert_invitations(session, campaign.id, [hash_code(c) for c in codes])
    note_change(session)  # the campaign now asks for a code
    return sorted(codes)
