"""Survey design and linearised variance, following R's ``survey`` package.

A :class:`Design` holds what R's ``svydesign()`` object holds for a one-stage design:
weights, strata, primary sampling units (PSU), the finite population correction and the
calibration steps (post-stratification, raking) applied to the weights. The variance
function :func:`linearised_variance` reproduces ``survey:::svyrecvar``: influence
functions are first projected on each calibration step, in the order they were applied,
then the usual with-replacement-within-stratum variance of PSU totals is taken.

References
----------
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2 and 7.
Lumley T (2024). survey: analysis of complex survey samples. R package version 4.x,
functions ``svydesign``, ``svyrecvar``, ``onestrat``, ``postStratify``, ``rake``.
Deville J-C, Särndal C-E (1992). Calibration estimators in survey sampling. *JASA* 87,
376-382.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["Design", "Grouping", "PostStratumStep", "RakingStep", "linearised_variance",
           "domain_covariance"]

#: Number of passes R's ``svyrecvar`` makes when projecting on raking margins.
RAKING_PROJECTION_PASSES = 10


class Grouping:
    """Integer group codes ``0..n_groups-1`` with fast group sums."""

    def __init__(self, codes, n_groups=None):
        self.codes = np.asarray(codes, dtype=np.intp)
        self.n_groups = int(n_groups if n_groups is not None else self.codes.max() + 1)
        self.counts = np.bincount(self.codes, minlength=self.n_groups)

    @cached_property
    def _indicator(self):
        n = self.codes.size
        return sparse.csr_matrix(
            (np.ones(n), (self.codes, np.arange(n))), shape=(self.n_groups, n)
        )

    def sum(self, x):
        """Sum the rows of ``x`` (vector or matrix) within each group."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            return np.bincount(self.codes, weights=x, minlength=self.n_groups)
        if x.shape[1] <= 2:
            return np.column_stack(
                [np.bincount(self.codes, weights=col, minlength=self.n_groups) for col in x.T]
            )
        return np.asarray(self._indicator @ x)


@dataclass(eq=False)
class PostStratumStep:
    """One post-stratification: R's ``postStratify`` entry in ``design$postStrata``.

    ``weights_before`` and ``weights_after`` are R's ``oldweights`` and ``weights``
    attributes; they stay fixed if the weights are later trimmed, as in R.
    """

    groups: Grouping
    weights_before: np.ndarray
    weights_after: np.ndarray
    variables: tuple[str, ...] = ()

    def residuals(self, x):
        """Project influence functions ``x`` (n x k) off the post-strata."""
        psw = self.weights_after.copy()
        oldw = self.weights_before
        psw[(psw == 0) & (oldw == 0)] = 1.0
        means = self.groups.sum(x * (oldw / psw)[:, None]) / self.groups.sum(oldw)[:, None]
        return x - means[self.groups.codes] * psw[:, None]


@dataclass(eq=False)
class RakingStep:
    """Raking on several margins: R's ``rake`` entry (class ``"raking"``).

    ``margins`` pairs each margin's grouping with the weights just after that margin
    was matched in the last raking pass (R keeps exactly these).
    """

    margins: list[tuple[Grouping, np.ndarray]]
    variables: tuple[str, ...] = ()

    @cached_property
    def _cross(self):
        # C[m][l][g, h] = sum over units in group g of margin m and h of margin l of
        # psw_l / psw_m: it lets the 10 projection passes run on small matrices.
        cross = []
        for grp_m, psw_m in self.margins:
            row = []
            for grp_l, psw_l in self.margins:
                combined = grp_m.codes * grp_l.n_groups + grp_l.codes
                c = np.bincount(combined, weights=psw_l / psw_m,
                                minlength=grp_m.n_groups * grp_l.n_groups)
                row.append(c.reshape(grp_m.n_groups, grp_l.n_groups))
            cross.append(row)
        return cross

    def residuals(self, x):
        """Project ``x`` off the margins as ``svyrecvar`` does (10 raking passes).

        R runs ``x <- x - psw * ave(x / psw, margin)`` for each margin, 10 times. That
        map is linear, so we carry one coefficient per margin category instead of the
        n x k matrix; the result is the same up to rounding.
        """
        totals = [grp.sum(x / psw[:, None]) for grp, psw in self.margins]
        coef = [np.zeros((grp.n_groups, x.shape[1])) for grp, _ in self.margins]
        cross = self._cross
        for _ in range(RAKING_PROJECTION_PASSES):
            for m, (grp, _psw) in enumerate(self.margins):
                current = totals[m].copy()
                for l_idx in range(len(self.margins)):
                    current -= cross[m][l_idx] @ coef[l_idx]
                coef[m] += current / grp.counts[:, None]
        out = x.copy()
        for (grp, psw), c in zip(self.margins, coef):
            out -= psw[:, None] * c[grp.codes]
        return out


