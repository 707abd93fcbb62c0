"""Each district against the rest of the town, and the correction for many comparisons.

Private module; the public names are re-exported by :mod:`analysis.crosstab`.

References
----------
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *JRSS B* 57,
289-300.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._missing import blank_as_missing
from ..estimation._domains import domains_of
from ..estimation._estimate import need_indicator
from ..weighting import Design, domain_covariance_blocks, linearised_variance
from ..weighting._margins import as_labels

__all__ = ["compare_domains", "compare_domains_many", "benjamini_hochberg"]


def compare_domains(df, design: Design, column, need=None, domain="district", *,
                    exclude=(), level=0.95):
    """Difference between each domain and the rest of the town.

    For each value ``d`` of ``domain``: the share (or mean) in ``d``, in the rest of
    the town, their difference, its standard error, interval and p-value. The
    difference and its standard error are those of R's ``svyglm(y ~ I(domain == d),
    design)`` (equal to the contrast of the two domain means); interval and p-value use
    Student's t on the model's residual degrees of freedom (design df minus 1).

    Parameters
    ----------
    df : DataFrame
    design : Design
    column : str
    need : iterable, optional
        Answer codes meaning the need is present; None for a 0/1 or numeric column.
    domain : str
    exclude : iterable
        Answers counted as no answer.
    level : float

    Returns
    -------
    DataFrame
        ``domain`` column, ``estimate, estimate_rest, difference, se, ci_low,
        ci_high, p_value, n, n_rest, df``. Adjust p-values across districts and
        indicators with :func:`benjamini_hochberg`.
    """
    design.check_frame(df)
    df = blank_as_missing(df, [column, domain])
    return _compare(df, design, [(column, need, exclude)], domains_of(df, domain), level)[0]


def compare_domains_many(df, design: Design, indicators, domain="district", *, level=0.95):
    """:func:`compare_domains` for many indicators: one frame, an ``indicator`` column first.

    Parameters
    ----------
    df : DataFrame
    design : Design
    indicators : iterable
        :class:`~analysis.crosstab.Indicator` objects, ``(name, column, need codes[,
        excluded codes])`` tuples or dicts, as for
        :func:`~analysis.crosstab.indicator_tables`.
    domain : str
    level : float

    Returns
    -------
    DataFrame
        ``indicator``, then the columns of :func:`compare_domains`, indicator by
        indicator: the same figures. The domains are formed once, and the standard
        errors of every indicator come from one pass over the data.
    """
    from ._tables import _as_indicator

    design.check_frame(df)
    indicators = [_as_indicator(spec) for spec in indicators]
    df = blank_as_missing(df, [*(spec.column for spec in indicators), domain])
    domains = domains_of(df, domain)
    parts = _compare(df, design, [(spec.column, list(spec.need), spec.exclude) for spec in indicators],
                     domains, level)
    for spec, part in zip(indicators, parts):
        part.insert(0, "indicator", spec.name)
    if not parts:
        return pd.DataFrame(columns=["indicator", domain, "estimate", "estimate_rest", "difference",
                                     "se", "ci_low", "ci_high", "p_value", "n", "n_rest", "df"])
    return pd.concat(parts, ignore_index=True)


def _values(df, column, need, exclude):
    """The 0/1 (or numeric) values of an indicator and the rows where it counts."""
    if need is None and not pd.api.types.is_bool_dtype(df[column]):
        y = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        valid = ~np.isnan(y)
        if exclude:
            valid &= ~as_labels(df[column]).isin({str(v) for v in exclude}).to_numpy()
        return np.where(valid, y, 0.0), valid
    return need_indicator(df[column], need, exclude)


def _compare(df, design, specs, domains, level):
    """One :func:`compare_domains` frame per ``(column, need, exclude)``."""
    d = domains.count
    figures = []
    for column, need, exclude in specs:
        y, valid = _values(df, column, need, exclude)
        valid = valid & (domains.codes >= 0)
        codes = np.where(valid, domains.codes, d)
        w = np.where(valid, design.weights, 0.0)
        w_d = np.bincount(codes, weights=w, minlength=d + 1)[:d]
        t_d = np.bincount(codes, weights=w * y, minlength=d + 1)[:d]
        w_rest, t_rest = w_d.sum() - w_d, t_d.sum() - t_d
        with np.errstate(divide="ignore", invalid="ignore"):
            p_d, p_rest = t_d / w_d, t_rest / w_rest
        figures.append((y, valid, codes, w, w_d, p_d, w_rest, p_rest))
    if design.rows_are_psus:
        ses = _difference_ses(design, domains.codes, d, figures)
    else:
        ses = [_dense_difference_se(design, domains.codes, *f[:2], f[3], f[4], f[5], f[6], f[7])
               for f in figures]
    out = []
    for (y, valid, codes, w, w_d, p_d, w_rest, p_rest), se in zip(figures, ses):
        dof = design.degrees_of_freedom(valid) - 1
        diff = p_d - p_rest
        tq = stats.t.ppf(0.5 + level / 2, dof)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_value = 2 * stats.t.sf(np.abs(diff / se), dof)
        n = np.bincount(codes, minlength=d + 1)[:d]
        frame = domains.keys.copy()
        frame["estimate"], frame["estimate_rest"], frame["difference"] = p_d, p_rest, diff
        frame["se"], frame["ci_low"], frame["ci_high"] = se, diff - tq * se, diff + tq * se
        frame["p_value"], frame["n"], frame["n_rest"], frame["df"] = p_value, n, n.sum() - n, dof
        out.append(frame)
    return out


def _dense_difference_se(design, domain_codes, y, valid, w, w_d, p_d, w_rest, p_rest):
    """The standard errors from the full n x d matrix of influence functions (clustered designs)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = -(w * valid)[:, None] * (y[:, None] - p_rest[None, :]) / w_rest[None, :]
    rows = np.flatnonzero(valid)
    x[rows, domain_codes[rows]] = w[rows] * (y[rows] - p_d[domain_codes[rows]]) / w_d[domain_codes[rows]]
    return np.sqrt(linearised_variance(design, x, blocks=1)[:, 0, 0])


