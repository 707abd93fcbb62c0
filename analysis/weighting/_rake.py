"""Weighting of survey responses to census margins.

Post-stratification on joint cells, raking (iterative proportional fitting) on
margins, trimming of extreme weights, collapsing of thin categories, and the
diagnostics a coordinator needs to judge the weights. The results reproduce R's
``survey`` package (``postStratify``, ``rake``, ``trimWeights(strict = TRUE)``) and
carry the calibration steps so that :mod:`analysis.estimation` computes
calibration-aware standard errors exactly as R does.

References
----------
Deming WE, Stephan FF (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Ann. Math. Statist.* 11, 427-444.
Deville J-C, Särndal C-E (1992). Calibration estimators in survey sampling. *JASA* 87,
376-382.
Kish L (1965). *Survey Sampling*. Wiley, section 11.7 (design effect of weighting).
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._design import Design, Grouping, PostStratumStep, RakingStep
from ._design_diagnostics import (
    WeightDiagnostics,
    sample_structure,
    structure_table,
    weight_diagnostics,
)
from ._design_margins import (
    EmptyCategoryError,
    Labels,
    MarginsError,
    UnknownCategoryError,
    WeightingError,
    as_labels,
    codes_for,
    collapse_categories,
    read_margins,
)
from ._design_trim import TrimResult, trim_weights

__all__ = [
    "Design", "WeightingResult", "TrimResult", "WeightDiagnostics",
    "WeightingError", "EmptyCategoryError", "UnknownCategoryError", "MarginsError",
    "RakingConvergenceError",
    "rake", "post_stratify", "trim_weights", "weight_diagnostics", "structure_table",
]


#: Joins the categories of a post-stratification cell in its name ("18-29 x F").
CELL_SEPARATOR = " x "


class RakingConvergenceError(WeightingError):
    """Raking did not reach the margins within ``max_iter`` passes.

    Attributes
    ----------
    result : WeightingResult
        The last weights, for inspection (``result.converged`` is False).
    """

    def __init__(self, result):
        self.result = result
        super().__init__(
            f"raking did not converge after {result.iterations} passes: the largest gap "
            f"to a census margin is still {result.max_gap:.6g} people (tolerance "
            f"{result.tolerance:.6g}); collapse thin categories, check that the margins "
            f"describe the same population, or pass accept_nonconvergence=True"
        )


@dataclass(eq=False)
class WeightingResult:
    """Outcome of :func:`rake` or :func:`post_stratify`.

    Attributes
    ----------
    design : Design
        Design with the new weights and the calibration step, for estimation.
    method : str
        ``"rake"`` or ``"post_stratify"``.
    variables : tuple of str
    converged : bool
    iterations : int
        Raking passes over all margins (1 for post-stratification).
    max_gap : float
        Largest remaining ``|weighted count - census count|`` over all margin cells.
    tolerance : float
        The absolute convergence tolerance used.
    collapsed : dict
        ``{variable: {original category: merged category}}``.
    structure : DataFrame
        Sample structure next to the population's, see :func:`structure_table`.
    """

    design: Design
    method: str
    variables: tuple
    converged: bool
    iterations: int
    max_gap: float
    tolerance: float
    collapsed: dict = field(default_factory=dict)
    structure: pd.DataFrame | None = None

    @property
    def weights(self):
        """The weights as a Series aligned on the responses' index."""
        return pd.Series(self.design.weights, index=self.design.index, name="weight")

    def diagnostics(self):
        """Return :class:`WeightDiagnostics` of the weights."""
        return weight_diagnostics(self.design.weights)


def _base_design(df, design):
    if design is None:
        return Design.from_frame(df)
    design.check_frame(df)
    return design


def _tolerance(epsilon, base_weights):
    # R's rake(): epsilon >= 1 is in people, below 1 a fraction of the weight total.
    return float(epsilon) if epsilon >= 1 else float(epsilon) * float(base_weights.sum())


