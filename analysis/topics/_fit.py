"""From token lists to a fitted theme model: vocabulary, model fit, choice of k.

Private helper of :mod:`analysis.topics`. scikit-learn is imported when a corpus is
vectorised, not when :mod:`analysis` is imported.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..text import DISPLAY_EXCLUDED, STOP_WORDS
from . import _vectors
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
from ._words import Words, edit_distance, fold, prepare_words

#: Methods, the default first: it groups real short answers best (see find_themes).
#: ``"vectors"`` is the same without the codebook: the purely unsupervised method.
METHODS = ("guided", "vectors", "gsdmm", "nmf")
#: Membership of each method: one theme per answer, or weights on several.
SINGLE = frozenset({"guided", "vectors", "gsdmm"})


@dataclass
class Corpus:
    """Document-term matrices of the modelled answers.

    ``vocabulary`` holds the keys (accents folded, variants merged); ``display`` how
    each is shown. ``embedded`` (answer vectors) is computed when the ``"vectors"``
    method first needs it. ``guide`` (the ``"guided"`` method) is the codebook block
    of each answer (:meth:`._guide.Guidance.block`), or None.
    """

    vocabulary: np.ndarray
    counts: sparse.csr_matrix
    tfidf: sparse.csr_matrix
    presence: sparse.csr_matrix
    displayable: np.ndarray
    display: np.ndarray | None = None
    variants: dict | None = None
    embedded: np.ndarray | None = None
    guide: np.ndarray | None = None
    #: Counts of every content key of the answers (the vocabulary's and the rarer ones),
    #: for their vectors; None: the vocabulary's counts.
    all_counts: sparse.csr_matrix | None = None
    all_keys: np.ndarray | None = None
    all_shown: np.ndarray | None = None

    @property
    def n_docs(self) -> int:
        return self.counts.shape[0]

    @property
    def shown(self) -> np.ndarray:
        """The shown form of every term."""
        return self.vocabulary if self.display is None else self.display

    def subset(self, rows: np.ndarray) -> Corpus:
        """Return the corpus restricted to `rows` (same vocabulary)."""
        return Corpus(self.vocabulary, self.counts[rows], self.tfidf[rows],
                      self.presence[rows], self.displayable, self.display, self.variants,
                      None if self.embedded is None else self.embedded[rows],
                      None if self.guide is None else self.guide[rows],
                      None if self.all_counts is None else self.all_counts[rows], self.all_keys,
                      self.all_shown)

    def answer_vectors(self) -> np.ndarray:
        """Return (and keep) the answers' vectors (see :mod:`._vectors`)."""
        if self.embedded is None:
            keys, shown, counts = self.vocabulary, self.shown, self.counts
            if self.all_counts is not None:
                keys, shown, counts = self.all_keys, self.all_shown, self.all_counts
            words = _vectors.term_vectors(list(keys), self.variants or {}, dict(zip(keys, shown)))
            self.embedded = _vectors.answer_vectors(counts, words)
        return self.embedded


def _split_expression(key: str) -> list[str]:
    return [fold(part) for part in key.replace("'", " ").replace("-", " ").split()
            if len(part) > 2 and part not in STOP_WORDS and part not in DISPLAY_EXCLUDED]


def _closest_frequent(key: str, frequent: dict[str, list[tuple[str, int]]]) -> str | None:
    """A frequent key sharing a long start with a rare one ("moisi" -> "moisissure").

    `frequent` indexes the frequent keys by their first five letters.
    """
    best, best_df = None, 0
    for other, df in frequent.get(key[:5], ()):
        common = 0
        for a, b in zip(key, other):
            if a != b:
                break
            common += 1
        if common >= 0.7 * min(len(key), len(other)) and df > best_df:
            best, best_df = other, df
    return best


def _misspellings(df: Counter, mapped: dict) -> dict[str, str]:
    """Map a rare spelling to a much more frequent word one or two keystrokes away.

    "agresisons" -> "agressions", "prvéention" -> "prévention": same first two
    letters, one edit (swap, missing, extra or wrong letter) from 5 letters, two from
    8, and at most a quarter as many answers as the word it joins.
    """
    by_start: dict[str, list[tuple[str, int]]] = {}
    for key, count in df.items():
        if len(key) >= 5 and " " not in key:
            by_start.setdefault(key[:2], []).append((key, count))
    out = {}
    for key, count in df.items():
        if len(key) < 5 or " " in key or mapped.get(key):
            continue
        limit = 2 if len(key) >= 8 else 1
        best, best_count = None, 0
        for other, other_count in by_start.get(key[:2], ()):
            if other == key or other_count < max(2, 4 * count) or other_count <= best_count:
                continue
            if edit_distance(key, other, limit) <= limit:
                best, best_count = other, other_count
        if best is not None:
            out[key] = best
    return out


