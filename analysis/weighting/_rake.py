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
import pandas as pd

from .._missing import blank_as_missing
from ._design import Grouping, RakingStep
from ._diagnostics import sample_structure, thin_categories
from ._margins import (
    Labels,
    MarginsError,
    codes_for,
    collapse_categories,
    match_codes,
    read_margins,
    reconcile_totals,
)
from ._result import UNMATCHED_COLUMNS, RakingConvergenceError, WeightingResult, base_design

__all__ = ["rake", "UNMATCHED_RULES"]

#: What :func:`rake` does with respondents whose category of a margin is missing or
#: absent from the census: ``"keep"`` them (raked on the margins they have), or raise.
UNMATCHED_RULES = ("keep", "error")


def _tolerance(epsilon, base_weights):
    # R's rake(): epsilon >= 1 is in people, below 1 a fraction of the weight total.
    return float(epsilon) if epsilon >= 1 else float(epsilon) * float(base_weights.sum())


class _Margin:
    """One margin in the raking loop: respondents' groups and the census counts.

    Respondents left apart (missing or unknown category) form one extra group whose
    weight is kept by this margin's step; the census counts are then shared, in
    proportion, among the weight of the others.
    """

    def __init__(self, codes, counts, n_unmatched):
        self.counts = counts
        self.total = float(counts.sum())
        self.apart = n_unmatched > 0
        k = len(counts)
        self.group = Grouping(np.where(codes >= 0, codes, k), k + 1 if self.apart else k)

    def targets(self, w):
        """Census counts to reach now, with the kept weight of the respondents apart."""
        if not self.apart:
            return self.counts
        kept = float(np.sum(w[self.group.codes == len(self.counts)]))
        return np.append(self.counts * (self.total - kept) / self.total, kept)

    def step(self, w):
        """Post-stratify ``w`` on this margin (R's ``postStratify`` inside ``rake``)."""
        current = self.group.sum(w)
        return w * (self.targets(w) / current)[self.group.codes]

    def gap(self, w):
        return float(np.max(np.abs(self.group.sum(w) - self.targets(w))))