def rake(df, margins, design=None, *, epsilon=1e-6, max_iter=50, criterion="targets",
         collapse=None, min_respondents=None, accept_nonconvergence=False):
    """Rake weights to census margins by iterative proportional fitting.

    Each pass post-stratifies on every margin in turn, as R's ``rake()`` does.

    Parameters
    ----------
    df : DataFrame
        One row per response; holds a column per weighting variable.
    margins : DataFrame
        Long table with columns ``variable, category, count`` (census counts).
    design : Design, optional
        Starting design (base weights, strata...). Default: equal weights of 1.
    epsilon : float
        Convergence tolerance: people when >= 1, otherwise a fraction of the total
        starting weight (R's convention).
    max_iter : int
        Maximum number of passes (R's ``maxit``).
    criterion : {"targets", "change"}
        ``"targets"``: stop when every weighted margin is within ``epsilon`` of its
        census count. ``"change"``: stop when no cell of the joint weighted table
        moved by ``epsilon`` or more during the pass, R's rule; with ``epsilon=1,
        max_iter=10`` this reproduces R's default ``rake()`` exactly.
    collapse : dict, optional
        ``{variable: {category: merged category}}`` applied to data and margins.
    min_respondents : int, optional
        Merge categories with fewer respondents into a neighbour first.
    accept_nonconvergence : bool
        Return the last weights instead of raising when not converged.

    Returns
    -------
    WeightingResult

    Raises
    ------
    EmptyCategoryError
        A census category has no respondent (and was not collapsed).
    UnknownCategoryError
        Respondents in a category absent from the margins, or a missing value.
    MarginsError
        Malformed margins or margins that do not sum to the same total.
    RakingConvergenceError
        Not converged and ``accept_nonconvergence`` is False.

    References
    ----------
    Deming & Stephan (1940); Lumley (2010), section 7.3; R ``survey::rake``.
    """
    if criterion not in ("targets", "change"):
        raise ValueError("criterion must be 'targets' or 'change'")
    base = _base_design(df, design)
    targets = read_margins(margins)
    unknown = [var for var in targets if var not in df.columns]
    if unknown:
        raise MarginsError(f"margin variable(s) {unknown} are not columns of the data")
    labels = {var: Labels.of(df[var]) for var in targets}
    labels, targets, collapsed = collapse_categories(labels, targets, collapse,
                                                     min_respondents)
    groups, goals, categories = [], [], {}
    for var in targets:
        codes, cats, counts = codes_for(var, labels[var], targets[var])
        groups.append(Grouping(codes, len(cats)))
        goals.append(counts)
        categories[var] = cats
    totals = np.array([g.sum() for g in goals])
    if np.ptp(totals) > 1e-9 * totals.max():
        shown = ", ".join(f"{v}: {t:g}" for v, t in zip(targets, totals))
        raise MarginsError(f"margins do not describe the same population ({shown})")

    tolerance = _tolerance(epsilon, base.weights)
    w = base.weights.copy()
    joint = None
    if criterion == "change":
        joint = Grouping(_joint_codes([g.codes for g in groups],
                                      [g.n_groups for g in groups]))
        old_table = joint.sum(w)
    passes, converged, psw = 0, False, []
    while passes < max_iter:
        psw = []
        for grp, goal in zip(groups, goals):
            w = w * (goal / grp.sum(w))[grp.codes]
            psw.append(w)
        passes += 1
        if criterion == "change":
            new_table = joint.sum(w)
            delta = np.max(np.abs(new_table - old_table))
            old_table = new_table
        else:
            delta = _max_gap(w, groups, goals)
        if delta < tolerance:
            converged = True
            break
    step = RakingStep(list(zip(groups, psw)), variables=tuple(targets))
    result = WeightingResult(
        design=base.with_weights(w, base.calibration + (step,)),
        method="rake", variables=tuple(targets), converged=converged,
        iterations=passes, max_gap=_max_gap(w, groups, goals), tolerance=tolerance,
        collapsed=collapsed,
        structure=sample_structure({v: g.codes for v, g in zip(targets, groups)}, categories,
                             targets, w),
    )
    if not converged and not accept_nonconvergence:
        raise RakingConvergenceError(result)
    return result


def _max_gap(w, groups, goals):
    return float(max(np.max(np.abs(g.sum(w) - t)) for g, t in zip(groups, goals)))


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
    base = _base_design(df, design)
    if count not in cells.columns:
        raise MarginsError(f"cells table lacks the count column {count!r}")
    variables = [c for c in cells.columns if c != count]
    if not variables:
        raise MarginsError("cells table has no stratification variable")
    absent = [v for v in variables if v not in df.columns]
    if absent:
        raise MarginsError(f"cell variable(s) {absent} are not columns of the data")
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
    )


def _joint_codes(codes, sizes):
    """Mixed-radix code of several code columns (compacted when too sparse)."""
    joint = np.zeros_like(codes[0], dtype=np.int64)
    radix = 1
    for c, size in zip(codes, sizes):
        joint += c.astype(np.int64) * radix
        radix *= size
    return joint if radix <= 10 * joint.size else np.unique(joint, return_inverse=True)[1]
