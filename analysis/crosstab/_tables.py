"""Cross-tables of a closed question by a profile, and the indicator tables.

Private module; the public names are re-exported by :mod:`analysis.crosstab`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._missing import blank_as_missing
from ..estimation._domains import domains_of
from ..estimation._estimate import _categories, need_indicator, proportion_table, proportion_tables
from ..weighting import Design
from ..weighting._margins import as_labels
from ._publication import FRAGILE_BELOW, MIN_CELL, apply_publication_rules
from ._rao_scott import RaoScottResult, rao_scott_test

__all__ = ["TOWN", "CrossTab", "Indicator", "crosstab", "indicator_tables"]

#: Label of the whole-town rows of :func:`indicator_tables`.
TOWN = "town"


@dataclass(eq=False)
class CrossTab:
    """Shares of a question's answers within each group of a profile variable.

    Attributes
    ----------
    table : DataFrame
        One row per group and answer: the profile column, ``category, estimate, se,
        ci_low, ci_high, n, n_cell, suppressed, suppression, fragile`` (see
        :func:`apply_publication_rules`).
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
    df = blank_as_missing(df, [question, profile])
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
    # a group's answers add up to the group, a category's groups to the town
    table = apply_publication_rules(table, min_cell=min_cell, fragile_below=fragile_below,
                                    sets=[[profile], ["category"]])
    return CrossTab(table, rao_scott_test(df, design, question, profile,
                                          statistic=statistic))


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
        suppressed, suppression, fragile``; whole-town rows have ``variable`` and
        ``group`` equal to :data:`TOWN`. ``n_cell`` counts respondents with the need.
        The groups of one variable add up to the town, so a lone suppressed group
        brings the next smallest down with it (:data:`PUBLICATION_RULE_FR`).
    """
    design.check_frame(df)
    by = [by] if isinstance(by, str) else list(by)
    indicators = [_as_indicator(spec) for spec in indicators]
    df = blank_as_missing(df, [*(spec.column for spec in indicators), *by])
    y, valid = need_matrix(df, indicators)
    # every indicator at once for each breakdown: one pass of the variance per variable
    variables = [None, *by]
    results = []
    for variable in variables:
        domains = domains_of(df, variable)
        p, se, low, high, n, n_cell, _ = proportion_tables(design, y, valid, domains,
                                                            method, level)
        groups = [TOWN] if variable is None else as_labels(domains.keys[variable]).tolist()
        results.append((variable or TOWN, groups, (p, se, low, high, n, n_cell)))
    # rows: indicator by indicator, then each variable's groups (the groups of one
    # variable add up to the town, for each indicator)
    pieces = [(j, variable, groups, figures) for j in range(len(indicators))
              for variable, groups, figures in results]
    names = ["estimate", "se", "ci_low", "ci_high", "n", "n_cell"]
    columns = {
        "indicator": [indicators[j].name for j, _v, groups, _f in pieces for _g in groups],
        "variable": [variable for _j, variable, groups, _f in pieces for _g in groups],
        "group": [g for _j, _v, groups, _f in pieces for g in groups],
    }
    for i, name in enumerate(names):
        parts = [figures[i][:, j] for j, _v, _g, figures in pieces]
        columns[name] = np.concatenate(parts) if parts else np.zeros(0)
    table = pd.DataFrame(columns)
    return apply_publication_rules(table, min_cell=min_cell, fragile_below=fragile_below,
                                   sets=[["indicator", "variable"]])


def need_matrix(df, indicators):
    """The 0/1 need and the "counts" mask of every indicator, as ``(n, k)`` arrays."""
    if not indicators:
        return np.zeros((len(df), 0)), np.zeros((len(df), 0), dtype=bool)
    pairs = [need_indicator(df[spec.column], spec.need, spec.exclude) for spec in indicators]
    return np.column_stack([y for y, _ in pairs]), np.column_stack([v for _, v in pairs])
