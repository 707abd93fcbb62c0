"""Rao-Scott corrected chi-square test of association, as R's ``svychisq``.

Private module; the public names are re-exported by :mod:`analysis.crosstab`.

References
----------
Rao JNK, Scott AJ (1984). On chi-squared tests for multiway contingency tables with
cell proportions estimated from survey data. *Ann. Statist.* 12, 46-60.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 6.1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._missing import blank_as_missing
from ..estimation._domains import Domains, estimate_domains
from ..weighting import Design
from ..weighting._margins import as_labels

__all__ = ["RaoScottResult", "rao_scott_test"]


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
    df = blank_as_missing(df, [row, col])
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
