"""Topic models on a document-term matrix: NMF, GSDMM, NPMI coherence, stability.

Private: :mod:`analysis.topics` is the public face. Every model returns the same
shape — ``doc_topic`` (documents × themes, rows summing to 1 or 0) and
``topic_term`` (themes × terms, rows summing to 1) — so that labels, merges, splits
and shares do not depend on the model.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaln


@dataclass
class Factorisation:
    """A fitted model in model-independent form."""

    doc_topic: np.ndarray
    topic_term: np.ndarray
    converged: bool = True
    n_iter: int = 0
    log_likelihood: float = float("nan")


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix, dtype=float), where=totals > 0)


def truncated_svd(matrix: sparse.csr_matrix, k: int, *, seed: int = 0):
    """Return the top-`k` singular triplets ``(U, S, Vt)`` (randomized SVD)."""
    from sklearn.utils.extmath import randomized_svd

    return randomized_svd(matrix, k, random_state=seed)


def nndsvd(svd, k: int, eps: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Return the NNDSVD starting point (W, H) for `k` themes from a precomputed SVD.

    The same algorithm as scikit-learn's ``init="nndsvd"``, but from an SVD that may
    have more components than `k`, so that one SVD serves every k tried.

    References
    ----------
    Boutsidis, C. & Gallopoulos, E. (2008). SVD based initialization: a head start
    for nonnegative matrix factorization. *Pattern Recognition*, 41(4), 1350-1362.
    """
    u, s, vt = svd
    w = np.zeros((u.shape[0], k))
    h = np.zeros((k, vt.shape[1]))
    w[:, 0] = np.sqrt(s[0]) * np.abs(u[:, 0])
    h[0, :] = np.sqrt(s[0]) * np.abs(vt[0, :])
    for j in range(1, k):
        x, y = u[:, j], vt[j, :]
        x_p, y_p = np.maximum(x, 0), np.maximum(y, 0)
        x_n, y_n = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        x_p_norm, y_p_norm = np.linalg.norm(x_p), np.linalg.norm(y_p)
        x_n_norm, y_n_norm = np.linalg.norm(x_n), np.linalg.norm(y_n)
        m_p, m_n = x_p_norm * y_p_norm, x_n_norm * y_n_norm
        if m_p > m_n:
            uu, vv, sigma = x_p / x_p_norm, y_p / y_p_norm, m_p
        else:
            uu, vv, sigma = x_n / x_n_norm, y_n / y_n_norm, m_n
        scale = np.sqrt(s[j] * sigma)
        w[:, j] = scale * uu
        h[j, :] = scale * vv
    w[w < eps] = 0
    h[h < eps] = 0
    return w, h


