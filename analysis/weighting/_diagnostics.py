"""Diagnostics of survey weights: Kish design effect, distribution, sample structure.

Private module; the public names are re-exported by :mod:`analysis.weighting`.

References
----------
Kish L (1965). *Survey Sampling*. Wiley, section 11.7.
Kish L (1992). Weighting for unequal Pi. *J. Official Statistics* 8, 183-200.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._missing import blank_as_missing
from ._margins import Labels, read_margins

__all__ = ["WeightDiagnostics", "WeightingDiagnostics", "weight_diagnostics", "structure_table",
           "sample_structure", "thin_categories", "THIN_CATEGORY_MAX"]

#: Weighting categories with this many respondents or fewer make extreme weights: the
#: diagnostics name them, to be merged with a neighbour.
THIN_CATEGORY_MAX = 3


@dataclass(frozen=True)
class WeightDiagnostics:
    """Summary of a set of weights (Kish 1965).

    ``kish_deff`` is ``1 + cv**2`` with the population coefficient of variation, and
    ``effective_n`` is ``(sum w)**2 / sum w**2 = n / kish_deff``.
    """

    n: int
    total: float
    mean: float
    min: float
    q1: float
    median: float
    q3: float
    max: float
    max_min_ratio: float
    cv: float
    kish_deff: float
    effective_n: float

    def as_series(self):
        """Return the diagnostics as a pandas Series (for display or export)."""
        return pd.Series(self.__dict__)


@dataclass(frozen=True)
class WeightingDiagnostics(WeightDiagnostics):
    """:class:`WeightDiagnostics` of a weighting, with what the weighting saw.

    Returned by :meth:`WeightingResult.diagnostics`.

    Attributes
    ----------
    to_collapse : tuple of (variable, category, respondents)
        Categories with :data:`THIN_CATEGORY_MAX` respondents or fewer: their weights
        carry a whole census category and are extreme; merge each with a neighbour
        (``collapse=`` or ``min_respondents=``).
    unmatched : tuple of (variable, category, respondents)
        Respondents kept although their category is missing (``category`` None) or
        absent from the margins; see :func:`analysis.weighting.rake`.
    n_unmatched : int
        Respondents concerned (a respondent may be unmatched on several variables).
    messages : tuple of str
        The same, in French, for the coordinator.
    """

    to_collapse: tuple = ()
    unmatched: tuple = ()
    n_unmatched: int = 0
    messages: tuple = ()


def thin_categories(codes, categories, weights):
    """Categories of each weighting variable with 1 to :data:`THIN_CATEGORY_MAX` respondents.

    Parameters
    ----------
    codes : dict
        ``{variable: codes into its categories}`` (-1 for none).
    categories : dict
        ``{variable: list of category labels}``.
    weights : ndarray

    Returns
    -------
    DataFrame
        ``variable, category, respondents, weight_ratio`` (mean weight of the category's
        respondents over the mean weight of all), smallest categories first.
    """
    rows = []
    mean = float(np.mean(weights)) if len(weights) else np.nan
    for var, cats in categories.items():
        c = codes[var]
        inside = c >= 0
        n = np.bincount(c[inside], minlength=len(cats))
        wsum = np.bincount(c[inside], weights=weights[inside], minlength=len(cats))
        for i, cat in enumerate(cats):
            if 0 < n[i] <= THIN_CATEGORY_MAX:
                rows.append((var, cat, int(n[i]), float(wsum[i] / n[i] / mean)))
    frame = pd.DataFrame(rows, columns=["variable", "category", "respondents", "weight_ratio"])
    return frame.sort_values(["respondents", "weight_ratio"], ascending=[True, False],
                             kind="stable").reset_index(drop=True)


def weighting_messages(to_collapse, unmatched):
    """French advice on the thin categories and the respondents left unmatched."""
    messages = []
    for row in to_collapse.itertuples(index=False):
        messages.append(
            f"Regroupez la catégorie « {row.category} » de « {row.variable} » avec une "
            f"catégorie voisine : {row.respondents} répondant(s) seulement y portent toute "
            f"une catégorie du recensement (poids {row.weight_ratio:.1f} fois le poids "
            f"moyen).")
    for row in unmatched.itertuples(index=False):
        what = "sans réponse" if pd.isna(row.category) else \
            f"dans la catégorie « {row.category} », absente des marges du recensement,"
        messages.append(
            f"« {row.variable} » : {row.respondents} répondant(s) {what} sont gardés ; ils "
            f"ne sont calés que sur les autres marges.")
    return tuple(messages)


def weight_diagnostics(weights):
    """Describe weights: quartiles, max/min ratio, Kish design effect, effective n.

    Parameters
    ----------
    weights : array-like

    Returns
    -------
    WeightDiagnostics

    References
    ----------
    Kish L (1965). *Survey Sampling*, section 11.7; Kish L (1992). Weighting for
    unequal Pi. *J. Official Statistics* 8, 183-200.
    """
    w = np.asarray(weights, dtype=float)
    mean = w.mean()
    cv = w.std() / mean
    q1, median, q3 = np.quantile(w, [0.25, 0.5, 0.75])
    return WeightDiagnostics(
        n=int(w.size), total=float(w.sum()), mean=float(mean), min=float(w.min()),
        q1=float(q1), median=float(median), q3=float(q3), max=float(w.max()),
        max_min_ratio=float(w.max() / w.min()), cv=float(cv),
        kish_deff=float(1 + cv**2), effective_n=float(w.sum() ** 2 / np.sum(w**2)),
    )


def structure_table(df, weights, margins):
    """Sample structure next to the population's, per weighting variable.

    Parameters
    ----------
    df : DataFrame
    weights : array-like
        Weights of the rows of ``df``.
    margins : DataFrame
        Long census table ``variable, category, count``.

    Returns
    -------
    DataFrame
        Columns ``variable, category, respondents, sample_share, weighted,
        weighted_share, population, population_share``.
    """
    targets = read_margins(blank_as_missing(margins, ["variable", "category", "count"]))
    df = blank_as_missing(df, list(targets))
    categories = {var: list(cats) for var, cats in targets.items()}
    codes = {var: Labels.of(df[var]).codes_into(categories[var]) for var in targets}
    return sample_structure(codes, categories, targets, np.asarray(weights, dtype=float))


def sample_structure(codes, categories, targets, weights):
    rows = []
    for var, cats in categories.items():
        c = codes[var]
        inside = c >= 0
        n = np.bincount(c[inside], minlength=len(cats))
        wsum = np.bincount(c[inside], weights=weights[inside], minlength=len(cats))
        pop_total = sum(targets[var].values())
        for i, cat in enumerate(cats):
            rows.append((var, cat, int(n[i]), n[i] / n.sum(), float(wsum[i]),
                         wsum[i] / wsum.sum(), targets[var][cat],
                         targets[var][cat] / pop_total))
    return pd.DataFrame(rows, columns=["variable", "category", "respondents", "sample_share",
                                       "weighted", "weighted_share", "population",
                                       "population_share"])
