"""Publication rules of the diagnostic's tables — règles de diffusion des tableaux.

Français. Un chiffre (une part, un effectif) n'est publié que si au moins 11 répondants
ont la caractéristique ET au moins 11 ne l'ont pas ; sinon il est masqué (secret
primaire). Quand, dans un ensemble de cases dont le total est publié (les quartiers qui
font la commune, les réponses d'un même groupe), une seule case est masquée, on
pourrait la retrouver par différence avec le total : on masque aussi la plus petite des
autres cases (secret secondaire), et ainsi de suite jusqu'à ce qu'aucune case masquée ne
soit seule dans son ensemble. Un chiffre tiré de moins de 30 répondants est publié mais
signalé fragile.

English. A figure (a share, a count) is published only when at least 11 respondents have
the attribute AND at least 11 do not; otherwise it is blanked (primary suppression).
When, in a set of cells whose total is published (the districts that make up the town,
the answers within one group), exactly one cell is blanked, it could be found back by
subtracting the others from the total: the smallest of the other cells is blanked too
(secondary, or complementary, suppression), and so on until no blanked cell is alone in
its set. A figure from fewer than 30 respondents is published but flagged fragile.

Private module; the public names are re-exported by :mod:`analysis.crosstab`.

References
----------
Hundepool A et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 4 (threshold
rule, secondary suppression).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MIN_CELL", "FRAGILE_BELOW", "PUBLICATION_RULE_FR", "PUBLICATION_RULE_EN",
           "apply_publication_rules"]

#: Cells from fewer respondents are never published (French health-data rule).
MIN_CELL = 11
#: Estimates from fewer respondents are flagged fragile.
FRAGILE_BELOW = 30

#: The rule in French, for the pages and the report.
PUBLICATION_RULE_FR = (
    f"Un chiffre n'est publié que si au moins {MIN_CELL} répondants ont la "
    f"caractéristique et au moins {MIN_CELL} ne l'ont pas ; sinon il est masqué. Quand "
    "une seule case d'un ensemble dont le total est publié (les quartiers qui font la "
    "commune, les réponses d'un même groupe) est masquée, la plus petite des autres cases "
    "l'est aussi, pour qu'on ne puisse pas la retrouver par différence. Un chiffre tiré "
    f"de moins de {FRAGILE_BELOW} répondants est signalé fragile."
)
#: The same rule in English.
PUBLICATION_RULE_EN = (
    f"A figure is published only when at least {MIN_CELL} respondents have the attribute "
    f"and at least {MIN_CELL} do not; otherwise it is blanked. When only one cell of a "
    "set whose total is published (the districts that make up the town, the answers "
    "within one group) is blanked, the smallest other cell is blanked too, so that it "
    f"cannot be found back by subtraction. A figure from fewer than {FRAGILE_BELOW} "
    "respondents is flagged fragile."
)

_FIGURES = ["estimate", "se", "ci_low", "ci_high"]


def _set_codes(table, sets):
    """One array of set codes per partition of the rows (-1: in no set)."""
    if not sets:
        return []
    if all(isinstance(s, str) for s in sets):
        sets = [sets]
    out = []
    for columns in sets:
        codes = table.groupby(list(columns), sort=False, dropna=False).ngroup()
        out.append(codes.to_numpy())
    return out


def apply_publication_rules(table, n="n", cell="n_cell", min_cell=MIN_CELL,
                            fragile_below=FRAGILE_BELOW, sets=()):
    """Blank the cells that could identify fewer than ``min_cell`` respondents.

    Parameters
    ----------
    table : DataFrame
        One row per cell with ``n`` (respondents who answered, in the group) and
        ``cell`` (those with the attribute), and the figures ``estimate, se, ci_low,
        ci_high``.
    n, cell : str
        Names of the two count columns.
    min_cell : int
        Fewest respondents with, and without, the attribute for a cell to be published.
    fragile_below : int
        Groups with fewer respondents are flagged ``fragile``.
    sets : list of list of str
        Partitions of the rows into sets of cells whose total is published: rows with
        the same values of these columns form one set (e.g. ``[["indicator",
        "variable"]]``: the districts of one indicator). Empty: no secondary suppression.

    Returns
    -------
    DataFrame
        The table with ``suppressed`` (bool), ``suppression`` (``"primary"``,
        ``"complementary"`` or None) and ``fragile`` (bool); the figures of suppressed
        rows are NaN and their ``cell`` count ``<NA>``, and ``n`` is ``<NA>`` when the
        group itself is under ``min_cell``.

    Notes
    -----
    Primary suppression: ``cell < min_cell`` or ``n - cell < min_cell`` (a share of
    97% of 100 respondents tells that 3 do not have the attribute). Complementary
    suppression: while a set has exactly one suppressed cell and others published, the
    published cell with the fewest respondents with the attribute (then the smallest
    group) is suppressed too. The rule in words: :data:`PUBLICATION_RULE_FR`.
    """
    out = table.copy()
    group = pd.to_numeric(out[n], errors="coerce").to_numpy(dtype=float)
    with_attribute = pd.to_numeric(out[cell], errors="coerce").to_numpy(dtype=float)
    without = group - with_attribute
    primary = ~((with_attribute >= min_cell) & (without >= min_cell))
    suppressed = primary.copy()
    complementary = np.zeros(len(out), dtype=bool)
    partitions = _set_codes(out, sets)
    changed = bool(partitions)
    while changed:
        changed = False
        for codes in partitions:
            for code in np.unique(codes[codes >= 0]):
                members = np.flatnonzero(codes == code)
                hidden = suppressed[members]
                if hidden.sum() != 1 or hidden.all():
                    continue
                candidates = members[~hidden]
                order = np.lexsort((group[candidates], with_attribute[candidates]))
                pick = candidates[order[0]]
                suppressed[pick] = complementary[pick] = True
                changed = True
    small_group = ~(group >= min_cell)
    out["suppressed"] = suppressed
    out["suppression"] = pd.Series(
        np.where(primary, "primary", np.where(complementary, "complementary", None)),
        dtype=object, index=out.index)
    out["fragile"] = ~(group >= fragile_below)
    for col in _FIGURES:
        if col in out:
            out[col] = out[col].mask(suppressed)
    out[cell] = out[cell].astype("Int64").mask(suppressed)
    out[n] = out[n].astype("Int64").mask(small_group)
    return out
