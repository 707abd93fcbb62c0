"""Vectorised domain estimation and confidence intervals (private).

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
from scipy import special, stats

from ._design import Design, domain_covariance, linearised_variance

__all__ = ["Domains", "DomainEstimates", "domains_of", "estimate_domains",
           "ci_logit", "ci_beta", "ci_wilson", "ci_wald", "PROPORTION_CI_METHODS"]

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


def _t(level, df):
    df = np.asarray(df, dtype=float)
    return stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, np.nan))


def ci_wald(p, se, df, level=0.95, **_):
    """Symmetric interval ``p +/- t(df) se`` (R ``svyciprop(method = "mean")``)."""
    half = _t(level, df) * se
    return p - half, p + half


def ci_logit(p, se, df, level=0.95, **_):
    """Logit interval, R ``svyciprop(method = "logit")``.

    ``expit(logit(p) +/- t(df) se / (p (1 - p)))``: the Wald interval of the intercept
    of a quasi-binomial ``svyglm``, whose standard error is the delta-method one.
    Undefined (NaN) when p is 0 or 1.
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _t(level, df) * se / (p * (1 - p))
        centre = special.logit(p)
        low, high = special.expit(centre - half), special.expit(centre + half)
    degenerate = (p <= 0) | (p >= 1)
    return np.where(degenerate, np.nan, low), np.where(degenerate, np.nan, high)


def ci_beta(p, se, df, level=0.95, n_rows=None, **_):
    """Korn-Graubard beta interval, R ``svyciprop(method = "beta")``.

    The effective sample size ``p (1 - p) / var`` is multiplied by
    ``(t(n_rows - 1) / t(df))**2`` and used in Clopper-Pearson limits. ``n_rows`` is
    R's ``nrow(design)`` of the (domain) design.
    """
    p = np.asarray(p, dtype=float)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / np.asarray(se, dtype=float) ** 2
        n_eff = n_eff * (stats.t.ppf(alpha / 2, np.asarray(n_rows, dtype=float) - 1)
                         / stats.t.ppf(alpha / 2, np.asarray(df, dtype=float))) ** 2
        low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return low, high


def ci_wilson(p, se, df, level=0.95, **_):
    """Wilson score interval on the effective sample size (no R equivalent).

    With ``n* = p (1 - p) / var`` (Kish's effective sample size of the estimate) and
    ``z = t(df)``, the limits are ``(p + z^2/(2 n*) -/+ z sqrt(p (1 - p)/n* +
    z^2/(4 n*^2))) / (1 + z^2/n*)``, Kott & Carr (1997). R's survey package offers no
    Wilson interval; it is tested against this formula.
    """
    p = np.asarray(p, dtype=float)
    z = _t(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / np.asarray(se, dtype=float) ** 2
        denom = 1 + z**2 / n_eff
        centre = (p + z**2 / (2 * n_eff)) / denom
        half = z * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2)) / denom
    return centre - half, centre + half


PROPORTION_CI_METHODS = {"logit": ci_logit, "beta": ci_beta, "wilson": ci_wilson,
                         "wald": ci_wald}
