"""What :class:`~analysis.coding.Coder` prepares once: which answers say nothing,
which words a theme excludes, where a population theme is only a facet."""
from __future__ import annotations

import numpy as np

from ..text import USELESS_ANSWERS
from ._match import COURTESY, TermIndex, all_words, fold, stem

#: Words of the useless answers ("rien", "ras", "sais", "avis"...): an answer made of
#: them and of politeness only says nothing either.
USELESS_WORDS = frozenset(w for phrase in USELESS_ANSWERS for w in phrase.split()
                          if w.isalpha())


def useless_reasons(pre) -> list[str | None]:
    """Why each preprocessed answer is left out (None: it is coded).

    Besides the preprocessor's own reasons, an answer of politeness only is
    "courtesy", and one made only of useless answers' words and politeness ("RAS
    merci", "non rien merci") is "useless".
    """
    reasons = list(pre.useless)
    courtesy = {fold(w) for w in COURTESY}
    nothing = courtesy | USELESS_WORDS
    for i, tokens in enumerate(pre.tokens):
        if reasons[i] is None and all(fold(t) in courtesy for t in tokens):
            reasons[i] = "courtesy"
        elif reasons[i] is None and all(fold(w) in nothing for w in all_words(pre.normalised[i])):
            reasons[i] = "useless"
    return reasons


def excluded_words(index: TermIndex, folded: list[str], n_themes: int) -> np.ndarray:
    """Return (vocabulary x themes) which words must not count through vectors:
    the one-word exclusions of each theme (e.g. after the coordinator said "this
    word is wrong for this theme"), in any inflection."""
    out = np.zeros((len(folded), n_themes), dtype=bool)
    stems: dict[str, list[int]] = {}
    for i, w in enumerate(folded):
        stems.setdefault(w, []).append(i)
        if stem(w) != w:
            stems.setdefault(stem(w), []).append(i)
    for term in index.exclusions:
        for words in {term.lemmas, term.surface, term.raw}:
            if len(words) == 1:
                for i in stems.get(words[0], ()):
                    out[i, term.theme] = True
    return out


def facet_only(index: TermIndex, matched: list[dict], population: np.ndarray) -> np.ndarray:
    """Return (answers x themes) where a population theme is only a facet: found
    through the words naming its people alone, not through one of its need terms
    ("EHPAD", "aidant", "crèche")."""
    out = np.zeros((len(matched), len(population)), dtype=bool)
    for j in np.flatnonzero(population):
        people = index.population_texts.get(j, frozenset())
        for row, found in enumerate(matched):
            out[row, j] = not any(t not in people for t in found.get(j, ()))
    return out