def rake(df, margins, design=None, *, count="count", epsilon=1e-6, max_iter=50,
         criterion="targets", collapse=None, min_respondents=None, unmatched="keep",
         rescale_tolerance=0.0, reference_margin=None, accept_nonconvergence=False):
    """Rake weights to census margins by iterative proportional fitting.

    Each pass post-stratifies on every margin in turn, as R's ``rake()`` does.

    Parameters
    ----------
    df : DataFrame
        One row per response; holds a column per weighting variable. Empty or blank
        strings count as missing values.
    margins : DataFrame
        Long table with columns ``variable, category`` and the census counts.
    design : Design, optional
        Starting design (base weights, strata...). Default: equal weights of 1.
    count : str
        Name of the count column of ``margins`` (as :func:`post_stratify`).
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
    unmatched : {"keep", "error"}
        Respondents whose category of a margin is missing, or absent from the census
        margins (sex « autre », age « je ne sais pas »): ``"keep"`` (default) rakes
        them on the margins they have, see Notes; ``"error"`` raises
        :class:`UnknownCategoryError`, as R does.
    rescale_tolerance : float
        Margins whose totals differ (``(max - min) / max``) by at most this much are
        rescaled to the total of ``reference_margin``, with a :class:`MarginsWarning`
        that names the totals; beyond it, :class:`MarginsError`. Default 0: the
        totals must agree (to 1e-9).
    reference_margin : str, optional
        Variable whose total is kept when rescaling; default the first of ``margins``.
    accept_nonconvergence : bool
        Return the last weights instead of raising when not converged.

    Returns
    -------
    WeightingResult
        ``unmatched`` and ``diagnostics()`` report the respondents kept with a missing
        or unknown category (per variable and category), ``to_collapse`` the
        categories with 1 to 3 respondents that make extreme weights.

    Raises
    ------
    EmptyCategoryError
        A census category has no respondent (and was not collapsed).
    UnknownCategoryError
        With ``unmatched="error"``: respondents in a category absent from the margins,
        or a missing value.
    MarginsError
        Malformed margins or margins whose totals differ by more than
        ``rescale_tolerance``.
    RakingConvergenceError
        Not converged and ``accept_nonconvergence`` is False.

    Notes
    -----
    Respondents kept with ``unmatched="keep"`` are raked *on the margins they have*:
    in the step of a margin where their category is unknown, their weight is left as
    it is, and the census counts of that margin are shared, in proportion, among the
    other respondents, whose total weight is the census total minus the weight kept.
    So every weighted margin keeps the census proportions among those whose category
    is known, the weights still add up to the census total, and nobody is dropped.
    This is the rule of Pasek's ``anesrake`` (targets as proportions among the valid
    cases of each variable; ``na_method = "exclude"`` of the ``ipf`` package) and
    the solution is the one R's ``rake()`` finds when the unknown respondents of each
    margin form one more category whose count is their own weighted total; standard
    errors treat that category as calibrated, as R then does. The starting weights
    are first scaled to the census total, so that a respondent unknown on every
    margin gets the mean weight. The rule is deterministic (no random imputation) and
    only the weights see it: the respondents' answers are never changed.

    References
    ----------
    Deming & Stephan (1940); Lumley (2010), section 7.3; R ``survey::rake``.
    Pasek J (2018). anesrake: ANES Raking Implementation. R package version 0.80.
    DeBell M, Krosnick JA (2009). *Computing Weights for American National Election
    Study Survey Data*. ANES Technical Report nes012427.
    """
    if criterion not in ("targets", "change"):
        raise ValueError("criterion must be 'targets' or 'change'")
    if unmatched not in UNMATCHED_RULES:
        raise ValueError(f"unmatched must be one of {UNMATCHED_RULES}, not {unmatched!r}")
    margins = blank_as_missing(margins, ["variable", "category", count])
    targets = read_margins(margins, count=count)
    absent = [var for var in targets if var not in df.columns]
    if absent:
        raise MarginsError(f"margin variable(s) {absent} are not columns of the data")
    df = blank_as_missing(df, list(targets))
    base = base_design(df, design)
    labels = {var: Labels.of(df[var]) for var in targets}
    labels, targets, collapsed = collapse_categories(labels, targets, collapse,
                                                     min_respondents)
    matched, categories, apart = [], {}, []
    for var in targets:
        if unmatched == "error":
            codes, cats, counts = codes_for(var, labels[var], targets[var])
            left = {}
        else:
            codes, cats, counts, left = match_codes(var, labels[var], targets[var])
        matched.append((codes, counts, sum(left.values())))
        categories[var] = cats
        apart.extend((var, cat, n) for cat, n in left.items())
    targets, rescaled = reconcile_totals(targets, rescale_tolerance, reference_margin)
    steps = [_Margin(codes, counts * rescaled.get(var, 1.0), n_apart)
             for var, (codes, counts, n_apart) in zip(targets, matched)]
    rows_apart = np.zeros(base.n, dtype=bool)
    for margin in steps:
        rows_apart |= margin.group.codes == len(margin.counts)

    tolerance = _tolerance(epsilon, base.weights)
    w = base.weights.copy()
    if rows_apart.any():
        w = w * (steps[0].total / w.sum())
    joint = None
    if criterion == "change":
        joint = Grouping(_joint_codes([m.group.codes for m in steps],
                                      [m.group.n_groups for m in steps]))
        old_table = joint.sum(w)
    passes, converged, psw = 0, False, []
    while passes < max_iter:
        psw = []
        for margin in steps:
            w = margin.step(w)
            psw.append(w)
        passes += 1
        if criterion == "change":
            new_table = joint.sum(w)
            delta = np.max(np.abs(new_table - old_table))
            old_table = new_table
        else:
            delta = _max_gap(w, steps)
        if delta < tolerance:
            converged = True
            break
    step = RakingStep([(m.group, p) for m, p in zip(steps, psw)], variables=tuple(targets))
    codes = {var: np.where(m.group.codes < len(m.counts), m.group.codes, -1)
             for var, m in zip(targets, steps)}
    result = WeightingResult(
        design=base.with_weights(w, base.calibration + (step,)),
        method="rake", variables=tuple(targets), converged=converged,
        iterations=passes, max_gap=_max_gap(w, steps), tolerance=tolerance,
        collapsed=collapsed,
        structure=sample_structure(codes, categories, targets, w),
        unmatched=_unmatched_frame(apart),
        unmatched_rows=rows_apart,
        to_collapse=thin_categories(codes, categories, w),
        rescaled=rescaled,
    )
    if not converged and not accept_nonconvergence:
        raise RakingConvergenceError(result)
    return result


def _unmatched_frame(rows):
    # object columns: the category None (missing value) must stay None
    return pd.DataFrame({name: pd.Series([r[i] for r in rows], dtype=object)
                         for i, name in enumerate(UNMATCHED_COLUMNS)}
                        ).astype({"respondents": int})


def _max_gap(w, steps):
    return max(margin.gap(w) for margin in steps)


def _joint_codes(codes, sizes):
    """Mixed-radix code of several code columns (compacted when too sparse)."""
    joint = np.zeros_like(codes[0], dtype=np.int64)
    radix = 1
    for c, size in zip(codes, sizes):
        joint += c.astype(np.int64) * radix
        radix *= size
    return joint if radix <= 10 * joint.size else np.unique(joint, return_inverse=True)[1]
