"""Password rules: long enough, and not one of the passwords every attacker tries first.

The common passwords are Django's list (``data/common-passwords.txt.gz``, 19,640
passwords gathered from leaks, BSD-3-Clause licence) and a short French list written for
this service (``data/french-passwords.txt``), both shipped with the package.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

from ..domain import ServiceError

MIN_PASSWORD_LENGTH = 12
_SEPARATORS = re.compile(r"[\s\-_.,;:!?'\"*/+]+")
_TRAILING = re.compile(r"[\d\W_]+$")
#: Keyboard rows (French and English layouts) and runs that people type as passwords.
_SEQUENCES = (
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the shipped common passwords, lower-cased."""
    data = resources.files(__package__) / "data"
    packed = data.joinpath("common-passwords.txt.gz").read_bytes()
    words = {line.strip().lower() for line in gzip.decompress(packed).decode("utf-8").splitlines() if line.strip()}
    for line in data.joinpath("french-passwords.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def _variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    joined = _SEPARATORS.sub("", lowered)
    variants = {lowered, joined}
    for value in (lowered, joined):
        core = _TRAILING.sub("", value)
        if core:
            variants.add(core)
    return variants


def _is_sequence(password: str) -> bool:
    """Tell whether the password is only digits, or a run along a keyboard row or the alphabet."""
    joined = _SEPARATORS.sub("", password.lower())
    if joined.isdigit():
        return True
    return any(joined in row or joined in row[::-1] for row in _SEQUENCES)


def check_password_strength(password: str, *, email: str | None = None) -> None:
    """Raise :class:`ServiceError` (in French) when ``password`` is too short or too common."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.")
    variants = _variants(password)
    if variants & common_passwords() or len(set(password)) < 5 or _is_sequence(password):
        raise ServiceError(
            "Ce mot de passe fait partie des mots de passe les plus courants, essayés en premier "
            "par les attaquants : choisissez-en un autre, par exemple quelques mots sans lien entre eux."
        )
    local = (email or "").split("@")[0].lower()
    if len(local) >= 4 and any(local in variant or _SEPARATORS.sub("", local) in variant for variant in variants):
        raise ServiceError("Le mot de passe ne doit pas reprendre l'adresse e-mail du compte.")