def vectorise(tokens: Sequence[list[str]], texts: Sequence[str] | None = None
              ) -> tuple[Corpus | None, np.ndarray]:
    """Build count, TF-IDF and presence matrices; return them and the rows kept.

    Words are first turned into keys (:func:`._words.prepare_words`: SMS forms,
    accents and cut lemmas merged, hyphenated words joined). A term seen in a single
    answer is of no use to group answers, so: an expression seen once falls back to
    its words; a word seen once joins a frequent word it is a variant of
    ("moisi" -> "moisissure"). Terms in more than half of the answers (from 40
    answers) and the grammatical words of :data:`analysis.text.DISPLAY_EXCLUDED` are
    left out. An answer left without any term keeps its own words, so that no
    answer with content words is dropped; only answers with no content word at all
    are not modelled.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    n = len(tokens)
    if n == 0:
        return None, np.zeros(0, dtype=int)
    drop = frozenset(STOP_WORDS) | DISPLAY_EXCLUDED
    words: Words = prepare_words(tokens, texts if texts is not None else [""] * n, stop=drop)
    docs = [[k for k in doc if k not in drop] for doc in words.tokens]
    df = Counter(k for doc in docs for k in set(doc))
    if sum(1 for v in df.values() if v >= 2) >= 6:
        docs = [[part for k in doc for part in
                 (_split_expression(k) if " " in k and df[k] < 2 else [k])] for doc in docs]
        for doc in docs:
            for key in doc:
                words.display.setdefault(key, key)
        df = Counter(k for doc in docs for k in set(doc))
        frequent: dict[str, list[tuple[str, int]]] = {}
        for key, count in df.items():
            if count >= 2 and len(key) >= 5 and " " not in key:
                frequent.setdefault(key[:5], []).append((key, count))
        mapping = {k: _closest_frequent(k, frequent) for k, v in df.items()
                   if v < 2 and len(k) >= 5}
        mapping.update(_misspellings(df, mapping))
        docs = [[mapping.get(k) or k for k in doc] for doc in docs]
        df = Counter(k for doc in docs for k in set(doc))
        keep = {k for k, v in df.items() if v >= 2 and (n < 40 or v <= 0.5 * n)}
    else:  # a very small set: every word counts
        keep = set(df)
    for doc in docs:  # an answer with content words is never left out
        if doc and not any(k in keep for k in doc):
            keep.update(doc)
    if not keep:
        return None, np.zeros(0, dtype=int)
    vocabulary = np.array(sorted(keep), dtype=object)
    vectoriser = CountVectorizer(analyzer=lambda doc: [k for k in doc if k in keep],
                                 vocabulary=list(vocabulary))
    counts = vectoriser.transform(docs).tocsr()
    rows = np.flatnonzero(counts.getnnz(axis=1) > 0)
    counts = counts[rows]
    # a word seen once groups no answers by itself, but its vector still says what the
    # answer is about ("chaudière" near "logement"): the vectors use every key
    all_keys = np.array(sorted({key for doc in docs for key in doc}), dtype=object)
    all_counts = CountVectorizer(analyzer=lambda doc: doc, vocabulary=list(all_keys)
                                 ).transform([docs[i] for i in rows]).tocsr()
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    presence = (counts > 0).astype(np.float64).tocsr()
    display = np.array([words.shown(k) for k in vocabulary], dtype=object)
    displayable = np.array([t not in DISPLAY_EXCLUDED for t in display], dtype=bool)
    return Corpus(vocabulary, counts, tfidf, presence, displayable, display,
                  words.variants, all_counts=all_counts, all_keys=all_keys,
                  all_shown=np.array([words.shown(k) for k in all_keys], dtype=object)), rows


def fit(corpus: Corpus, method: str, k: int, *, seed: int = 0, n_restarts: int = 3,
        quick: bool = False, svd=None) -> Factorisation:
    """Fit `method` with `k` themes; GSDMM keeps the best of `n_restarts` chains.

    ``"guided"`` clusters the answers' vectors followed by ``corpus.guide`` (the
    plain ``"vectors"`` clustering when the corpus has no guide).

    `quick` loosens NMF's tolerance (enough to rank top terms when choosing k) and
    starts from `svd`, shared by all the k tried. Every method depends on `seed`
    (same seed, same themes).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    k = max(1, min(k, corpus.n_docs, corpus.counts.shape[1]))
    with single_blas_thread():
        if method == "nmf":
            if quick:
                return fit_nmf(corpus.tfidf, k, seed=seed, tol=2e-3, max_iter=80, svd=svd)
            return fit_nmf(corpus.tfidf, k, seed=seed)
        if method in ("vectors", "guided"):
            embedded = corpus.answer_vectors()
            if method == "guided" and corpus.guide is not None and corpus.guide.shape[1]:
                # an answer without a word vector keeps its codebook block
                embedded = np.hstack([embedded, corpus.guide])
            doc_topic, topic_term = _vectors.cluster(embedded, corpus.counts, k, seed=seed)
            return drop_empty_topics(Factorisation(doc_topic, topic_term))
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
    words that occur together — and the best score wins (ties: fewer themes). When
    every score is 0 the most stable k is returned, and :func:`informative` says
    the choice was not informed: the caller must say so.

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


def informative(table: pd.DataFrame) -> bool:
    """Whether the scores of :func:`select_k` tell the k apart (some score above 0)."""
    scores = table["score"].to_numpy(dtype=float)
    if not len(scores) or not float(np.nanmax(scores)) > 0:
        return False
    return len(scores) == 1 or float(np.nanmax(scores) - np.nanmin(scores)) > 1e-9


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
