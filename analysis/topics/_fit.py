"""From token lists to a fitted theme model: vocabulary, model fit, choice of k.

Private helper of :mod:`analysis.topics`. scikit-learn is imported when a corpus is
vectorised, not when :mod:`analysis` is imported.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..text import DISPLAY_EXCLUDED
from ._models import (
    Factorisation,
    drop_empty_topics,
    fit_gsdmm,
    fit_nmf,
    npmi_coherence,
    ranking_agreement,
    top_term_indices,
    truncated_svd,
)

METHODS = ("nmf", "gsdmm")


def _tokens(document: list[str]) -> list[str]:
    """Analyzer for tokenised documents, without the grammatical words kept by the stop list.

    "pas", "sans", "trop", "plus"... stay in the tokens (coding rules need them) but
    occur in every theme, so they would only blur the topics.
    """
    return [token for token in document if token not in DISPLAY_EXCLUDED]


@dataclass
class Corpus:
    """Document-term matrices of the modelled answers."""

    vocabulary: np.ndarray
    counts: sparse.csr_matrix
    tfidf: sparse.csr_matrix
    presence: sparse.csr_matrix
    displayable: np.ndarray

    @property
    def n_docs(self) -> int:
        return self.counts.shape[0]

    def subset(self, rows: np.ndarray) -> Corpus:
        """Return the corpus restricted to `rows` (same vocabulary)."""
        return Corpus(self.vocabulary, self.counts[rows], self.tfidf[rows],
                      self.presence[rows], self.displayable)


def vectorise(tokens: Sequence[list[str]]) -> tuple[Corpus | None, np.ndarray]:
    """Build count, TF-IDF and presence matrices; return them and the rows kept.

    Terms seen in a single answer are dropped (kept for very small sets), and so are
    terms in more than half of the answers once there are 40 or more, and the
    grammatical words of :data:`analysis.text.DISPLAY_EXCLUDED`; answers left
    without any term are not modelled.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    n = len(tokens)
    if n == 0:
        return None, np.zeros(0, dtype=int)
    for min_df in (2, 1):
        vectoriser = CountVectorizer(analyzer=_tokens, min_df=min_df,
                                     max_df=0.5 if n >= 40 else 1.0)
        try:
            counts = vectoriser.fit_transform(tokens).tocsr()
        except ValueError:  # no term left after pruning
            continue
        if counts.shape[1] >= 6 or min_df == 1:
            break
    else:
        return None, np.zeros(0, dtype=int)
    rows = np.flatnonzero(counts.getnnz(axis=1) > 0)
    counts = counts[rows]
    vocabulary = vectoriser.get_feature_names_out()
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    presence = (counts > 0).astype(np.float64).tocsr()
    displayable = np.array([t not in DISPLAY_EXCLUDED for t in vocabulary], dtype=bool)
    return Corpus(vocabulary, counts, tfidf, presence, displayable), rows


