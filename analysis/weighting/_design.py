"""Survey design, following R's ``survey`` package.

A :class:`Design` holds what R's ``svydesign()`` object holds for a one-stage design:
weights, strata, primary sampling units (PSU), the finite population correction and the
calibration steps (post-stratification, raking) applied to the weights. The variance
of estimators on a design is in :mod:`analysis.weighting._variance`.

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

from .._missing import blank_as_missing

__all__ = ["Design", "Grouping", "PostStratumStep", "RakingStep", "RAKING_PROJECTION_PASSES"]

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
        df = blank_as_missing(df, [c for c in (weights, strata, clusters, fpc)
                                   if isinstance(c, str)])

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
        # counted with bincount: np.unique sorts or hashes every row, 60 times per table
        n_strata = int(np.count_nonzero(np.bincount(self.strata[inset], minlength=1)))
        if self.rows_are_psus:
            return int(np.count_nonzero(inset)) - n_strata
        return int(np.count_nonzero(np.bincount(self.psu[inset], minlength=1))) - n_strata

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
