"""Vectorised estimation in every domain of a ``by`` variable at once (private).

All domains of a ``by`` variable are estimated at once: the influence functions of the
D domain estimates are the columns of one matrix (zero outside their domain, as R's
``svyby`` does by giving a weight of zero to the rows outside a domain of a calibrated
design), projected on the calibration steps, then turned into the variance with one
pass over the data. No Python loop runs over respondents.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..weighting import Design, domain_covariance, linearised_variance

__all__ = ["Domains", "DomainEstimates", "domains_of", "estimate_domains"]

#: Columns of influence functions processed at once, to bound memory on big samples.
MAX_BLOCK_COLUMNS = 96


@dataclass
class Domains:
    """Domain code per row (-1: in no domain) and the domains' labels."""

    codes: np.ndarray
    keys: pd.DataFrame

    @property
    def count(self):
        """Number of domains."""
        return len(self.keys)


def domains_of(df, by):
    """Domains formed by the crossing of the ``by`` columns (sorted, NA dropped)."""
    if by is None or (not isinstance(by, str) and len(by) == 0):
        return Domains(np.zeros(len(df), dtype=np.intp), pd.DataFrame(index=[0]))
    by = [by] if isinstance(by, str) else list(by)
    if len(by) == 1 and not isinstance(df[by[0]].dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(df[by[0]], sort=True, use_na_sentinel=True)
        return Domains(codes.astype(np.intp), pd.DataFrame({by[0]: uniques}))
    grouped = df.groupby(by, sort=True, dropna=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    codes = np.where(np.isnan(codes.astype(float)), -1, codes).astype(np.intp)
    keys = grouped.size().reset_index()[by]
    return Domains(codes, keys)


@dataclass
class DomainEstimates:
    """Estimates of k statistics in each of d domains.

    Attributes
    ----------
    estimate : ndarray (d, k)
    cov : ndarray (d, k, k)
        Covariance of each domain's k estimates.
    n : ndarray (d,)
        Respondents in the domain with a valid answer.
    n_rows : ndarray (d,)
        Rows in the domain, answered or not.
    weight_total : ndarray (d,)
    degf : ndarray (d,)
        Design degrees of freedom of the domain (R's ``degf`` of the subset).
    """

    estimate: np.ndarray
    cov: np.ndarray
    n: np.ndarray
    n_rows: np.ndarray
    weight_total: np.ndarray
    _degf: object

    @property
    def degf(self):
        """Design degrees of freedom per domain (computed on first use)."""
        if callable(self._degf):
            self._degf = self._degf()
        return self._degf

    @property
    def se(self):
        """Standard errors, shape (d, k)."""
        return np.sqrt(np.maximum(np.diagonal(self.cov, axis1=1, axis2=2), 0.0))


def estimate_domains(design: Design, y, valid, domains: Domains, statistic="mean"):
    """Means or totals of the columns of ``y`` in every domain, with covariances.

    Parameters
    ----------
    design : Design
    y : ndarray (n, k)
        Values; rows where ``valid`` is False are ignored (R's ``na.rm = TRUE``).
    valid : ndarray (n,) of bool
    domains : Domains
    statistic : {"mean", "total"}

    Returns
    -------
    DomainEstimates
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    n, k = y.shape
    d = domains.count
    codes = domains.codes
    inset = np.asarray(valid, dtype=bool) & (codes >= 0)
    group = np.where(codes >= 0, codes, d)
    w = np.where(inset, design.weights, 0.0)
    y = np.where(inset[:, None], y, 0.0)
    weight_total = np.bincount(group, weights=w, minlength=d + 1)[:d]
    sums = np.column_stack([np.bincount(group, weights=w * col, minlength=d + 1)[:d]
                            for col in y.T]) if k else np.zeros((d, 0))
    if statistic == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = sums / weight_total[:, None]
    else:
        estimate = sums
    rows = np.flatnonzero(inset)
    if design.rows_are_psus:
        dom = codes[rows]
        if statistic == "mean":
            u = w[rows, None] * (y[rows] - estimate[dom]) / weight_total[dom, None]
        else:
            u = w[rows, None] * y[rows]
        full = domain_covariance(design, u, rows, dom, d)
        cov = np.stack([full[i * k:(i + 1) * k, i * k:(i + 1) * k] for i in range(d)]) \
            if d else np.zeros((0, k, k))
        return _finish(design, codes, group, inset, d, estimate, cov, weight_total)
    cov = np.zeros((d, k, k))
    per_block = max(1, MAX_BLOCK_COLUMNS // max(k, 1))
    for start in range(0, d, per_block):
        stop = min(d, start + per_block)
        chunk = rows[(codes[rows] >= start) & (codes[rows] < stop)]
        local = codes[chunk] - start
        x = np.zeros((n, (stop - start) * k))
        cols = local[:, None] * k + np.arange(k)
        if statistic == "mean":
            values = (w[chunk, None] * (y[chunk] - estimate[codes[chunk]])
                      / weight_total[codes[chunk], None])
        else:
            values = w[chunk, None] * y[chunk]
        x[chunk[:, None], cols] = values
        cov[start:stop] = linearised_variance(design, x, blocks=k)
    return _finish(design, codes, group, inset, d, estimate, cov, weight_total)


def _finish(design, codes, group, inset, d, estimate, cov, weight_total):
    n_valid = np.bincount(group[inset], minlength=d + 1)[:d]
    n_rows = np.bincount(group, minlength=d + 1)[:d]
    return DomainEstimates(estimate, cov, n_valid, n_rows, weight_total,
                           lambda: design.domain_degrees_of_freedom(codes, d))