def fit_nmf(tfidf: sparse.csr_matrix, k: int, *, seed: int = 0,
            max_iter: int = 400, tol: float = 1e-4, svd=None) -> Factorisation:
    """Factorise a TF-IDF matrix with NMF initialised by NNDSVD.

    NNDSVD alone is deterministic; its zeros are filled with small random values drawn
    from `seed` (scikit-learn's "nndsvdar"), so that another seed gives another start
    and the same seed the same themes. `svd`, from
    :func:`truncated_svd` with at least `k` components, saves recomputing the SVD
    when several k are tried on the same matrix. Non-convergence within `max_iter` is not an error
    (the factorisation is still usable); it is reported in ``converged`` rather than
    as a warning.

    References
    ----------
    Boutsidis, C. & Gallopoulos, E. (2008). SVD based initialization: a head start
    for nonnegative matrix factorization. *Pattern Recognition*, 41(4), 1350-1362.
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    init = "nndsvdar" if svd is None else "custom"
    model = NMF(n_components=k, init=init, solver="cd", max_iter=max_iter, tol=tol,
                random_state=seed)
    start = {}
    if svd is not None:
        w, h = nndsvd(svd, k)
        rng = np.random.default_rng(seed)
        average = float(np.sqrt(tfidf.mean() / k)) if tfidf.shape[0] else 0.0
        w[w == 0] = average * rng.uniform(size=int((w == 0).sum())) / 100
        h[h == 0] = average * rng.uniform(size=int((h == 0).sum())) / 100
        start = {"W": w, "H": h}
    with warnings.catch_warnings():
        # recorded in `converged` below; the warning alone would be lost in a service
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(tfidf, **start)
    terms = model.components_
    mass = terms.sum(axis=1)
    weights = weights * mass[None, :]  # themes now comparable: each term row sums to 1
    return Factorisation(
        doc_topic=_normalise_rows(weights), topic_term=_normalise_rows(terms),
        converged=model.n_iter_ < max_iter, n_iter=int(model.n_iter_),
    )


def fit_gsdmm(counts: sparse.csr_matrix, k: int, *, seed: int = 0, alpha: float = 0.1,
              beta: float = 0.1, n_iter: int = 30, batch_size: int | None = None
              ) -> Factorisation:
    """Cluster short documents with a Dirichlet multinomial mixture (GSDMM).

    Each document belongs to exactly one of at most `k` clusters; clusters may empty
    out, which is how the model chooses fewer themes than `k`.

    Parameters
    ----------
    counts : sparse matrix
        Documents × terms counts; every row must have at least one term.
    k : int
        Upper bound on the number of clusters.
    alpha, beta : float
        Dirichlet priors on cluster sizes and on words within a cluster.
    n_iter : int
        Sweeps over the documents.
    batch_size : int, optional
        Documents resampled together from the same counts (default: 1/50 of the
        documents, at most 256).

    Notes
    -----
    Yin & Wang's collapsed Gibbs sampler visits documents one by one. Here a batch
    of documents is taken out of the counts, their conditional probabilities over all
    clusters are computed at once with log-gamma differences,

    .. math:: \\log p(z_d = k) = \\log(m_k + \\alpha)
        + \\sum_w [\\ln\\Gamma(n_{kw} + \\beta + N_{dw}) - \\ln\\Gamma(n_{kw} + \\beta)]
        - [\\ln\\Gamma(n_k + V\\beta + N_d) - \\ln\\Gamma(n_k + V\\beta)],

    they are sampled with the Gumbel-max trick and put back. With batches small
    relative to the corpus this approximates the sequential sampler closely (as in
    approximate distributed LDA) and makes 20,000 answers take seconds.

    References
    ----------
    Yin, J. & Wang, J. (2014). A Dirichlet multinomial mixture model-based approach
    for short text clustering. *Proceedings of the 20th ACM SIGKDD*, 233-242.
    """
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    n_docs, n_terms = counts.shape
    rng = np.random.default_rng(seed)
    if batch_size is None:
        batch_size = int(min(256, max(1, np.ceil(n_docs / 50))))
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    # Yin & Wang's start: documents join clusters one batch at a time, each drawn
    # from the conditional given the documents placed before it
    z = np.full(n_docs, -1)
    docs_in = np.zeros(k)
    words_in = np.zeros(k)
    word_counts = np.zeros((k, n_terms))
    v_beta = n_terms * beta
    for sweep in range(n_iter + 1):
        order = rng.permutation(n_docs)
        # one reordered copy per sweep; batches are then plain slices of its arrays
        permuted = counts[order]
        ptr, cols_all, vals_all = permuted.indptr, permuted.indices, permuted.data
        entry_doc = np.repeat(np.arange(n_docs), np.diff(ptr))
        for start in range(0, n_docs, batch_size):
            stop = min(start + batch_size, n_docs)
            docs = order[start:stop]
            lo, hi = ptr[start], ptr[stop]
            cols, vals = cols_all[lo:hi], vals_all[lo:hi]
            local = entry_doc[lo:hi] - start
            size = lengths[docs]
            if sweep:
                old = z[docs]
                docs_in -= np.bincount(old, minlength=k)
                words_in -= np.bincount(old, weights=size, minlength=k)
                np.subtract.at(word_counts, (old[local], cols), vals)
            # numerator, one column per (document, term) entry: mostly counts of 1,
            # for which the log-gamma difference is a plain log
            base = word_counts[:, cols] + beta
            entry = np.log(base)
            repeated = vals > 1
            if repeated.any():
                b = base[:, repeated]
                entry[:, repeated] = gammaln(b + vals[repeated]) - gammaln(b)
            per_doc = np.add.reduceat(entry, ptr[start:stop] - lo, axis=1)
            denom = words_in[:, None] + v_beta
            log_p = (np.log(docs_in + alpha)[:, None] + per_doc
                     - gammaln(denom + size[None, :]) + gammaln(denom))
            new = np.argmax(log_p + rng.gumbel(size=log_p.shape), axis=0)
            z[docs] = new
            docs_in += np.bincount(new, minlength=k)
            words_in += np.bincount(new, weights=size, minlength=k)
            np.add.at(word_counts, (new[local], cols), vals)
    np.clip(word_counts, 0.0, None, out=word_counts)  # float round-off only
    log_likelihood = float(gammaln(docs_in + alpha).sum() + gammaln(word_counts + beta).sum()
                           - gammaln(words_in + v_beta).sum())
    return Factorisation(
        doc_topic=np.asarray(_one_hot(z, k).todense(), dtype=float),
        topic_term=_normalise_rows(word_counts), converged=True, n_iter=n_iter,
        log_likelihood=log_likelihood,
    )


def _one_hot(labels: np.ndarray, k: int) -> sparse.csr_matrix:
    n = len(labels)
    return sparse.csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, k))


def drop_empty_topics(model: Factorisation) -> Factorisation:
    """Remove themes no document belongs to (GSDMM empties clusters)."""
    keep = model.doc_topic.sum(axis=0) > 0
    return Factorisation(model.doc_topic[:, keep], model.topic_term[keep],
                         model.converged, model.n_iter)


def top_term_indices(topic_term: np.ndarray, n: int, allowed: np.ndarray | None = None
                     ) -> list[np.ndarray]:
    """Return, per theme, the indices of its `n` heaviest terms (among `allowed`)."""
    weights = topic_term if allowed is None else np.where(allowed[None, :], topic_term, -1.0)
    order = np.argsort(-weights, axis=1, kind="stable")[:, :n]
    return [row[weights[i, row] > 0] for i, row in enumerate(order)]


def npmi_coherence(top_terms: list[np.ndarray], presence: sparse.csr_matrix) -> np.ndarray:
    """Return the mean NPMI of the pairs of top terms of each theme.

    Probabilities are document frequencies in `presence` (documents × terms, 0/1);
    a pair never seen together scores -1.

    References
    ----------
    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
    extraction. *Proceedings of GSCL*, 31-40.
    """
    n_docs = presence.shape[0]
    scores = np.zeros(len(top_terms))
    for i, terms in enumerate(top_terms):
        if len(terms) < 2:
            scores[i] = -1.0
            continue
        sub = presence[:, terms]
        joint = np.asarray((sub.T @ sub).todense(), dtype=float) / n_docs
        marginal = np.diag(joint).copy()
        upper = np.triu_indices(len(terms), k=1)
        p_ij = joint[upper]
        p_i, p_j = marginal[upper[0]], marginal[upper[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(p_ij / (p_i * p_j))
            npmi = np.where(p_ij > 0, pmi / -np.log(p_ij), -1.0)
        npmi = np.where(p_ij >= 1.0, 1.0, npmi)
        scores[i] = float(np.mean(npmi))
    return scores


def ranking_agreement(reference: list[np.ndarray], other: list[np.ndarray]) -> float:
    """Return the agreement of two sets of top-term rankings, themes matched optimally.

    Two rankings agree by their average Jaccard index over depths 1..t; themes are
    paired by the Hungarian algorithm and the agreement is the mean over pairs.

    References
    ----------
    Greene, D., O'Callaghan, D. & Cunningham, P. (2014). How many topics? Stability
    analysis for topic models. *ECML PKDD 2014*, LNCS 8724, 498-513.
    """
    similarity = np.zeros((len(reference), len(other)))
    for i, a in enumerate(reference):
        for j, b in enumerate(other):
            similarity[i, j] = _average_jaccard(a, b)
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].sum() / max(len(reference), 1))


def _average_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    depth = min(len(a), len(b))
    if depth == 0:
        return 0.0
    total = 0.0
    seen_a: set = set()
    seen_b: set = set()
    for d in range(depth):
        seen_a.add(a[d])
        seen_b.add(b[d])
        total += len(seen_a & seen_b) / len(seen_a | seen_b)
    return total / depth