@dataclass(eq=False)
class Design:
    """A one-stage survey design: R's ``svydesign(ids, strata, weights, fpc)``.

    Build it with :meth:`from_frame`; weighting functions return a new design whose
    ``calibration`` lists the steps needed for calibration-aware standard errors.

    Attributes
    ----------
    weights : ndarray
        Sampling (or calibrated) weights, one per row.
    strata : ndarray of int
        Stratum code per row (all zero when unstratified).
    psu : ndarray of int
        Primary sampling unit code per row, unique across strata.
    popsize : ndarray or None
        Number of PSUs in the population of the row's stratum (finite population
        correction), or None for sampling with replacement.
    calibration : tuple
        :class:`PostStratumStep` / :class:`RakingStep`, in the order applied.
    """

    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    popsize: np.ndarray | None = None
    calibration: tuple = ()
    index: pd.Index | None = field(default=None, repr=False)

    @classmethod
    def from_frame(cls, df, weights=None, strata=None, clusters=None, fpc=None):
        """Describe how ``df`` was sampled, as R's ``svydesign`` does.

        Parameters
        ----------
        df : DataFrame
            One row per response.
        weights : str, array-like or None
            Column name or values of the sampling weights. When None, weights are
            ``popsize / n_PSU`` within strata if ``fpc`` is given, else 1.
        strata, clusters : str, array-like or None
            Stratum and PSU (first-stage cluster) identifiers. Clusters are nested in
            strata (R's ``nest=TRUE``). None means unstratified / one row per PSU.
        fpc : str, array-like or None
            Population number of PSUs per stratum, or the sampling fraction when all
            values are <= 1 (R's convention).

        Returns
        -------
        Design
        """
        n = len(df)

        def column(spec):
            if spec is None:
                return None
            values = df[spec] if isinstance(spec, str) else pd.Series(np.asarray(spec))
            if len(values) != n:
                raise ValueError(f"design column has {len(values)} values for {n} rows")
            if values.isna().any():
                raise ValueError(f"design column {spec!r} has missing values")
            return values.to_numpy()

        strata_values = column(strata)
        strata_codes = (np.zeros(n, dtype=np.intp) if strata_values is None
                        else pd.factorize(strata_values, sort=True)[0].astype(np.intp))
        cluster_values = column(clusters)
        if cluster_values is None:
            psu = np.arange(n, dtype=np.intp)
        else:
            pairs = pd.MultiIndex.from_arrays([strata_codes, cluster_values])
            psu = pd.factorize(pairs, sort=True)[0].astype(np.intp)
        n_psu = _psu_per_stratum(strata_codes, psu)[strata_codes]

        fpc_values = column(fpc)
        popsize = None
        if fpc_values is not None:
            fpc_values = fpc_values.astype(float)
            popsize = n_psu / fpc_values if np.all(fpc_values <= 1) else fpc_values
            if np.any(popsize < n_psu):
                raise ValueError("fpc is smaller than the number of sampled PSUs")

        weight_values = column(weights)
        if weight_values is not None:
            w = weight_values.astype(float)
        elif popsize is not None:
            w = popsize / n_psu
        else:
            w = np.ones(n)
        if np.any(~np.isfinite(w)) or np.any(w <= 0):
            raise ValueError("sampling weights must be finite and positive")
        return cls(weights=w, strata=strata_codes, psu=psu, popsize=popsize,
                   index=df.index)

    @property
    def n(self):
        """Number of rows (responses)."""
        return self.weights.size

    @property
    def is_calibrated(self):
        """True when weights were post-stratified or raked (R's ``is.calibrated``)."""
        return bool(self.calibration)

    def with_weights(self, weights, calibration=None):
        """Return a copy with new weights (and optionally new calibration steps)."""
        weights = np.asarray(weights, dtype=float)
        if weights.shape != self.weights.shape:
            raise ValueError("new weights must have one value per row")
        return replace(self, weights=weights,
                       calibration=self.calibration if calibration is None else calibration)

    def check_frame(self, df):
        """Raise if ``df`` does not have one row per design row."""
        if len(df) != self.n:
            raise ValueError(f"the data has {len(df)} rows but the design {self.n}")

    @cached_property
    def _cross_cache(self):
        return {}

    @cached_property
    def rows_are_psus(self):
        """True when there are no clusters: every row is its own PSU."""
        return bool(self.psu.max() + 1 == self.n
                    and np.array_equal(self.psu, np.arange(self.n)))

    def _stratum_sizes_and_fpc(self):
        n_h = self._n_psu_stratum.astype(float)
        if self.popsize is None:
            return n_h, np.ones(n_h.size)
        pop = np.zeros(n_h.size)
        pop[self.strata] = self.popsize
        return n_h, np.where(np.isinf(pop), 1.0, (pop - n_h) / pop)

    @cached_property
    def _n_psu_stratum(self):
        return _psu_per_stratum(self.strata, self.psu)

    @cached_property
    def _psu_stratum(self):
        out = np.empty(self.psu.max() + 1, dtype=np.intp)
        out[self.psu] = self.strata
        return out

    @cached_property
    def _psu_grouping(self):
        return Grouping(self.psu)

    def degrees_of_freedom(self, mask=None):
        """Design degrees of freedom: PSUs minus strata (R's ``degf``).

        Only rows in ``mask`` with a non-zero weight count, as for an R subset.
        """
        inset = self.weights != 0
        if mask is not None:
            inset &= np.asarray(mask, dtype=bool)
        return int(np.unique(self.psu[inset]).size - np.unique(self.strata[inset]).size)

    def domain_degrees_of_freedom(self, domain_codes, n_domains):
        """Vector of :meth:`degrees_of_freedom` for each domain code (-1 = none)."""
        inset = (self.weights != 0) & (domain_codes >= 0)
        d = domain_codes[inset]
        if self.rows_are_psus:
            n_psu = np.bincount(d, minlength=n_domains)
        else:
            n_psu = _count_unique_pairs(d, self.psu[inset], n_domains)
        n_strata = _count_unique_pairs(d, self.strata[inset], n_domains)
        return n_psu - n_strata


