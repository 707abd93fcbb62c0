"""Learning from the coordinator's codings, combining evidence, choosing what to check.

Private helper of :mod:`analysis.coding`.
"""
from __future__ import annotations

import numpy as np

#: Human codings a theme needs before its classifier is trained.
MIN_PER_THEME = 5
#: Themes that must reach MIN_PER_THEME before any classifier is trained.
MIN_THEMES = 3
#: Weight of word-vector similarity to a theme's terms in the codebook evidence: just
#: above the threshold, so that a word the codebook does not list but very near one of
#: a theme's terms (cosine 0.82 or more) codes it alone; weaker closeness only helps.
SOFT_STRENGTH = 0.55
#: Cosine (to a theme's terms) from which a word starts to count, and where it counts fully.
SOFT_FLOOR, SOFT_FULL = 0.5, 0.85
#: Ranking bonus of the theme named first (through a full-weight term) when choosing
#: the main theme, and the term evidence it needs. Kept because it was measured to help
#: on the tuning corpus (+2.9 points) AND on the held-out corpus (+3.2 points), see
#: tests/analysis/test_coding_eval.py; it only ranks themes that are coded anyway.
FIRST_MENTION_BONUS, TERM_FOR_BONUS = 0.1, 0.7
#: Confidence bonus for an early first match: none (measured: no gain on either corpus).
ORDER_BONUS = 0.0
#: A word of coded answers counts for a theme with ``n_theme / (n_word + LEARN_PRIOR)``
#: (seen once: 0.5), times LEARN_STRENGTH; its vector neighbours count from SOFT_FLOOR.
LEARN_PRIOR, LEARN_STRENGTH = 1.0, 0.6
#: Coded answers a word must appear in before its vector neighbours learn from it.
LEARN_NEIGHBOUR_MIN = 2
#: Cosine with an answer the coordinator coded from which its themes are carried over.
NEIGHBOUR_FLOOR, NEIGHBOUR_FULL = 0.8, 0.97
#: Auto-coded answers this sure are added, lightly weighted, to the classifier's examples.
PSEUDO_LABEL_MIN = 0.9
PSEUDO_LABEL_WEIGHT = 0.3
#: At most this many pseudo-labelled answers per theme (keeps retraining fast).
PSEUDO_LABEL_PER_THEME = 20


def codebook_evidence(term: np.ndarray, soft: np.ndarray, positions: np.ndarray,
                      order_bonus: float = ORDER_BONUS) -> np.ndarray:
    """Return the codebook confidence: terms, then word-vector similarity, as a noisy-or.

    `order_bonus` (default none) favours the theme whose first term comes early.
    """
    similarity = np.clip((soft - SOFT_FLOOR) / (SOFT_FULL - SOFT_FLOOR), 0.0, 1.0)
    evidence = 1.0 - (1.0 - term) * (1.0 - SOFT_STRENGTH * similarity)
    if order_bonus:
        evidence = evidence + order_bonus * (term > 0) * (1.0 - positions)
    return np.clip(evidence, 0.0, 1.0)


