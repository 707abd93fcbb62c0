"""Post-stratification of weights on joint census cells, as R's ``postStratify``.

Private module; the public names are re-exported by :mod:`analysis.weighting`.

References
----------
Holt D, Smith TMF (1979). Post stratification. *JRSS A* 142, 33-46.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 7.2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._missing import blank_as_missing
from ._design import Grouping, PostStratumStep
from ._diagnostics import sample_structure, thin_categories
from ._margins import Labels, MarginsError, UnknownCategoryError, as_labels, codes_for
from ._result import WeightingResult, base_design

__all__ = ["CELL_SEPARATOR", "post_stratify"]

#: Joins the categories of a post-stratification cell in its name ("18-29 x F").
CELL_SEPARATOR = " x "


def post_stratify(df, cells, design=None, *, count="count", collapse=None):
    """Post-stratify weights on joint census cells (R's ``postStratify``).

    Parameters
    ----------
    df : DataFrame
        One row per response.
    cells : DataFrame
        One row per cell: a column per post-stratification variable (e.g.
        ``district, age_band, sex``) and the census ``count``.
    design : Design, optional
        Starting design. Default: equal weights of 1.
    count : str
        Name of the count column of ``cells``.
    collapse : dict, optional
        ``{variable: {category: merged category}}`` applied to data and cells.

    Returns
    -------
    WeightingResult

    Raises
    ------
    EmptyCategoryError
        A census cell with people but no respondent; ``category`` names the cell.
    UnknownCategoryError
        Respondents in a cell absent from the census (or with a zero count).

    References
    ----------
    Holt D, Smith TMF (1979). Post stratification. *JRSS A* 142, 33-46.
    Lumley (2010), section 7.2; R ``survey::postStratify``.
    """
    if count not in cells.columns:
        raise MarginsError(f"cells table lacks the count column {count!r}")
    variables = [c for c in cells.columns if c != count]
    if not variables:
        raise MarginsError("cells table has no stratification variable")
    absent = [v for v in variables if v not in df.columns]
    if absent:
        raise MarginsError(f"cell variable(s) {absent} are not columns of the data")
    cells = blank_as_missing(cells, [*variables, count])
    df = blank_as_missing(df, variables)
    base = base_design(df, design)
    cell_labels = pd.DataFrame({v: as_labels(cells[v]) for v in variables})
    labels = {v: Labels.of(df[v]) for v in variables}
    collapsed = {}
    for var, rule in (collapse or {}).items():
        if var not in labels:
            raise MarginsError(f"collapse mapping names unknown variable {var!r}")
        rule = {str(k): str(v) for k, v in rule.items()}
        cell_labels[var] = cell_labels[var].replace(rule)
        labels[var] = labels[var].relabel(rule)
        collapsed[var] = {k: v for k, v in rule.items() if k != v}
    cell_counts = pd.to_numeric(cells[count], errors="coerce")
    if cell_counts.isna().any() or (cell_counts < 0).any():
        raise MarginsError("cell counts must be non-negative numbers")
    if cell_labels.isna().any().any():
        raise MarginsError("a cell category is missing")
    key_cells = cell_labels[variables[0]].astype(str)
    for var in variables[1:]:
        key_cells = key_cells + CELL_SEPARATOR + cell_labels[var].astype(str)
    goal = cell_counts.groupby(key_cells.to_numpy(), sort=False).sum()
    name = CELL_SEPARATOR.join(variables)
    # One code per combination of the variables' (factorized) labels, then its name.
    sizes = [len(labels[v].text) + 1 for v in variables]
    raw = np.zeros(len(df), dtype=np.int64)
    radix = 1
    for v, size in zip(variables, sizes):
        raw += np.where(labels[v].codes < 0, size - 1, labels[v].codes) * radix
        radix *= size
    combos, inverse = np.unique(raw, return_inverse=True)
    texts = []
    for combo in combos:
        parts, missing = [], False
        for v, size in zip(variables, sizes):
            code = int(combo % size)
            combo //= size
            missing |= code == size - 1
            parts.append(labels[v].text[code] if code < size - 1 else "")
        texts.append(None if missing else CELL_SEPARATOR.join(parts))
    n_missing = sum(int(np.sum(inverse == i)) for i, t in enumerate(texts) if t is None)
    if n_missing:
        raise UnknownCategoryError(name, ["<missing>"],
                                   f"is missing for {n_missing} respondent(s)")
    codes, categories, counts = codes_for(name, Labels(inverse, texts), dict(goal.items()))
    grp = Grouping(codes, len(categories))
    w = base.weights * (counts / grp.sum(base.weights))[codes]
    step = PostStratumStep(grp, base.weights.copy(), w, variables=tuple(variables))
    margin_targets = {
        v: cell_counts.groupby(cell_labels[v].to_numpy(), sort=False).sum().to_dict()
        for v in variables
    }
    present = {v: labels[v].counts() for v in variables}
    margin_categories = {v: [c for c in margin_targets[v] if present[v].get(c, 0) > 0]
                         for v in variables}
    margin_codes = {v: labels[v].codes_into(margin_categories[v]) for v in variables}
    return WeightingResult(
        design=base.with_weights(w, base.calibration + (step,)),
        method="post_stratify", variables=tuple(variables), converged=True,
        iterations=1, max_gap=float(np.max(np.abs(grp.sum(w) - counts))),
        tolerance=0.0, collapsed=collapsed,
        structure=sample_structure(margin_codes, margin_categories, margin_targets, w),
        to_collapse=thin_categories({name: codes}, {name: categories}, w),
    )
