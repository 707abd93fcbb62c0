"""Words that are forms of one another: spellings, inflections, shared roots, prefixes.

Private helper of :mod:`analysis.coding`: a word of the answers that the codebook
does not list counts for a theme when it is a form of one of the theme's terms
("moisi" / "moisissure"), and a word the pruned vector table lends another word's
row keeps that vector only when the other word is a form of it
(:class:`~analysis.coding._vectors.WordVectors`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._match import fold, stem


#: Similarity given to a word that shares its root with a term ("moisi", "moisissure").
MORPHOLOGY_SIMILARITY = 0.9
#: Shortest common beginning of a word and a term word for them to share a root.
MORPHOLOGY_MIN_PREFIX = 5
#: Shortest base a prefixed word is taken to keep the meaning of ("bus" in "minibus").
MIN_BASE = 3


def same_word(word: str, other: str) -> bool:
    """Whether `other` is a spelling, an inflection or the base of the written word
    `word`: equal once folded (case, accents) or once their plural is dropped,
    sharing a root (:func:`shares_root`), or `word` made of `other` and a prefix
    ("minibus" / "bus", "relogement" / "logement", "vidéosurveillance" /
    "surveillance")."""
    a, b = fold(word), fold(other)
    return (a == b or stem(a) == stem(b) or shares_root(a, b)
            or (len(b) >= MIN_BASE and len(a) > len(b) and stem(a).endswith(stem(b))))


def shares_root(word: str, other: str) -> bool:
    """Whether two folded words share a root: a common beginning of at least
    :data:`MORPHOLOGY_MIN_PREFIX` letters covering all the shorter word but at most
    three letters ("moisi" / "moisissure", "renoncement" / "renoncer",
    "chauffage" / "chauffer"; not "medical" / "medicament")."""
    if word == other:
        return False
    short, long_ = sorted((word, other), key=len)
    if len(short) < MORPHOLOGY_MIN_PREFIX:
        return False
    n = 0
    for a, b in zip(short, long_):
        if a != b:
            break
        n += 1
    return n >= MORPHOLOGY_MIN_PREFIX and n >= len(short) - 3 and (
        n == len(short) or n >= len(short) - 3 and len(long_) - n <= 6)


def morphology_affinity(terms, folded_vocabulary: Sequence[str], n_themes: int,
                        vectors=None):
    """Return (vocabulary x themes) similarity through word forms, and the term of each.

    A word of the answers that is a one-word term of a theme (folded, plural dropped)
    gets the square root of the term's weight, as its own vector would, whether or
    not the vector table holds a vector of its own for it ("CSAPA", "EHPAD", "rixe").
    A word that shares its root with such a term (:func:`shares_root`) gets
    :data:`MORPHOLOGY_SIMILARITY` times that, unless the word vectors say the two
    words mean different things.
    """
    affinity = np.zeros((len(folded_vocabulary), n_themes), dtype=np.float32)
    best = np.full((len(folded_vocabulary), n_themes), -1)
    by_prefix: dict[str, list[tuple[str, int]]] = {}
    exact: dict[str, list[int]] = {}
    for j, term in enumerate(terms):
        words = term.lemmas or term.surface
        if len(words) == 1 and " " not in words[0]:
            exact.setdefault(stem(words[0]), []).append(j)
            if len(words[0]) >= MORPHOLOGY_MIN_PREFIX:
                by_prefix.setdefault(words[0][:MORPHOLOGY_MIN_PREFIX], []).append((words[0], j))

    def keep(i: int, j: int, value: float) -> None:
        theme = terms[j].theme
        if value > affinity[i, theme]:
            affinity[i, theme], best[i, theme] = value, j

    for i, word in enumerate(folded_vocabulary):
        for j in exact.get(stem(word), ()):
            keep(i, j, float(np.sqrt(terms[j].weight)))
        for term_word, j in by_prefix.get(word[:MORPHOLOGY_MIN_PREFIX], ()):
            if not shares_root(word, term_word):
                continue
            if vectors is not None and not vectors.compatible(word, term_word):
                continue
            keep(i, j, MORPHOLOGY_SIMILARITY * float(np.sqrt(terms[j].weight)))
    return affinity, best
