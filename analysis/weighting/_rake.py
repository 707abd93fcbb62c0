"""Raking (iterative proportional fitting) of weights to census margins, as R's ``rake``.

Private module; the public names are re-exported by :mod:`analysis.weighting`.

References
----------
Deming WE, Stephan FF (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Ann. Math. Statist.* 11, 427-444.
Deville J-C, Särndal C-E (1992). Calibration estimators in survey sampling. *JASA* 87,
376-382.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 7.3.
"""
from __future__ import annotations

import numpy as np

from ._design import Grouping, RakingStep
from ._diagnostics import sample_structure
from ._margins import Labels, MarginsError, codes_for, collapse_categories, read_margins
from ._result import RakingConvergenceError, WeightingResult, base_design

__all__ = ["rake"]


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
    base = base_design(df, design)
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


def _joint_codes(codes, sizes):
    """Mixed-radix code of several code columns (compacted when too sparse)."""
    joint = np.zeros_like(codes[0], dtype=np.int64)
    radix = 1
    for c, size in zip(codes, sizes):
        joint += c.astype(np.int64) * radix
        radix *= size
    return joint if radix <= 10 * joint.size else np.unique(joint, return_inverse=True)[1]
