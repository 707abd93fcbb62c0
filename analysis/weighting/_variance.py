"""Linearised variance of a one-stage design after calibration, as R's ``svyrecvar``.

Influence functions are first projected on each calibration step of the design, in
the order the steps were applied, then the with-replacement-within-stratum variance of
PSU totals is taken, with the finite population correction.

References
----------
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, sections 2.2
and 7.4.
Lumley T (2024). survey: analysis of complex survey samples. R package version 4.x,
functions ``svyrecvar`` and ``onestrat``.
Binder DA (1983). On the variances of asymptotically normal estimators from complex
surveys. *Int. Stat. Rev.* 51, 279-292.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ._design import RAKING_PROJECTION_PASSES, Grouping, PostStratumStep

__all__ = ["calibration_residuals", "linearised_variance", "domain_covariance",
           "domain_variances", "domain_covariance_blocks"]

def calibration_residuals(design, x):
    """Project influence functions on each calibration step, in order."""
    for step in design.calibration:
        x = step.residuals(x)
    return x


def linearised_variance(design, x, blocks=None):
    """Variance of the estimator whose influence functions are the columns of ``x``.

    Reproduces ``survey:::svyrecvar`` for a one-stage design: calibration residuals,
    PSU totals, centring within strata and ``f_h n_h / (n_h - 1)`` scaling, where
    ``f_h = 1 - n_h / N_h`` is the finite population correction.

    Parameters
    ----------
    design : Design
    x : ndarray, shape (n,) or (n, k)
        Influence functions, already multiplied by the weights (as R passes them).
    blocks : int or None
        When given, ``k`` must be ``d * blocks`` and only the ``d`` diagonal blocks of
        size ``blocks`` are computed (domains are independent columns groups); the
        result then has shape ``(d, blocks, blocks)``.

    Returns
    -------
    ndarray
        ``(k, k)`` covariance matrix, or ``(d, blocks, blocks)`` diagonal blocks.

    Raises
    ------
    ValueError
        If a stratum has a single PSU (R's default ``lonely.psu = "fail"``).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    x = calibration_residuals(design, x)
    if design.rows_are_psus:
        z, z_stratum = x, design.strata
    else:
        z, z_stratum = design._psu_grouping.sum(x), design._psu_stratum
    n_h, f = design._stratum_sizes_and_fpc()
    scale = _stratum_scale(n_h, f)
    grouping = Grouping(z_stratum, n_h.size)
    means = grouping.sum(z) / n_h[:, None]
    zc = z - means[z_stratum]
    scaled = zc * scale[z_stratum][:, None]
    if blocks is None:
        return scaled.T @ zc
    p, k = zc.shape
    d = k // blocks
    return np.einsum("pdk,pdl->dkl", scaled.reshape(p, d, blocks), zc.reshape(p, d, blocks))


def domain_covariance(design, u, rows, dom, n_domains):
    """Covariance of domain estimates without forming the n x (d k) influence matrix.

    The influence function of domain ``d`` is ``u_i`` on its rows and zero elsewhere,
    so every quantity ``svyrecvar`` needs (group sums of the influence functions, and
    the cross-products of the calibration residuals) reduces to weighted counts by
    (group, domain) plus small matrix products. Used when each row is its own PSU;
    equal to :func:`linearised_variance` on the expanded matrix up to rounding.

    Parameters
    ----------
    design : Design
        Without clusters.
    u : ndarray (m, k)
        Influence values of the ``m`` rows that belong to a domain.
    rows : ndarray (m,) of int
        Their row numbers.
    dom : ndarray (m,) of int
        Their domain codes, ``0 <= dom < n_domains``.
    n_domains : int

    Returns
    -------
    ndarray (n_domains * k, n_domains * k)
    """
    m, k = u.shape
    d = n_domains
    dk = d * k

    def block_sums(codes, n_groups, q):
        idx = codes[rows] * d + dom if n_groups > 1 else dom
        wts = u if q is None else u * q[rows][:, None]
        out = np.empty((n_groups * d, k))
        for j in range(k):
            out[:, j] = np.bincount(idx, weights=wts[:, j], minlength=n_groups * d)
        return out.reshape(n_groups, dk)

    steps = _CalibrationTerms(design, block_sums, np.matmul)
    terms, cross = steps.terms, steps.cross

    n_h, f = design._stratum_sizes_and_fpc()
    scale_h = _stratum_scale(n_h, f)
    s = scale_h[design.strata]
    # sum_i s_i r_i r_i' with r = x - sum_j v_j A_j[c_j]
    sr = s[rows]
    xx = np.zeros((d, k, k))
    for a in range(k):
        for b in range(a, k):
            xx[:, a, b] = np.bincount(dom, weights=sr * u[:, a] * u[:, b], minlength=d)
            xx[:, b, a] = xx[:, a, b]
    v = np.zeros((dk, dk))
    for i in range(d):
        v[i * k:(i + 1) * k, i * k:(i + 1) * k] = xx[i]
    for j, (codes_j, n_j, v_j, a_j) in enumerate(terms):
        g = block_sums(codes_j, n_j, s * v_j)
        v -= g.T @ a_j + a_j.T @ g
        for l_idx, (codes_l, n_l, v_l, a_l) in enumerate(terms):
            v += a_j.T @ cross(("ss", j, l_idx), codes_j, n_j, codes_l, n_l,
                               lambda v_j=v_j, v_l=v_l: s * v_j * v_l) @ a_l
    # minus sum_h scale_h / n_h (sum_{i in h} r_i)(sum_{i in h} r_i)'
    n_strata = n_h.size
    r_h = steps.residual_sums("strata", design.strata, n_strata)
    v -= r_h.T @ ((scale_h / n_h)[:, None] * r_h)
    return v


def domain_variances(design, u, rows, dom, n_domains):
    """Variances of many domain estimates at once: the diagonal of :func:`domain_covariance`.

    Same parameters as :func:`domain_covariance`; each of the ``k`` columns of ``u`` is a
    separate statistic (an indicator), and only the variance of each statistic in each
    domain is formed, never the ``(n_domains k)^2`` covariances between statistics. Each
    column may have its own respondents (a zero influence value where a row did not
    answer), so the ``k`` indicators of a questionnaire and all the domains of a
    breakdown go through one pass over the data. Equal to the diagonal of
    :func:`domain_covariance` up to rounding; used when each row is its own PSU.

    Returns
    -------
    ndarray (n_domains, k)
    """
    blocks = domain_covariance_blocks(design, u, rows, dom, n_domains, block=1)
    return np.diagonal(blocks, axis1=1, axis2=2).T.copy()


def domain_covariance_blocks(design, u, rows, dom, n_domains, block=1):
    """The covariance of each group of ``block`` statistics across the domains, for many groups.

    ``u`` holds ``k`` groups of ``block`` consecutive columns (e.g. an indicator's
    influence values and its weights). For each group, the covariance of its ``block``
    statistics in all ``n_domains`` domains: the ``(n_domains block)^2`` block of
    :func:`domain_covariance` that concerns that group alone, the covariances between
    groups never formed. Every pass over the rows is done once for all the groups.

    Parameters
    ----------
    design, u, rows, dom, n_domains
        As for :func:`domain_covariance` (``u`` is ``(m, k block)``).
    block : int

    Returns
    -------
    ndarray (k, n_domains block, n_domains block)
        Indexed as :func:`domain_covariance`: domain-major, then the group's columns.
    """
    m, width = u.shape
    d, b = n_domains, block
    k = width // b
    db = d * b
    positions = np.arange(m)

    def block_sums(codes, n_groups, q):
        # sums of u (times q) by (group, domain), as (n_groups, k, d * block)
        idx = codes[rows] * d + dom if n_groups > 1 else dom
        values = np.ones(m) if q is None else q[rows]
        indicator = sparse.csr_matrix((values, (idx, positions)), shape=(n_groups * d, m))
        sums = np.asarray(indicator @ u).reshape(n_groups, d, k, b)
        return sums.transpose(0, 2, 1, 3).reshape(n_groups, k, db)

    def times(matrix, a):
        return np.einsum("gh,hkc->gkc", matrix, a)

    steps = _CalibrationTerms(design, block_sums, times)
    terms, cross = steps.terms, steps.cross

    n_h, f = design._stratum_sizes_and_fpc()
    scale_h = _stratum_scale(n_h, f)
    s = scale_h[design.strata]
    # sum_i s_i r_i r_i' with r = x - sum_j v_j A_j[c_j]; a row is in one domain only
    squares = sparse.csr_matrix((s[rows], (dom, positions)), shape=(d, m))
    grouped = u.reshape(m, k, b)
    products = (grouped[:, :, :, None] * grouped[:, :, None, :]).reshape(m, k * b * b)
    within = np.asarray(squares @ products).reshape(d, k, b, b)
    v = np.zeros((k, d, b, d, b))
    for e in range(d):
        v[:, e, :, e, :] = within[e]
    v = v.reshape(k, db, db)
    for j, (codes_j, n_j, v_j, a_j) in enumerate(terms):
        g = block_sums(codes_j, n_j, s * v_j)
        mixed = np.einsum("gkc,gke->kce", g, a_j)
        v -= mixed + mixed.transpose(0, 2, 1)
        for l_idx, (codes_l, n_l, v_l, a_l) in enumerate(terms):
            c = cross(("ss", j, l_idx), codes_j, n_j, codes_l, n_l,
                      lambda v_j=v_j, v_l=v_l: s * v_j * v_l)
            v += np.einsum("gkc,gke->kce", a_j, times(c, a_l))
    # minus sum_h scale_h / n_h (sum_{i in h} r_i)(sum_{i in h} r_i)'
    n_strata = n_h.size
    r_h = steps.residual_sums("strata", design.strata, n_strata)
    v -= np.einsum("h,hkc,hke->kce", scale_h / n_h, r_h, r_h)
    return v


class _CalibrationTerms:
    """A design's calibration steps as terms of the residuals, summed by (group, domain).

    Each calibration step replaces the influence functions by their residuals, so that
    after all of them ``r = x - sum_j v_j A_j[c_j]``; ``terms[j]`` is (codes ``c_j``,
    number of groups, multiplier ``v_j``, coefficients ``A_j``), built in the order the
    steps were applied. The callers hold the coefficients in their own shape:
    ``block_sums(codes, n_groups, q)`` sums the influence values (times ``q``, or 1 when
    ``None``) by (group, domain) in that shape, and ``apply(matrix, a)`` multiplies a
    ``(groups, groups')`` matrix by coefficients ``a`` of ``groups'`` rows.
    """

    def __init__(self, design, block_sums, apply):
        self.cache = design._cross_cache  # these matrices depend on the design only
        self.block_sums = block_sums
        self.apply = apply
        self.terms = []
        for step_index, step in enumerate(design.calibration):
            if isinstance(step, PostStratumStep):
                self._add_post_stratum(step_index, step)
            else:
                self._add_rake(step_index, step)

    def cross(self, key, codes_a, n_a, codes_b, n_b, z):
        """Sums of ``z()`` by (group a, group b), computed once per design and key."""
        if key not in self.cache:
            c = np.bincount(codes_a * n_b + codes_b, weights=z(), minlength=n_a * n_b)
            self.cache[key] = c.reshape(n_a, n_b)
        return self.cache[key]

    def residual_sums(self, key, codes, n_groups, q=None):
        """Sums by (group, domain) of the residuals of the terms so far, times ``q``."""
        out = self.block_sums(codes, n_groups, q)
        for j, (codes_j, n_j, v_j, a_j) in enumerate(self.terms):
            z = (lambda v_j=v_j: v_j) if q is None else (lambda v_j=v_j: q * v_j)
            out -= self.apply(self.cross((key, j), codes, n_groups, codes_j, n_j, z), a_j)
        return out

    def _add_post_stratum(self, step_index, step):
        grp = step.groups
        psw = step.weights_after.copy()
        oldw = step.weights_before
        psw[(psw == 0) & (oldw == 0)] = 1.0
        sums = self.residual_sums(("post", step_index), grp.codes, grp.n_groups, oldw / psw)
        self.terms.append((grp.codes, grp.n_groups, psw, _per_group(sums, grp.sum(oldw))))

    def _add_rake(self, step_index, step):
        totals = [self.residual_sums(("rake", step_index, i), grp.codes, grp.n_groups,
                                     1.0 / psw)
                  for i, (grp, psw) in enumerate(step.margins)]
        coef = [np.zeros_like(t) for t in totals]
        for _ in range(RAKING_PROJECTION_PASSES):
            for i, (grp, _psw) in enumerate(step.margins):
                current = totals[i].copy()
                for l_idx in range(len(step.margins)):
                    current -= self.apply(step._cross[i][l_idx], coef[l_idx])
                coef[i] += _per_group(current, grp.counts)
        self.terms.extend((grp.codes, grp.n_groups, psw, c)
                          for (grp, psw), c in zip(step.margins, coef))


def _per_group(sums, values):
    """``sums`` (groups first) divided by one value per group."""
    return sums / values.reshape(values.shape + (1,) * (sums.ndim - 1))


def _stratum_scale(n_h, f):
    lonely = (n_h == 1) & (f >= 1e-7)
    if np.any(lonely):
        raise ValueError(
            f"{int(lonely.sum())} stratum/strata with a single PSU: variance undefined "
            "(R's lonely.psu = 'fail')"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(f < 1e-7, 0.0, f * n_h / (n_h - 1))
