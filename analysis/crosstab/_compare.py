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
from ..weighting import Design, linearised_variance
from ..weighting._margins import as_labels

__all__ = ["compare_domains", "benjamini_hochberg"]


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
    if need is None and not pd.api.types.is_bool_dtype(df[column]):
        y = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        valid = ~np.isnan(y)
        if exclude:
            valid &= ~as_labels(df[column]).isin({str(v) for v in exclude}).to_numpy()
        y = np.where(valid, y, 0.0)
    else:
        y, valid = need_indicator(df[column], need, exclude)
    domains = domains_of(df, domain)
    valid &= domains.codes >= 0
    d = domains.count
    codes = np.where(valid, domains.codes, d)
    w = np.where(valid, design.weights, 0.0)
    w_d = np.bincount(codes, weights=w, minlength=d + 1)[:d]
    t_d = np.bincount(codes, weights=w * y, minlength=d + 1)[:d]
    w_rest, t_rest = w_d.sum() - w_d, t_d.sum() - t_d
    with np.errstate(divide="ignore", invalid="ignore"):
        p_d, p_rest = t_d / w_d, t_rest / w_rest
        x = -(w * valid)[:, None] * (y[:, None] - p_rest[None, :]) / w_rest[None, :]
    rows = np.flatnonzero(valid)
    x[rows, domains.codes[rows]] = w[rows] * (y[rows] - p_d[domains.codes[rows]]) / \
        w_d[domains.codes[rows]]
    se = np.sqrt(linearised_variance(design, x, blocks=1)[:, 0, 0])
    dof = design.degrees_of_freedom(valid) - 1
    diff = p_d - p_rest
    tq = stats.t.ppf(0.5 + level / 2, dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(diff / se), dof)
    n = np.bincount(codes, minlength=d + 1)[:d]
    out = domains.keys.copy()
    out["estimate"], out["estimate_rest"], out["difference"] = p_d, p_rest, diff
    out["se"], out["ci_low"], out["ci_high"] = se, diff - tq * se, diff + tq * se
    out["p_value"], out["n"], out["n_rest"], out["df"] = p_value, n, n.sum() - n, dof
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
