"""Mask personal data in verbatims before anyone reads them.

Residents write e-mail addresses, phone numbers and the names of their doctors or
neighbours into free-text answers. Verbatims quoted in the workspace or the report
are passed through :func:`mask_pii` first: the answer stays readable, the person does
not stay identifiable.
"""
from __future__ import annotations

import re

__all__ = ["MASKS", "mask_pii", "mask_emails", "mask_phones", "mask_names"]

#: Replacement written in place of each kind of personal data.
MASKS = {"email": "[courriel]", "phone": "[téléphone]", "name": "[nom]",
         "nir": "[numéro de sécurité sociale]"}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# French numbers: 0X then four pairs, pairs separated by nothing, spaces, dots or
# dashes; or +33 / 0033, optionally "(0)", then the nine digits.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)"
)

# Social security number (NIR): 13 digits + 2-digit key, often grouped.
_NIR = re.compile(
    r"(?<!\d)[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}"
    r"(?:\s?\d{2})?(?!\d)"
)

# Titles: case-insensitive, except the short ones that are also ordinary words in
# SMS French ("pr" is "pour", "m." may end a sentence in lower case).
_TITLES = (
    r"(?i:docteure?s?|dre?\.?|professeure?|mme\.?|madame|mlle\.?|mademoiselle"
    r"|monsieur|ma[îi]tre)|Pr\.?|M\.|Mr\.?"
)
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'-]*"
# A title followed by one to three capitalised words ("Dr Jean Martin", "M. Bernard").
_TITLED_CAPITALISED = re.compile(
    rf"(?<![\w.])(?P<title>{_TITLES})(?P<space>\s+)"
    rf"(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
)
# A title followed by a lower-case word that is not an ordinary French word
# ("docteur dupont" but not "docteur de garde", "madame la maire").
_TITLED_LOWER = re.compile(
    rf"(?<![\w.])(?P<title>{_TITLES})(?P<space>\s+)(?P<name>[a-zà-öø-ÿ][\w'-]+)"
)
_PARTICLES = frozenset({"le", "la", "les", "de", "du", "des", "d'", "van", "von"})
_ORDINARY_AFTER_TITLE = frozenset({
    "le", "la", "les", "de", "du", "des", "un", "une", "et", "ou", "est", "a", "qui",
    "que", "en", "au", "aux", "à", "pour", "par", "sur", "dans", "avec", "sans", "ne",
    "n'", "se", "s'est", "il", "elle", "ils", "elles", "mon", "ma", "mes", "son", "sa",
    "ses", "notre", "votre", "leur", "ce", "cette", "généraliste", "traitant",
    "traitante", "spécialiste", "maire", "adjoint", "adjointe", "directeur",
    "directrice", "pharmacien", "pharmacienne", "infirmier", "infirmière", "était",
    "sont", "m'a", "nous", "vous", "on", "y", "pas", "plus", "très", "trop", "bien",
    "part", "parti", "partie", "partis", "arrive", "refuse", "dit", "fait", "soigne",
    "reçoit", "prend", "répond", "demande", "nouveau", "nouvelle", "remplaçant",
    "remplaçante", "absent", "absente", "disponible", "je", "j'ai", "tout", "quand",
})


def mask_emails(text: str) -> str:
    """Replace e-mail addresses by ``[courriel]``."""
    return _EMAIL.sub(MASKS["email"], text)


def mask_phones(text: str) -> str:
    """Replace French phone numbers (06 12 34 56 78, 06.12.34.56.78, +33 6...) and NIRs."""
    return _PHONE.sub(MASKS["phone"], _NIR.sub(MASKS["nir"], text))


def mask_names(text: str) -> str:
    """Replace names that follow a title ("Dr Martin", "docteur dupont", "Mme Durand")."""
    def capitalised(match: re.Match) -> str:
        words = match.group("name").split()
        # "Madame Le Goff" is a name, "Monsieur Le Maire" is not: skip particles,
        # then an ordinary word means no name
        while len(words) > 1 and words[0].lower() in _PARTICLES:
            words = words[1:]
        if words[0].lower() in _ORDINARY_AFTER_TITLE:
            return match.group(0)
        return f"{match.group('title')}{match.group('space')}{MASKS['name']}"

    def lower(match: re.Match) -> str:
        name = match.group("name")
        if name.lower() in _ORDINARY_AFTER_TITLE or name.startswith("["):
            return match.group(0)
        return f"{match.group('title')}{match.group('space')}{MASKS['name']}"

    text = _TITLED_CAPITALISED.sub(capitalised, text)
    return _TITLED_LOWER.sub(lower, text)


def mask_pii(text: object, *, names: bool = True) -> str:
    """Return `text` with e-mails, phone numbers, social security numbers and titled names masked.

    Parameters
    ----------
    text : object
        A verbatim; ``None`` gives the empty string.
    names : bool
        Also mask names after a title (Dr, docteur, Pr, Mme, Madame, M., Monsieur...).

    Returns
    -------
    str

    Notes
    -----
    Masking is by patterns, so a bare first name with no title ("Jean m'a aidé") is
    not recognised: verbatims remain for internal reading and are to be reread
    before publication.

    Examples
    --------
    >>> mask_pii("Appelez le Dr Martin au 06 12 34 56 78 ou jean@exemple.fr")
    'Appelez le Dr [nom] au [téléphone] ou [courriel]'
    """
    if text is None:
        return ""
    masked = mask_phones(mask_emails(str(text)))
    return mask_names(masked) if names else masked
