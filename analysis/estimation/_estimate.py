"""Design-based estimation: means, shares, totals and proportions, by domain.

Point estimates and linearised standard errors reproduce R's ``survey`` package:
``svymean``, ``svytotal``, ``svyby`` and ``svyciprop``, including after ``rake()`` or
``postStratify()`` (influence functions are projected on the calibration, Lumley 2010
section 7.4) and for domains (rows outside a domain keep their place with a zero
contribution, so domain standard errors account for the random domain size).
Every figure comes with its unweighted count of respondents.

References
----------
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Binder DA (1983). On the variances of asymptotically normal estimators from complex
surveys. *Int. Stat. Rev.* 51, 279-292.
Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
Kott PS, Carr DA (1997). Developing an estimation strategy for a pesticide data
program. *J. Official Statistics* 13, 367-383 (Wilson interval with effective n).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._missing import blank_as_missing
from ..weighting import Design, domain_variances
from ..weighting._margins import as_labels, label_codes
from ._domains import domains_of, estimate_domains
from ._intervals import proportion_interval

__all__ = ["survey_mean", "survey_total", "survey_proportion", "is_categorical",
           "THIN_WARNING_FR", "THIN_BELOW"]

#: Domains with fewer respondents (or no degree of freedom) have no usable variance.
THIN_BELOW = 2
#: Written in the ``warning`` column beside such an estimate.
THIN_WARNING_FR = "effectif trop faible pour une estimation fiable"


def _used_columns(*names):
    out = []
    for name in names:
        if name is None:
            continue
        out.extend([name] if isinstance(name, str) else list(name))
    return out


def thin_domains(n, degf):
    """Domains whose variance cannot be estimated: under 2 respondents or no df.

    A domain of one respondent has a standard error of 0 and an interval of zero
    width: that is no finding, so its ``se`` and interval are blanked and it is
    flagged ``thin`` with :data:`THIN_WARNING_FR`.
    """
    return (np.asarray(n) < THIN_BELOW) | (np.asarray(degf, dtype=float) < 1)


def _flag_thin(frame, thin):
    for col in ("se", "ci_low", "ci_high"):
        frame[col] = np.where(thin, np.nan, frame[col])
    frame["thin"] = thin
    frame["warning"] = pd.Series(np.where(thin, THIN_WARNING_FR, None), dtype=object,
                                 index=frame.index)
    return frame


def is_categorical(series):
    """True when a column is analysed as categories (text, categorical dtype).

    Numeric and boolean columns are analysed as numbers: their mean of a 0/1 or
    True/False column is the share of 1 / True.
    """
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _categories(series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories]
    return sorted(set(label_codes(series)[1]))


def category_codes(series):
    """Code of each row's category (-1 when missing) and the ordered categories."""
    codes, text = label_codes(series)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in series.cat.categories]
    else:
        cats = sorted(set(text))
    position = {c: i for i, c in enumerate(cats)}
    remap = np.array([position[t] for t in text] + [-1], dtype=np.intp)
    return remap[codes], cats


def _one_hot(series):
    codes, cats = category_codes(series)
    valid = codes >= 0
    y = np.zeros((codes.size, len(cats)))
    y[np.flatnonzero(valid), codes[valid]] = 1.0
    return y, valid, cats


def _estimate(df, design, column, by, na_rm, level, statistic):
    design.check_frame(df)
    df = blank_as_missing(df, _used_columns(column, by))
    series = df[column]
    domains = domains_of(df, by)
    categorical = is_categorical(series)
    if categorical:
        y, valid, cats = _one_hot(series)
    else:
        y = series.to_numpy(dtype=float, na_value=np.nan)[:, None]
        valid = ~np.isnan(y[:, 0])
        cats = [None]
    est = estimate_domains(design, y, valid, domains, statistic)
    estimate, se = est.estimate, est.se
    if not na_rm:
        missing = np.bincount(np.where(domains.codes >= 0, domains.codes, domains.count),
                              weights=~valid, minlength=domains.count + 1)[:domains.count]
        estimate = np.where(missing[:, None] > 0, np.nan, estimate)
        se = np.where(missing[:, None] > 0, np.nan, se)
    z = stats.norm.ppf(0.5 + level / 2)
    d, k = estimate.shape
    # Domain-major, category-minor rows: the order of R's svyby printout.
    which = np.repeat(np.arange(d), k)
    columns = {col: domains.keys[col].to_numpy()[which] for col in domains.keys.columns}
    if categorical:
        columns["category"] = np.array(cats, dtype=object)[np.tile(np.arange(k), d)]
    columns["estimate"] = estimate.ravel()
    columns["se"] = se.ravel()
    columns["ci_low"] = columns["estimate"] - z * columns["se"]
    columns["ci_high"] = columns["estimate"] + z * columns["se"]
    columns["n"] = est.n[which]
    if categorical:
        in_domain = valid & (domains.codes >= 0)
        cat_codes = np.argmax(y[in_domain], axis=1)
        columns["n_category"] = np.bincount(domains.codes[in_domain] * k + cat_codes,
                                            minlength=d * k)
    return _flag_thin(pd.DataFrame(columns), thin_domains(est.n, est.degf)[which])


