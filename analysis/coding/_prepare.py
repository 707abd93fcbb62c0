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


#: Words of the answers that say nothing ("rien", "sais", "avis", "merci"...): what a
#: word near them, and nearer them than any theme's terms, says too.
EMPTY_WORDS = USELESS_WORDS | frozenset(fold(w) for w in COURTESY if " " not in w)


def empty_word_answers(counts, vocabulary, word_vectors: np.ndarray, affinity: np.ndarray,
                       matched: list[dict], surface: list[list[str]], vectors) -> np.ndarray:
    """Return which answers have no content word the coder can read: every word of
    the answer is either unknown to the vector table and to the codebook ("chepa"), or
    has a word vector nearer the words of useless answers and politeness than any
    theme's terms ("lol", near "bof"). Grammatical words do not make an answer empty
    ("personne pour parler de ses problèmes"), nor do numbers ("rien pour les 12-18
    ans"), nor a codebook term found in it. Without word vectors, no answer is."""
    n = counts.shape[0]
    if vectors is None or not len(vocabulary):
        return np.zeros(n, dtype=bool)
    prototypes, known = vectors.matrix(sorted(EMPTY_WORDS))
    prototypes = prototypes[known]
    has_vector = np.abs(word_vectors).sum(axis=1) > 0
    theme = affinity.max(axis=1) if affinity.shape[1] else np.zeros(len(vocabulary))
    near_empty = (word_vectors @ prototypes.T).max(axis=1) > theme if len(prototypes) \
        else np.zeros(len(vocabulary), dtype=bool)
    unknown = np.array([vectors.row(w) == -2 for w in vocabulary]) & (theme <= 0)
    empty_word = (has_vector & near_empty) | (~has_vector & unknown)
    csr = counts.tocsr()
    out = np.zeros(n, dtype=bool)
    for row in range(n):
        words = csr.indices[csr.indptr[row]:csr.indptr[row + 1]]
        out[row] = (len(words) > 0 and bool(empty_word[words].all()) and not matched[row]
                    and not any(w.isdigit() for w in surface[row]))
    return out