def first_mention_bonus(term: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return the bonus that ranks, among coded themes, the one named first as main.

    Residents state their main need first ("pas de médecin traitant, et mon logement
    est humide"); among the themes named through a full-weight seed term, the
    earliest gets the bonus.
    """
    strong = term >= TERM_FOR_BONUS
    first = np.where(strong, positions, np.inf)
    earliest = strong & (first <= first.min(axis=1, keepdims=True))
    return FIRST_MENTION_BONUS * earliest


def learned_words(counts, rows: np.ndarray, labels: np.ndarray, word_vectors: np.ndarray,
                  function_words: np.ndarray) -> np.ndarray:
    """Return (vocabulary x themes) how much each word says a theme, from human codings.

    A word of the coded answers counts for a theme with the share of those answers
    coded with it, shrunk for rare words (``n_theme / (n_word + LEARN_PRIOR)``); a
    word never seen in a coded answer counts through its nearest such word (seen in
    :data:`LEARN_NEIGHBOUR_MIN` coded answers at least) in the word-vector space (from
    cosine :data:`SOFT_FLOOR`, fully at :data:`SOFT_FULL`).
    Each correction thus teaches the words of its answer and their neighbours.
    """
    vocabulary, k = counts.shape[1], labels.shape[1]
    out = np.zeros((vocabulary, k), dtype=np.float32)
    if len(rows) == 0:
        return out
    seen = (counts[rows] > 0).astype(np.float32)
    n_word = np.asarray(seen.sum(axis=0)).ravel()
    n_theme = np.asarray(seen.T @ labels.astype(np.float32))
    score = n_theme / (n_word[:, None] + LEARN_PRIOR)
    score[function_words] = 0.0
    out[:] = score
    columns = np.flatnonzero((n_word >= LEARN_NEIGHBOUR_MIN) & ~function_words
                             & (np.abs(word_vectors).sum(axis=1) > 0))
    if len(columns):
        sims = word_vectors @ word_vectors[columns].T
        closeness = np.clip((sims - SOFT_FLOOR) / (SOFT_FULL - SOFT_FLOOR), 0.0, 1.0)
        for theme in range(k):
            values = score[columns, theme]
            if values.any():
                out[:, theme] = np.maximum(out[:, theme], (closeness * values[None, :]).max(axis=1))
        out[function_words] = 0.0
    return LEARN_STRENGTH * out


def with_learned(evidence: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """Return the codebook evidence combined (noisy-or) with the learned words' evidence."""
    return 1.0 - (1.0 - evidence) * (1.0 - learned)


def neighbour_evidence(vectors: np.ndarray, coded_rows: np.ndarray, coded_labels: np.ndarray
                       ) -> np.ndarray:
    """Return, per answer and theme, how close it is to a coded answer with that theme."""
    n, k = vectors.shape[0], coded_labels.shape[1]
    if len(coded_rows) == 0:
        return np.zeros((n, k))
    sims = vectors @ vectors[coded_rows].T
    out = np.zeros((n, k))
    for theme in range(k):
        having = np.flatnonzero(coded_labels[:, theme])
        if len(having):
            out[:, theme] = sims[:, having].max(axis=1)
    return np.clip((out - NEIGHBOUR_FLOOR) / (NEIGHBOUR_FULL - NEIGHBOUR_FLOOR), 0.0, 1.0)


class ThemeClassifier:
    """Regularised least-squares classifiers, one output per theme, solved at once.

    For each trainable theme, ``w = argmin sum_i s_i (y_i - x_i w)^2 + alpha |w|^2``
    (scikit-learn's ``RidgeClassifier`` with targets 0/1) on features ``x`` = sparse
    TF-IDF of lemmas, mean word vector, codebook evidence and a constant. It is
    solved in its dual form, ``w = X^T (S X X^T + alpha I)^-1 S y``: one linear system
    of the size of the training set gives every theme's model, so retraining after
    each correction takes milliseconds whatever the vocabulary. Scores are read as
    probabilities, clipped to [0, 1].

    Parameters
    ----------
    alpha : float
        L2 penalty.

    References
    ----------
    Rifkin, R., Yeo, G. & Poggio, T. (2003). Regularized least-squares classification.
    *NATO Science Series III*, 190, 131-154.
    """

    def __init__(self, alpha: float = 0.3):
        self.alpha = alpha
        self.themes = np.zeros(0, dtype=int)
        self.rows = np.zeros(0, dtype=int)
        self.dual: np.ndarray | None = None

    def fit(self, features: Features, rows: np.ndarray, labels: np.ndarray,
            sample_weight: np.ndarray, trainable: np.ndarray) -> ThemeClassifier:
        """Fit a model for each theme flagged `trainable` on the answers `rows`."""
        y = labels.astype(float)
        varied = y.min(axis=0) < y.max(axis=0) if len(y) else np.zeros(len(trainable), bool)
        self.themes = np.flatnonzero(trainable & varied)
        self.rows = np.asarray(rows)
        if len(self.themes) == 0:
            self.dual = None
            return self
        gram = features.kernel(self.rows, self.rows)
        system = sample_weight[:, None] * gram + self.alpha * np.eye(len(self.rows))
        self.dual = np.linalg.solve(system, sample_weight[:, None] * y[:, self.themes])
        return self

    def predict(self, features: Features, n_themes: int) -> np.ndarray:
        """Return probabilities (n_answers, n_themes), NaN for themes without a model."""
        out = np.full((features.n, n_themes), np.nan)
        if self.dual is not None:
            scores = features.kernel(None, self.rows) @ self.dual
            out[:, self.themes] = np.clip(scores, 0.0, 1.0)
        return out


class Features:
    """The classifier's features: sparse TF-IDF, dense (vector, evidence, constant)."""

    def __init__(self, tfidf, vectors: np.ndarray, evidence: np.ndarray):
        self.tfidf = tfidf.tocsr()
        self.dense = np.hstack([vectors * 0.5, evidence,
                                np.ones((evidence.shape[0], 1))]).astype(np.float64)
        self.n = evidence.shape[0]

    def kernel(self, rows, columns: np.ndarray) -> np.ndarray:
        """Return the inner products of answers `rows` (None: all) with answers `columns`."""
        left_sparse = self.tfidf if rows is None else self.tfidf[rows]
        left_dense = self.dense if rows is None else self.dense[rows]
        product = left_sparse @ self.tfidf[columns].T
        return np.asarray(product.todense()) + left_dense @ self.dense[columns].T


def pseudo_label_sample(rows: np.ndarray, evidence: np.ndarray, threshold: float,
                        per_theme: int | None = None) -> np.ndarray:
    """Return up to `per_theme` of `rows` per main theme, the most confident first."""
    per_theme = PSEUDO_LABEL_PER_THEME if per_theme is None else per_theme
    if len(rows) == 0 or per_theme <= 0:
        return rows[:0]
    main = evidence[rows].argmax(axis=1)
    best = evidence[rows].max(axis=1)
    chosen = []
    for theme in np.unique(main):
        mine = rows[main == theme]
        order = np.argsort(-best[main == theme], kind="stable")
        chosen.append(mine[order[:per_theme]])
    return np.sort(np.concatenate(chosen))


def blend(evidence: np.ndarray, probability: np.ndarray, n_human: np.ndarray,
          neighbours: np.ndarray) -> np.ndarray:
    """Return the final confidence: codebook and classifier, then close coded neighbours.

    The classifier's share grows with the theme's human codings, ``n / (n + 10)``
    capped at 0.8; themes without a classifier keep the codebook evidence.
    """
    share = np.minimum(n_human / (n_human + 10.0), 0.8)[None, :]
    has = ~np.isnan(probability)
    confidence = np.where(has, share * np.nan_to_num(probability) + (1 - share) * evidence,
                          evidence)
    return 1.0 - (1.0 - confidence) * (1.0 - 0.9 * neighbours)


def decision_scores(confidence: np.ndarray, threshold: float, bonus: np.ndarray,
                    facet: np.ndarray) -> np.ndarray:
    """Return the scores the main theme of each answer is chosen on.

    As in :meth:`Coder._decide`: confidence plus the first-mention bonus; a population
    theme that is only a facet of an answer in which a need theme is coded is no
    alternative to the main theme (0). What to check next is the answers whose
    decision is closest, on these scores (the confidences alone would count as
    uncertain every answer that names two themes, however clear its main theme).
    """
    need = (confidence >= threshold) & ~facet
    scores = confidence + bonus
    return np.where(need.any(axis=1, keepdims=True) & facet, 0.0, scores)


def check_order(confidence: np.ndarray, threshold: float, density_: np.ndarray,
                vectors: np.ndarray, candidates: np.ndarray, k: int,
                diversity: float = 0.9) -> np.ndarray:
    """Return `k` candidate rows ordered so that each check teaches the most.

    Priority is uncertainty times representativeness: uncertainty is one minus the
    margin between the two best themes on `confidence` (the :func:`decision_scores`),
    counting "not coded" as an option at the threshold; representativeness is the
    answer's density among the others.
    Picks are greedy, each next one discounted by its similarity with those already
    picked so that one batch does not ask the same question twice.

    References
    ----------
    Settles, B. & Craven, M. (2008). An analysis of active learning strategies for
    sequence labeling tasks. *EMNLP 2008*, 1070-1079 (information density).
    """
    if len(candidates) == 0 or k <= 0:
        return np.zeros(0, dtype=int)
    from threadpoolctl import threadpool_limits

    # one vector product per pick: BLAS threads only stall it on a busy machine
    with threadpool_limits(1, user_api="blas"):
        return _greedy_picks(confidence, threshold, density_, vectors, candidates, k, diversity)


def _greedy_picks(confidence, threshold, density_, vectors, candidates, k, diversity):
    conf = confidence[candidates]
    options = np.hstack([conf, np.full((len(candidates), 1), threshold)])
    top2 = -np.sort(-options, axis=1)[:, :2]
    uncertainty = 1.0 - (top2[:, 0] - top2[:, 1])
    priority = uncertainty * (0.2 + density_[candidates])
    chosen: list[int] = []
    discount = np.ones(len(candidates))
    candidate_vectors = vectors[candidates]
    for _ in range(min(k, len(candidates))):
        score = priority * discount
        if chosen:
            score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        sims = candidate_vectors @ candidate_vectors[best]
        discount *= 1.0 - diversity * np.clip(sims, 0, 1) ** 4
    return candidates[np.array(chosen)]