def survey_mean(df, design: Design, column, by=None, *, na_rm=True, level=0.95):
    """Weighted mean of a numeric column, or shares of a categorical one, by domain.

    Parameters
    ----------
    df : DataFrame
        One row per response, in the design's row order.
    design : Design
        From :meth:`Design.from_frame` or a weighting result's ``design``.
    column : str
        Numeric (mean; for 0/1 or boolean, the share of 1) or categorical (the share
        of each category).
    by : str or list of str, optional
        Domain variables (R's ``svyby``); rows with a missing domain are left out.
    na_rm : bool
        Leave out missing answers (R's ``na.rm = TRUE``). When False, a domain with a
        missing answer gets NaN, as in R.
    level : float
        Confidence level of the normal-theory interval (R's ``confint``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``category`` (categorical columns only), ``estimate, se,
        ci_low, ci_high`` and ``n`` (respondents with an answer in the domain), plus
        ``n_category`` for categorical columns; ``thin`` (no usable variance: under 2
        respondents or no degree of freedom; ``se`` and the interval are then NaN) and
        ``warning`` (:data:`THIN_WARNING_FR` for thin domains, else None).

    Notes
    -----
    R: ``svymean(~column, design, na.rm = TRUE)`` or ``svyby(~column, ~by, design,
    svymean, na.rm = TRUE)``. Empty or blank answers count as missing. R reports a
    standard error of 0 for a domain of one respondent; here it is blanked and flagged.

    References
    ----------
    Lumley (2010), sections 2.2 and 3.4.
    """
    return _estimate(df, design, column, by, na_rm, level, "mean")


def survey_total(df, design: Design, column, by=None, *, na_rm=True, level=0.95):
    """Weighted total of a numeric column, or of each category, by domain.

    Same parameters and result shape as :func:`survey_mean`.

    Notes
    -----
    R: ``svytotal(~column, design, na.rm = TRUE)`` or ``svyby(..., svytotal)``.
    """
    return _estimate(df, design, column, by, na_rm, level, "total")


def need_indicator(series, need=None, exclude=()):
    """0/1 values of "has the need" and the rows where the question counts.

    Parameters
    ----------
    series : Series
    need : iterable, optional
        Answer codes meaning the need is present. None: the column must be 0/1 or
        boolean.
    exclude : iterable
        Answer codes treated as missing (e.g. "don't know").

    Returns
    -------
    y : ndarray of float
    valid : ndarray of bool
    """
    codes, text = label_codes(series)
    excluded = {_label_of(v) for v in exclude}
    is_excluded = np.array([t in excluded for t in text] + [True])
    valid = ~is_excluded[codes]
    if need is None:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = valid & ~np.isin(values, (0.0, 1.0))
        if bad.any():
            raise ValueError(f"column {series.name!r} is not 0/1: give the need codes")
        return np.where(valid, values, 0.0), valid
    needed = {_label_of(v) for v in need}
    has_need = np.array([t in needed for t in text] + [False], dtype=float)
    return has_need[codes], valid


def _label_of(value):
    return as_labels(pd.Series([value])).iloc[0]


def proportion_table(design, y, valid, domains, method="logit", level=0.95):
    """Shares with their interval for each domain (shared with the cross-tables)."""
    interval = proportion_interval(method)
    est = estimate_domains(design, y, valid, domains, "mean")
    p, se = est.estimate[:, 0], est.se[:, 0]
    # R's nrow(design) for a domain: all rows when calibrated (rows outside get a zero
    # weight), the domain's rows otherwise (the design is subset).
    n_rows = np.full(domains.count, design.n) if design.is_calibrated else est.n_rows
    low, high = interval(p, se, est.degf, level=level, n_rows=n_rows)
    n_need = np.bincount(domains.codes[valid & (domains.codes >= 0) & (y > 0)],
                         minlength=domains.count)
    return p, se, low, high, est.n, n_need, est.degf


