"""Cross-tables, tests of association, district comparisons and indicator tables.

Shares of the answers to a closed question within each group of a profile variable,
the Rao-Scott corrected chi-square test of association (R ``svychisq``), the
difference between each district (or any domain) and the rest of the town with a
Benjamini-Hochberg correction across many comparisons, and the indicator tables of the
diagnostic. Publication rules are applied here: a cell from fewer than ``min_cell``
(11) respondents is suppressed (NaN, ``suppressed=True``) and an estimate from fewer
than ``fragile_below`` (30) respondents is flagged ``fragile``.

References
----------
Rao JNK, Scott AJ (1984). On chi-squared tests for multiway contingency tables with
cell proportions estimated from survey data. *Ann. Statist.* 12, 46-60.
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *JRSS B* 57,
289-300.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 6.1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._design import Design, linearised_variance
from ._design_margins import as_labels
from ._stats import Domains, domains_of, estimate_domains
from .estimation import _categories, need_indicator, proportion_table

__all__ = [
    "MIN_CELL", "FRAGILE_BELOW", "TOWN",
    "CrossTab", "RaoScottResult", "Indicator",
    "crosstab", "rao_scott_test", "compare_domains", "benjamini_hochberg",
    "indicator_tables", "apply_publication_rules",
]

#: Cells from fewer respondents are never published (French health-data rule).
MIN_CELL = 11
#: Estimates from fewer respondents are flagged fragile.
FRAGILE_BELOW = 30
#: Label of the whole-town rows of :func:`indicator_tables`.
TOWN = "town"

_FIGURES = ["estimate", "se", "ci_low", "ci_high"]


@dataclass(frozen=True)
class RaoScottResult:
    """Rao-Scott test of independence in a two-way table (R ``svychisq``).

    Attributes
    ----------
    statistic : float
        As R reports it: ``F = X2 / sum(eigenvalues)`` for ``"F"``; Pearson's ``X2``
        (unadjusted) for ``"Chisq"``.
    p_value : float
    ndf, ddf : float
        Degrees of freedom of the F reference (``ddf`` is None for ``"Chisq"``).
    pearson : float
        Pearson's X2 on the weighted table rescaled to the sample size.
    adjusted : float
        First-order corrected statistic ``X2 / mean(eigenvalues)``.
    mean_deff : float
        Mean generalised design effect (mean eigenvalue).
    method : str
    """

    statistic: float
    p_value: float
    ndf: float
    ddf: float | None
    pearson: float
    adjusted: float
    mean_deff: float
    method: str


@dataclass(eq=False)
class CrossTab:
    """Shares of a question's answers within each group of a profile variable.

    Attributes
    ----------
    table : DataFrame
        One row per group and answer: the profile column, ``category, estimate, se,
        ci_low, ci_high, n, n_cell, suppressed, fragile``.
    test : RaoScottResult
        Test of association between question and profile.
    """

    table: pd.DataFrame
    test: RaoScottResult


@dataclass(frozen=True)
class Indicator:
    """A need indicator: share of respondents whose answer to ``column`` is in ``need``.

    ``exclude`` lists answers counted as no answer (e.g. "nsp", don't know).
    """

    name: str
    column: str
    need: tuple
    exclude: tuple = ()


def apply_publication_rules(table, n="n", cell="n_cell", min_cell=MIN_CELL,
                            fragile_below=FRAGILE_BELOW):
    """Suppress cells from fewer than ``min_cell`` respondents, flag fragile ones.

    A row is suppressed when its cell count or its group size is below ``min_cell``:
    its figures become NaN and the small counts are blanked (``<NA>``), so nothing
    below the threshold can reach an export. It is fragile when the group has fewer
    than ``fragile_below`` respondents.
    """
    out = table.copy()
    small_cell = out[cell].to_numpy() < min_cell
    small_group = out[n].to_numpy() < min_cell
    suppressed = small_cell | small_group
    out["suppressed"] = suppressed
    out["fragile"] = out[n].to_numpy() < fragile_below
    for col in _FIGURES:
        if col in out:
            out[col] = out[col].mask(suppressed)
    out[cell] = out[cell].astype("Int64").mask(suppressed)
    out[n] = out[n].astype("Int64").mask(small_group)
    return out


def crosstab(df, design: Design, question, profile, *, method="logit", level=0.95,
             statistic="F", min_cell=MIN_CELL, fragile_below=FRAGILE_BELOW):
    """Weighted shares of the answers to ``question`` in each group of ``profile``.

    Parameters
    ----------
    df : DataFrame
    design : Design
    question : str
        A closed question (its answers are the categories; missing answers left out).
    profile : str
        The profile (domain) variable: district, age band, sex...
    method : {"logit", "beta", "wilson", "wald"}
        Interval for each share, see :func:`analysis.estimation.survey_proportion`.
    level : float
    statistic : {"F", "Chisq"}
        Rao-Scott second-order (default) or first-order test.
    min_cell, fragile_below : int
        Publication thresholds.

    Returns
    -------
    CrossTab

    Notes
    -----
    R: ``svyby(~I(question == category), ~profile, design, svyciprop, method =
    "logit")`` for each category, and ``svychisq(~question + profile, design)``.
    """
    design.check_frame(df)
    domains = domains_of(df, profile)
    cats = _categories(df[question])
    labels = as_labels(df[question])
    frames = []
    for cat in cats:
        y = (labels == cat).to_numpy(dtype=float)
        valid = labels.notna().to_numpy()
        p, se, low, high, n, n_cell, _ = proportion_table(design, y, valid, domains,
                                                           method, level)
        part = domains.keys.copy()
        part["category"] = cat
        part["estimate"], part["se"], part["ci_low"], part["ci_high"] = p, se, low, high
        part["n"], part["n_cell"] = n, n_cell
        frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    order = {c: i for i, c in enumerate(cats)}
    table = table.assign(_c=table["category"].map(order)).sort_values(
        [profile, "_c"], kind="stable").drop(columns="_c").reset_index(drop=True)
    table = apply_publication_rules(table, min_cell=min_cell, fragile_below=fragile_below)
    return CrossTab(table, rao_scott_test(df, design, question, profile,
                                          statistic=statistic))


def rao_scott_test(df, design: Design, row, col, statistic="F"):
    """Rao-Scott corrected Pearson test of independence, as R's ``svychisq``.

    Parameters
    ----------
    df : DataFrame
    design : Design
    row, col : str
        The two categorical variables; rows with either missing are left out.
    statistic : {"F", "Chisq"}
        ``"F"``: second-order correction, ``F = X2 / tr(D)`` on ``(d0, d0 nu)`` degrees
        of freedom with ``d0 = tr(D)^2 / tr(D^2)`` and ``nu`` the design degrees of
        freedom (R's default). ``"Chisq"``: first-order, ``X2 / mean eigenvalue`` on
        ``(r - 1)(c - 1)`` degrees of freedom.

    Returns
    -------
    RaoScottResult

    Notes
    -----
    R: ``svychisq(~row + col, design, statistic = "F")``. As in R, the weighted table
    is rescaled to the number of rows of the design before Pearson's X2 is computed.

    References
    ----------
    Rao & Scott (1984); Lumley (2010), section 6.1.1.
    """
    if statistic not in ("F", "Chisq"):
        raise ValueError("statistic must be 'F' or 'Chisq'")
    design.check_frame(df)
    r_lab, c_lab = as_labels(df[row]), as_labels(df[col])
    r_cats = sorted(r_lab.dropna().unique())
    c_cats = sorted(c_lab.dropna().unique())
    nr, nc = len(r_cats), len(c_cats)
    if nr < 2 or nc < 2:
        raise ValueError("a test of association needs two categories or more per variable")
    r_code = pd.Categorical(r_lab, categories=r_cats).codes
    c_code = pd.Categorical(c_lab, categories=c_cats).codes
    valid = (r_code >= 0) & (c_code >= 0)
    cell = np.where(valid, r_code + nr * c_code, 0)  # rows vary fastest, as in R
    y = np.zeros((design.n, nr * nc))
    y[np.flatnonzero(valid), cell[valid]] = 1.0
    whole = Domains(np.zeros(design.n, dtype=np.intp), pd.DataFrame(index=[0]))
    est = estimate_domains(design, y, valid, whole, "mean")
    mean2, v = est.estimate[0], est.cov[0]
    n_total = design.n
    table = np.bincount(cell[valid], weights=design.weights[valid], minlength=nr * nc)
    table = table * n_total / table.sum()
    observed = table.reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    pearson = float(np.sum((observed - expected) ** 2 / expected))

    rows_i = np.tile(np.arange(nr), nc)
    cols_i = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack([np.ones(nr * nc)]
                         + [(rows_i == i).astype(float) for i in range(1, nr)]
                         + [(cols_i == j).astype(float) for j in range(1, nc)])
    x12 = np.column_stack([((rows_i == i) & (cols_i == j)).astype(float)
                           for j in range(1, nc) for i in range(1, nr)])
    cmat = x12 - x1 @ np.linalg.lstsq(x1, x12, rcond=None)[0]
    inv_mean = np.where(mean2 == 0, 0.0, 1.0 / np.where(mean2 == 0, 1.0, mean2))
    denom = cmat.T @ (np.diag(inv_mean) / n_total) @ cmat
    numer = cmat.T @ np.diag(inv_mean) @ v @ np.diag(inv_mean) @ cmat
    delta = np.linalg.solve(denom, numer)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    nu = design.degrees_of_freedom(None)
    mean_deff = trace / delta.shape[0]
    adjusted = pearson / mean_deff
    if statistic == "F":
        f = pearson / trace
        return RaoScottResult(f, float(stats.f.sf(f, d0, d0 * nu)), d0, d0 * nu,
                              pearson, adjusted, mean_deff,
                              "Pearson's X^2: Rao & Scott adjustment (F)")
    df_chisq = delta.shape[0]
    return RaoScottResult(pearson, float(stats.chi2.sf(adjusted, df_chisq)),
                          float(df_chisq), None, pearson, adjusted, mean_deff,
                          "Pearson's X^2: Rao & Scott adjustment (chi-square)")


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


def _as_indicator(spec):
    if isinstance(spec, Indicator):
        return spec
    if isinstance(spec, dict):
        return Indicator(spec["name"], spec["column"], tuple(spec["need"]),
                         tuple(spec.get("exclude", ())))
    name, column, need, *rest = spec
    need = (need,) if isinstance(need, (str, int, float)) else tuple(need)
    return Indicator(name, column, need, tuple(rest[0]) if rest else ())


def indicator_tables(df, design: Design, indicators, by=(), *, method="logit",
                     level=0.95, min_cell=MIN_CELL, fragile_below=FRAGILE_BELOW):
    """Every indicator for the whole town and each group of each ``by`` variable.

    Parameters
    ----------
    df : DataFrame
    design : Design
    indicators : iterable
        :class:`Indicator` objects, ``(name, column, need codes[, excluded codes])``
        tuples or dicts with those keys.
    by : iterable of str
        Profile columns, each tabulated on its own (e.g. ``["district", "qpv",
        "age_band", "sex"]``).
    method, level
        Confidence interval, see :func:`analysis.estimation.survey_proportion`.
    min_cell, fragile_below : int
        Publication thresholds (see :func:`apply_publication_rules`).

    Returns
    -------
    DataFrame
        ``indicator, variable, group, estimate, se, ci_low, ci_high, n, n_cell,
        suppressed, fragile``; whole-town rows have ``variable`` and ``group`` equal to
        :data:`TOWN`. ``n_cell`` counts respondents with the need.
    """
    design.check_frame(df)
    by = [by] if isinstance(by, str) else list(by)
    frames = []
    for spec in map(_as_indicator, indicators):
        y, valid = need_indicator(df[spec.column], spec.need, spec.exclude)
        for variable in [None, *by]:
            domains = domains_of(df, variable)
            p, se, low, high, n, n_cell, _ = proportion_table(design, y, valid, domains,
                                                               method, level)
            groups = [TOWN] if variable is None else \
                as_labels(domains.keys[variable]).tolist()
            frames.append(pd.DataFrame({
                "indicator": spec.name, "variable": variable or TOWN, "group": groups,
                "estimate": p, "se": se, "ci_low": low, "ci_high": high,
                "n": n, "n_cell": n_cell,
            }))
    table = pd.concat(frames, ignore_index=True)
    return apply_publication_rules(table, min_cell=min_cell, fragile_below=fragile_below)