def _psu_per_stratum(strata, psu):
    return np.bincount(strata[np.unique(psu, return_index=True)[1]])


def _count_unique_pairs(a, b, n_a):
    if a.size == 0:
        return np.zeros(n_a, dtype=int)
    n_b = int(b.max()) + 1
    if n_a * n_b <= 50_000_000:
        present = np.bincount(a * n_b + b, minlength=n_a * n_b) > 0
        return present.reshape(n_a, n_b).sum(axis=1)
    pairs = np.unique(a.astype(np.int64) * n_b + b)
    return np.bincount(pairs // n_b, minlength=n_a)


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

    cache = design._cross_cache  # these matrices depend on the design only

    def cross(key, codes_a, n_a, codes_b, n_b, z):
        if key not in cache:
            c = np.bincount(codes_a * n_b + codes_b, weights=z(), minlength=n_a * n_b)
            cache[key] = c.reshape(n_a, n_b)
        return cache[key]

    terms = []  # (codes, n_groups, multiplier, coefficients): residual = x - sum v A[c]

    def residual_sums(key, codes, n_groups, q):
        out = block_sums(codes, n_groups, q)
        for j, (codes_j, n_j, v_j, a_j) in enumerate(terms):
            out -= cross((key, j), codes, n_groups, codes_j, n_j,
                         lambda v_j=v_j: q * v_j) @ a_j
        return out

    for step_index, step in enumerate(design.calibration):
        if isinstance(step, PostStratumStep):
            grp = step.groups
            psw = step.weights_after.copy()
            oldw = step.weights_before
            psw[(psw == 0) & (oldw == 0)] = 1.0
            means = residual_sums(("post", step_index), grp.codes, grp.n_groups,
                                  oldw / psw) / \
                grp.sum(oldw)[:, None]
            terms.append((grp.codes, grp.n_groups, psw, means))
        else:
            totals = [residual_sums(("rake", step_index, i), grp.codes, grp.n_groups,
                                    1.0 / psw)
                      for i, (grp, psw) in enumerate(step.margins)]
            coef = [np.zeros((grp.n_groups, dk)) for grp, _ in step.margins]
            for _ in range(RAKING_PROJECTION_PASSES):
                for i, (grp, _psw) in enumerate(step.margins):
                    current = totals[i].copy()
                    for l_idx in range(len(step.margins)):
                        current -= step._cross[i][l_idx] @ coef[l_idx]
                    coef[i] += current / grp.counts[:, None]
            terms.extend((grp.codes, grp.n_groups, psw, c)
                         for (grp, psw), c in zip(step.margins, coef))

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
    r_h = block_sums(design.strata, n_strata, None)
    for j, (codes_j, n_j, v_j, a_j) in enumerate(terms):
        r_h -= cross(("strata", j), design.strata, n_strata, codes_j, n_j,
                     lambda v_j=v_j: v_j) @ a_j
    v -= r_h.T @ ((scale_h / n_h)[:, None] * r_h)
    return v


def _stratum_scale(n_h, f):
    lonely = (n_h == 1) & (f >= 1e-7)
    if np.any(lonely):
        raise ValueError(
            f"{int(lonely.sum())} stratum/strata with a single PSU: variance undefined "
            "(R's lonely.psu = 'fail')"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(f < 1e-7, 0.0, f * n_h / (n_h - 1))