def proportion_tables(design, y, valid, domains, method="logit", level=0.95):
    """:func:`proportion_table` for ``k`` indicators at once, each with its own respondents.

    ``y`` and ``valid`` are ``(n, k)``: the 0/1 need of each respondent for each
    indicator and whether the respondent counts for it. Returns ``p, se, low, high, n,
    n_need`` of shape ``(d, k)`` and ``degf`` of shape ``(d,)``: the same figures as
    ``k`` calls of :func:`proportion_table` (the influence functions of the ``d k``
    domain shares go through one pass of the calibration residuals and the variance,
    :func:`analysis.weighting.domain_variances`). Designs with clusters are done one
    indicator at a time.
    """
    y = np.asarray(y, dtype=float)
    valid = np.asarray(valid, dtype=bool)
    n, k = y.shape
    d = domains.count
    if not design.rows_are_psus or k == 0:
        parts = [proportion_table(design, y[:, j], valid[:, j], domains, method, level)
                 for j in range(k)]
        if not parts:
            empty = np.zeros((d, 0))
            return empty, empty, empty, empty, empty.astype(int), empty.astype(int), \
                design.domain_degrees_of_freedom(domains.codes, d)
        stacked = [np.column_stack([part[i] for part in parts]) for i in range(6)]
        return (*stacked, parts[0][6])
    from scipy import sparse

    interval = proportion_interval(method)
    codes = domains.codes
    in_domain = codes >= 0
    group = np.where(in_domain, codes, d)
    # rows summed by domain, in row order (the sums of np.bincount, for k columns at once)
    by_domain = sparse.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(d + 1, n))
    inset = valid & in_domain[:, None]
    w = np.where(inset, design.weights[:, None], 0.0)
    y = np.where(inset, y, 0.0)
    weight_total = np.asarray(by_domain @ w)[:d]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(by_domain @ (w * y))[:d] / weight_total
    rows = np.flatnonzero(in_domain)
    dom = codes[rows]
    w_rows, y_rows = (w, y) if rows.size == n else (w[rows], y[rows])  # no copy when every row is in
    with np.errstate(divide="ignore", invalid="ignore"):
        u = y_rows - p[dom]
        u *= w_rows
        u /= weight_total[dom]
    se = np.sqrt(np.maximum(domain_variances(design, u, rows, dom, d), 0.0))
    degf = design.domain_degrees_of_freedom(codes, d)
    n_rows = np.full(d, design.n) if design.is_calibrated else \
        np.bincount(group, minlength=d + 1)[:d]
    low, high = interval(p, se, degf[:, None], level=level, n_rows=n_rows[:, None])
    counts = np.asarray(by_domain @ inset.astype(float))[:d]
    needs = np.asarray(by_domain @ (inset & (y > 0)).astype(float))[:d]
    return p, se, low, high, counts.round().astype(int), needs.round().astype(int), degf


def survey_proportion(df, design: Design, column, need=None, by=None, *, exclude=(),
                      method="logit", level=0.95):
    """Share of respondents with a need, with a confidence interval, by domain.

    Parameters
    ----------
    df : DataFrame
    design : Design
    column : str
    need : iterable, optional
        Answer codes meaning "has the need"; None for a 0/1 or boolean column.
    by : str or list of str, optional
    exclude : iterable
        Answer codes treated as no answer (e.g. "nsp").
    method : {"logit", "xlogit", "mean", "wald", "beta", "asin", "wilson"}
        The names of R's ``svyciprop``: ``"logit"`` (default) and ``"xlogit"``, the
        logit-transformed interval (the same figures: R's ``"logit"`` fits the
        quasi-binomial ``svyglm`` whose Wald interval this is, ``"xlogit"`` transforms
        the mean with the delta method); ``"mean"`` (alias ``"wald"``), the symmetric
        interval ``p -/+ t se``; ``"beta"``, the Korn-Graubard interval; ``"asin"``, the
        arcsine square-root interval. ``"wilson"`` is the Wilson score interval with the
        effective sample size (Kott & Carr 1997), which R's survey package lacks. R's
        ``"likelihood"`` is not implemented. Any other name raises a ValueError
        listing the accepted ones.
    level : float

    Returns
    -------
    DataFrame
        The ``by`` columns, ``estimate, se, ci_low, ci_high, n, n_need, df``: ``n``
        respondents who answered, ``n_need`` those with the need, ``df`` the design
        degrees of freedom used for the interval; ``thin`` and ``warning`` as in
        :func:`survey_mean` (a domain of one respondent is flagged, its ``se`` and
        interval blanked, instead of showing a zero-width interval).

    Notes
    -----
    R: ``svyciprop(~I(column %in% need), design, method = ...)`` or
    ``svyby(~..., ~by, design, svyciprop, method = ..., vartype = c("se", "ci"))``.

    References
    ----------
    Korn & Graubard (1998); Lumley (2010), section 2.3.1.
    """
    design.check_frame(df)
    df = blank_as_missing(df, _used_columns(column, by))
    y, valid = need_indicator(df[column], need, exclude)
    domains = domains_of(df, by)
    p, se, low, high, n, n_need, degf = proportion_table(design, y, valid, domains,
                                                          method, level)
    out = domains.keys.copy() if len(domains.keys.columns) else pd.DataFrame(
        index=range(domains.count))
    out["estimate"], out["se"], out["ci_low"], out["ci_high"] = p, se, low, high
    out["n"], out["n_need"], out["df"] = n, n_need, degf
    return _flag_thin(out.reset_index(drop=True), thin_domains(n, degf))