def _difference_ses(design, domain_codes, d, figures):
    """Standard error of each domain's share minus the rest's, without the n x d matrices.

    The influence function of domain ``g`` against the rest is, on a row of domain
    ``e``: ``u_e`` (the row's influence on the share of ``e``) when ``e = g``, else
    ``-(W_e / W_rest) u_e - ((p_e - p_rest) / W_rest) w``. It is a fixed combination
    of the ``2 d`` domain-restricted columns ``u_e`` and ``w``, whose covariance
    (:func:`~analysis.weighting.domain_covariance_blocks`, every indicator in one pass)
    gives the variance of each difference as a quadratic form.
    """
    rows = np.flatnonzero(domain_codes >= 0)
    dom = domain_codes[rows]
    columns = []
    for y, valid, _codes, w, w_d, p_d, _w_rest, _p_rest in figures:
        inset = valid[rows] & (w_d[dom] > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            columns.append(np.where(inset, w[rows] * (y[rows] - p_d[dom]) / w_d[dom], 0.0))
        columns.append(np.where(valid[rows], w[rows], 0.0))
    if not columns:
        return []
    cov = domain_covariance_blocks(design, np.column_stack(columns), rows, dom, d, block=2)
    out = []
    own = np.arange(d)
    for j, (_y, _valid, _codes, _w, w_d, p_d, w_rest, p_rest) in enumerate(figures):
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(w_d[None, :] > 0, -w_d[None, :] / w_rest[:, None], 0.0)
            level = np.where(w_d[None, :] > 0, -(p_d[None, :] - p_rest[:, None]) / w_rest[:, None], 0.0)
        coef = np.empty((d, 2 * d))
        coef[:, 0::2], coef[:, 1::2] = share, level
        coef[own, 2 * own], coef[own, 2 * own + 1] = 1.0, 0.0
        variance = np.einsum("gi,ij,gj->g", coef, cov[j], coef)
        out.append(np.sqrt(np.maximum(variance, 0.0)))
    return out


def benjamini_hochberg(pvalues):
    """Benjamini-Hochberg adjusted p-values (R ``p.adjust(p, "BH")``).

    Missing p-values stay missing and do not count among the comparisons, as in R.
    Pass every p-value of a family (all districts x all indicators) in one call.

    Parameters
    ----------
    pvalues : array-like or Series

    Returns
    -------
    ndarray or Series (same index)

    References
    ----------
    Benjamini & Hochberg (1995).
    """
    index = pvalues.index if isinstance(pvalues, pd.Series) else None
    p = np.asarray(pvalues, dtype=float)
    shape = p.shape
    p = p.ravel()
    out = np.full(p.size, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m:
        order = np.argsort(-q, kind="stable")
        ranks = np.arange(m, 0, -1)
        adjusted = np.minimum.accumulate(m / ranks * q[order])
        result = np.empty(m)
        result[order] = np.minimum(adjusted, 1.0)
        out[ok] = result
    out = out.reshape(shape)
    return pd.Series(out, index=index, name=getattr(pvalues, "name", None)) \
        if index is not None else out