def fit(corpus: Corpus, method: str, k: int, *, seed: int = 0, n_restarts: int = 3,
        quick: bool = False, svd=None) -> Factorisation:
    """Fit `method` with `k` themes; GSDMM keeps the best of `n_restarts` chains.

    `quick` loosens NMF's tolerance (enough to rank top terms when choosing k) and
    starts from `svd`, shared by all the k tried.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    k = max(1, min(k, corpus.n_docs, corpus.counts.shape[1]))
    with single_blas_thread():
        if method == "nmf":
            if quick:
                return fit_nmf(corpus.tfidf, k, seed=seed, tol=2e-3, max_iter=80, svd=svd)
            return fit_nmf(corpus.tfidf, k, seed=seed)
        chains = [fit_gsdmm(corpus.counts, k, seed=seed * 7919 + r) for r in range(n_restarts)]
        best = max(chains, key=lambda chain: chain.log_likelihood)
        return drop_empty_topics(best)


class single_blas_thread:  # noqa: N801 - a context manager, named like threadpool_limits
    """Run BLAS on one thread inside the block; nested blocks cost nothing.

    On these small matrices BLAS threads cost more than they give (a QR was 20 times
    slower with two threads on two busy cores), and the service runs several
    analyses side by side.
    """

    _state = threading.local()

    def __enter__(self):
        depth = getattr(self._state, "depth", 0)
        if depth == 0:
            self._state.limits = threadpool_limits(limits=1, user_api="blas")
        self._state.depth = depth + 1
        return self

    def __exit__(self, *exc_info):
        self._state.depth -= 1
        if self._state.depth == 0:
            self._state.limits.restore_original_limits()
        return False


def candidate_ks(n_docs: int, n_terms: int, k_range: tuple[int, int]) -> list[int]:
    """Return the numbers of themes worth trying: at least 5 answers and 2 terms per theme."""
    low, high = k_range
    high = min(high, n_docs // 5, n_terms // 2)
    low = max(2, min(low, high))
    return list(range(low, high + 1)) if high >= 2 else []


def select_k(corpus: Corpus, candidates: Sequence[int], *, seed: int = 0,
             n_resamples: int = 5, fraction: float = 0.8, max_docs: int = 1000,
             top_n: int = 10, progress: Callable[[int], None] | None = None
             ) -> tuple[int, pd.DataFrame]:
    """Choose the number of themes by stability across resamples and NPMI coherence.

    For each candidate k, NMF is fitted on the answers (at most `max_docs`, drawn at
    random) and on `n_resamples` random subsets of `fraction` of them. Stability is
    the mean agreement of the top-`top_n` term rankings of each subset model with the
    reference model (Greene et al., 2014); coherence is the mean NPMI of the
    reference themes' top terms (Bouma, 2009). The score is
    ``stability * max(coherence, 0)`` — themes must be both reproducible and made of
    words that occur together — and the best score wins (ties: fewer themes).

    Returns
    -------
    k : int
    table : DataFrame
        Columns ``k, stability, coherence, score``.

    References
    ----------
    Greene, D., O'Callaghan, D. & Cunningham, P. (2014). How many topics? Stability
    analysis for topic models. *ECML PKDD 2014*, LNCS 8724, 498-513.

    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
    extraction. *Proceedings of GSCL*, 31-40.
    """
    rng = np.random.default_rng(seed)
    sample = corpus
    if corpus.n_docs > max_docs:
        sample = corpus.subset(np.sort(rng.choice(corpus.n_docs, max_docs, replace=False)))
    size = max(2, int(round(fraction * sample.n_docs)))
    subsets = [np.sort(rng.choice(sample.n_docs, size, replace=False))
               for _ in range(n_resamples)]
    rows = []
    with single_blas_thread():
        # one SVD per matrix, truncated for each k, gives every NNDSVD start
        largest = min(max(candidates), *sample.tfidf.shape)
        svds = [truncated_svd(m.tfidf, largest, seed=seed)
                for m in [sample, *(sample.subset(s) for s in subsets)]]
        for k in candidates:
            rows.append(_score_k(sample, subsets, svds, k, seed=seed, top_n=top_n))
            if progress is not None:
                progress(1)
    table = pd.DataFrame(rows, columns=["k", "stability", "coherence", "score"])
    if table["score"].max() <= 0:
        best = table.loc[table["stability"].idxmax(), "k"]
    else:
        best = table.loc[table["score"].idxmax(), "k"]
    return int(best), table


def _score_k(sample: Corpus, subsets: list[np.ndarray], svds: list, k: int, *, seed: int,
             top_n: int) -> dict:
    reference = fit(sample, "nmf", k, seed=seed, quick=True, svd=svds[0])
    top = top_term_indices(reference.topic_term, top_n, sample.displayable)
    coherence = float(np.mean(npmi_coherence(top, sample.presence)))
    agreements = []
    for subset, svd in zip(subsets, svds[1:]):
        model = fit(sample.subset(subset), "nmf", k, seed=seed, quick=True, svd=svd)
        other = top_term_indices(model.topic_term, top_n, sample.displayable)
        agreements.append(ranking_agreement(top, other))
    stability = float(np.mean(agreements)) if agreements else 1.0
    return {"k": k, "stability": stability, "coherence": coherence,
            "score": stability * max(coherence, 0.0)}
