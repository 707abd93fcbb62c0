"""Census margins: reading, matching respondents to categories, collapsing.

Private helpers of :mod:`analysis.weighting`. Categories are compared by their text
form, so a census file that says ``1`` matches an integer column holding ``1`` (and a
float column holding ``1.0``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "WeightingError", "EmptyCategoryError", "UnknownCategoryError", "MarginsError",
    "MarginsWarning", "Labels", "as_labels", "label_codes", "read_margins",
    "collapse_categories", "codes_for", "match_codes", "reconcile_totals",
]

MERGED_SEPARATOR = " + "
#: Relative difference below which margin totals count as equal (rounding of floats).
SAME_TOTAL = 1e-9


class WeightingError(ValueError):
    """Base class of the weighting errors (a ``ValueError``)."""


class MarginsError(WeightingError):
    """The margins table itself is malformed or inconsistent."""


class MarginsWarning(UserWarning):
    """Margins were adjusted (rescaled to a common total) before weighting."""


class EmptyCategoryError(WeightingError):
    """A census category has no respondent, so no weight can reach its target.

    Attributes
    ----------
    variable, category : str
    """

    def __init__(self, variable, category):
        self.variable = variable
        self.category = category
        super().__init__(
            f"no respondent in category {category!r} of weighting variable {variable!r} "
            f"although the census counts people there; collapse it with a neighbouring "
            f"category (collapse=... or min_respondents=...)"
        )


class UnknownCategoryError(WeightingError):
    """Respondents answered a category that the census margins do not have.

    Attributes
    ----------
    variable : str
    categories : list of str
    """

    def __init__(self, variable, categories, reason="absent from the census margins"):
        self.variable = variable
        self.categories = list(categories)
        shown = ", ".join(repr(c) for c in self.categories[:10])
        super().__init__(
            f"weighting variable {variable!r}: respondent categor"
            f"{'y' if len(self.categories) == 1 else 'ies'} {shown} {reason}"
        )


def label_codes(values):
    """Factorize ``values`` into codes (-1 where missing) and their text labels."""
    series = pd.Series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniq = pd.Series(uniques)
    if pd.api.types.is_numeric_dtype(uniq) and not pd.api.types.is_bool_dtype(uniq):
        numbers = uniq.to_numpy(dtype=float)
        integral = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = [str(int(v)) if ok else repr(float(v)) for v, ok in zip(numbers, integral)]
    else:
        text = [str(v) for v in uniq]
    return codes, text


def as_labels(values):
    """Return ``values`` as text labels (None where missing), integers without ``.0``."""
    codes, text = label_codes(values)
    lookup = np.array(text + [None], dtype=object)
    return pd.Series(lookup[codes], index=pd.Series(values).index, dtype=object)


def read_margins(margins, variable="variable", category="category", count="count"):
    """Validate a long margins table; return ``{variable: {category: count}}``.

    Order of variables and categories is kept as in the table.
    """
    missing = {variable, category, count} - set(margins.columns)
    if missing:
        raise MarginsError(f"margins table lacks column(s) {sorted(missing)}")
    counts = pd.to_numeric(margins[count], errors="coerce")
    if counts.isna().any() or not np.all(np.isfinite(counts)) or (counts < 0).any():
        raise MarginsError("margin counts must be finite, non-negative numbers")
    variables = margins[variable].astype(str)
    categories = as_labels(margins[category])
    if categories.isna().any():
        raise MarginsError("a margin category is missing")
    out = {}
    for var, cat, n in zip(variables, categories, counts):
        cats = out.setdefault(var, {})
        if cat in cats:
            raise MarginsError(f"category {cat!r} of {var!r} appears twice in the margins")
        cats[cat] = float(n)
    return out


class Labels:
    """Factorized respondent labels of one variable: row codes into ``text``.

    Several codes may share a text (after collapsing); -1 marks a missing value.
    """

    def __init__(self, codes, text):
        self.codes = np.asarray(codes, dtype=np.intp)
        self.text = list(text)

    @classmethod
    def of(cls, values):
        """Factorize a column."""
        return cls(*label_codes(values))

    def relabel(self, rule):
        """Return labels with texts renamed by ``rule`` (a dict)."""
        return Labels(self.codes, [rule.get(t, t) for t in self.text])

    def counts(self):
        """Respondents per text (dict), missing values left out."""
        per_code = np.bincount(self.codes[self.codes >= 0], minlength=len(self.text))
        out = {}
        for t, n in zip(self.text, per_code):
            out[t] = out.get(t, 0) + int(n)
        return out

    def n_missing(self):
        """Number of missing values."""
        return int(np.sum(self.codes < 0))

    def codes_into(self, categories):
        """Row codes into ``categories`` (-1 for missing or unknown texts)."""
        position = {c: i for i, c in enumerate(categories)}
        remap = np.array([position.get(t, -1) for t in self.text] + [-1], dtype=np.intp)
        return remap[self.codes]


def collapse_categories(labels, targets, mapping=None, min_respondents=None):
    """Merge categories on request; return new labels, targets and what was merged.

    Parameters
    ----------
    labels : dict of str to Labels
        Respondent labels per weighting variable.
    targets : dict of str to dict
        Census counts per variable and category.
    mapping : dict of str to dict, optional
        ``{variable: {category: merged_category}}``, applied first.
    min_respondents : int, optional
        Merge any category with fewer respondents into its smaller neighbour (in the
        margins' order) until every category has at least this many.

    Returns
    -------
    labels, targets, collapsed
        ``collapsed`` is ``{variable: {original: merged}}`` for changed categories.
    """
    labels = dict(labels)
    targets = {var: dict(cats) for var, cats in targets.items()}
    collapsed = {}
    for var, rule in (mapping or {}).items():
        if var not in targets:
            raise MarginsError(f"collapse mapping names unknown variable {var!r}")
        rule = {str(k): str(v) for k, v in rule.items()}
        merged = {}
        for cat, n in targets[var].items():
            new = rule.get(cat, cat)
            merged[new] = merged.get(new, 0.0) + n
        targets[var] = merged
        labels[var] = labels[var].relabel(rule)
        collapsed[var] = {k: v for k, v in rule.items() if k != v}
    if min_respondents:
        for var in targets:
            merged_map = _collapse_small(var, labels[var], targets, int(min_respondents))
            if merged_map:
                labels[var] = labels[var].relabel(merged_map)
                previous = collapsed.setdefault(var, {})
                for old, new in list(previous.items()):
                    previous[old] = merged_map.get(new, new)
                for old, new in merged_map.items():
                    previous.setdefault(old, new)
                collapsed[var] = {k: v for k, v in previous.items() if k != v}
    return labels, targets, {k: v for k, v in collapsed.items() if v}


def _collapse_small(var, labels, targets, minimum):
    counts = labels.counts()
    groups = [[cat] for cat in targets[var]]
    sizes = [int(counts.get(cat, 0)) for cat in targets[var]]
    while len(groups) > 1 and min(sizes) < minimum:
        i = int(np.argmin(sizes))
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:
            j = i - 1 if sizes[i - 1] <= sizes[i + 1] else i + 1
        lo, hi = sorted((i, j))
        groups[lo] = groups[lo] + groups[hi]
        sizes[lo] += sizes[hi]
        del groups[hi], sizes[hi]
    if min(sizes) < minimum:
        raise MarginsError(
            f"variable {var!r} has fewer than {minimum} respondents in total; "
            "it cannot be used for weighting")
    mapping, new_targets = {}, {}
    for group in groups:
        name = MERGED_SEPARATOR.join(group)
        new_targets[name] = sum(targets[var][c] for c in group)
        if len(group) > 1:
            mapping.update({c: name for c in group})
    targets[var] = new_targets
    return mapping


def codes_for(var, labels, targets):
    """Integer codes of respondents into the categories of ``targets``; validate.

    Categories with a zero census count and no respondent are dropped (as R does).

    Parameters
    ----------
    var : str
    labels : Labels
    targets : dict
        ``{category: census count}`` in the margins' order.

    Returns
    -------
    codes : ndarray of int
    categories : list of str
    counts : ndarray of float
    """
    missing = labels.n_missing()
    if missing:
        raise UnknownCategoryError(var, ["<missing>"],
                                   f"is missing for {missing} respondent(s)")
    present = {t: n for t, n in labels.counts().items() if n > 0}
    unknown = sorted(set(present) - set(targets))
    if unknown:
        raise UnknownCategoryError(var, unknown)
    categories, counts = [], []
    for cat, n in targets.items():
        k = present.get(cat, 0)
        if k == 0 and n > 0:
            raise EmptyCategoryError(var, cat)
        if k > 0 and n == 0:
            raise UnknownCategoryError(var, [cat], "has respondents but a census count of 0")
        if k > 0:
            categories.append(cat)
            counts.append(n)
    return labels.codes_into(categories), categories, np.asarray(counts, dtype=float)


def match_codes(var, labels, targets):
    """Codes of respondents into the categories of ``targets``, keeping the others apart.

    As :func:`codes_for`, but a respondent whose value is missing, or whose category
    the margins lack (or give a census count of 0), gets code -1 instead of raising.

    Returns
    -------
    codes : ndarray of int
        -1 for the respondents left apart.
    categories : list of str
    counts : ndarray of float
    unmatched : dict
        ``{category: respondents}`` of those left apart; the key ``None`` counts the
        missing values.

    Raises
    ------
    EmptyCategoryError
        A census category with people has no respondent.
    """
    present = {t: n for t, n in labels.counts().items() if n > 0}
    categories, counts = [], []
    for cat, n in targets.items():
        k = present.get(cat, 0)
        if k == 0 and n > 0:
            raise EmptyCategoryError(var, cat)
        if k > 0 and n > 0:
            categories.append(cat)
            counts.append(n)
    unmatched = {}
    if labels.n_missing():
        unmatched[None] = labels.n_missing()
    for cat in sorted(set(present) - set(categories)):
        unmatched[cat] = present[cat]
    return (labels.codes_into(categories), categories, np.asarray(counts, dtype=float),
            unmatched)


def reconcile_totals(targets, tolerance=0.0, reference=None):
    """Check that every margin describes the same population; rescale small gaps.

    Parameters
    ----------
    targets : dict
        ``{variable: {category: census count}}``.
    tolerance : float
        Largest relative difference between margin totals, ``(max - min) / max``,
        that is corrected by rescaling each margin to the reference total (with a
        :class:`MarginsWarning` naming the totals). 0: totals must agree.
    reference : str, optional
        Variable whose total is kept; default the first variable of the margins.

    Returns
    -------
    targets : dict
        Rescaled when needed.
    rescaled : dict
        ``{variable: factor}`` for the margins that were rescaled.

    Raises
    ------
    MarginsError
        Totals differ by more than `tolerance`, or `reference` is not a margin.
    """
    totals = {var: float(sum(cats.values())) for var, cats in targets.items()}
    values = np.array(list(totals.values()))
    if values.size == 0:
        return targets, {}
    gap = float(np.ptp(values) / values.max()) if values.max() > 0 else 0.0
    if gap <= SAME_TOTAL:
        return targets, {}
    shown = ", ".join(f"{var}: {total:,.6g}" for var, total in totals.items())
    if gap > tolerance:
        raise MarginsError(
            f"margins do not describe the same population ({shown}): their totals differ "
            f"by {gap:.3%}, more than the {tolerance:.3%} that may be rescaled "
            f"(rescale_tolerance)")
    reference = next(iter(targets)) if reference is None else reference
    if reference not in totals:
        raise MarginsError(f"reference margin {reference!r} is not a margin variable")
    goal = totals[reference]
    rescaled = {var: goal / total for var, total in totals.items()
                if total > 0 and abs(total - goal) > SAME_TOTAL * goal}
    warnings.warn(
        f"margin totals differ by {gap:.3%} ({shown}); every margin was rescaled to the "
        f"total of {reference!r}, {goal:,.6g} (rescale_tolerance {tolerance:.3%})",
        MarginsWarning, stacklevel=3)
    return ({var: {cat: n * rescaled.get(var, 1.0) for cat, n in cats.items()}
             for var, cats in targets.items()}, rescaled)
