"""Serial numbers of paper questionnaires: normalised, checked, issued for printing.

A printed serial is a running number of five digits and a check digit (Luhn), shown as
``00012-5``: a digit mistyped or two digits swapped give a number that no copy carries.
Agents may type it in any case, with spaces or dashes; handwritten serials of unnumbered
copies are letters and digits.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Campaign, PaperSerial, QuestionnaireVersion, User
from .. import audit

_IGNORED = re.compile(r"[\s\-‐‑‒–—_./]+")
_VALID = re.compile(r"^[A-Z0-9]{1,20}$")
#: Copies printed at once, at most.
MAX_COPIES = 2000


def normalise(text: str) -> str:
    """The serial as stored: upper case, without spaces, dashes, dots; raise ServiceError."""
    serial = _IGNORED.sub("", (text or "").strip()).upper()
    if not serial:
        raise ServiceError("Indiquez le numéro du questionnaire, écrit dans le cadre en haut de la première page.")
    if not _VALID.match(serial):
        raise ServiceError(
            f"Numéro de questionnaire invalide : « {text.strip()[:40]} » (lettres et chiffres, 20 au plus)."
        )
    return serial


def luhn_digit(number: str) -> str:
    """The Luhn check digit of a string of digits."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def printed_form(number: int) -> str:
    """The serial printed for running number ``number`` (``00012-5``)."""
    body = f"{number:05d}"
    return f"{body}-{luhn_digit(body)}"


def display(serial: str) -> str:
    """A normalised serial as printed (the dash back before the check digit)."""
    if len(serial) == 6 and serial.isdigit():
        return f"{serial[:5]}-{serial[5]}"
    return serial


def looks_mistyped(serial: str) -> bool:
    """Tell whether a six-digit serial has a wrong check digit."""
    return len(serial) == 6 and serial.isdigit() and luhn_digit(serial[:5]) != serial[5]


def issued(session: Session, campaign: Campaign, serial: str) -> PaperSerial | None:
    return session.scalar(
        select(PaperSerial).where(PaperSerial.campaign_id == campaign.id, PaperSerial.serial == serial)
    )


def check(session: Session, campaign: Campaign, serial: str) -> PaperSerial | None:
    """The issued serial, or ``None`` for a handwritten one; refuse a mistyped printed number."""
    found = issued(session, campaign, serial)
    if found is None and looks_mistyped(serial):
        raise ServiceError(
            f"Le numéro « {display(serial)} » ne correspond à aucun questionnaire imprimé "
            "(le dernier chiffre, de contrôle, ne va pas avec les autres) : vérifiez-le."
        )
    return found


def issue(session: Session, campaign: Campaign, version: QuestionnaireVersion, copies: int,
          actor: User | None, language: str = "fr") -> list[str]:
    """Record ``copies`` new serials for printed copies of ``version``; return them, normalised."""
    if not 1 <= copies <= MAX_COPIES:
        raise ServiceError(f"Nombre d'exemplaires invalide : de 1 à {MAX_COPIES}.")
    for _attempt in range(3):
        start = (session.scalar(select(func.max(PaperSerial.number)).where(
            PaperSerial.campaign_id == campaign.id)) or 0) + 1
        numbers = range(start, start + copies)
        rows = [PaperSerial(campaign_id=campaign.id, questionnaire_version_id=version.id,
                            serial=printed_form(n).replace("-", ""), number=n, language=language,
                            issued_by_id=actor.id if actor else None) for n in numbers]
        nested = session.begin_nested()
        try:
            session.add_all(rows)
            session.flush()
        except IntegrityError:  # another print run took the same numbers: take the next ones
            nested.rollback()
            continue
        nested.commit()
        audit.record(session, actor, "paper.serials_issued", "campaign", campaign.id,
                     new={"first": printed_form(start), "copies": copies, "version": version.id})
        return [row.serial for row in rows]
    raise ServiceError("Les numéros n'ont pas pu être réservés : réessayez dans un instant.")
