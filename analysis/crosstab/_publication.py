"""Publication rules of the diagnostic's tables.

Private module; the public names are re-exported by :mod:`analysis.crosstab`.
"""
from __future__ import annotations

__all__ = ["MIN_CELL", "FRAGILE_BELOW", "apply_publication_rules"]

#: Cells from fewer respondents are never published (French health-data rule).
MIN_CELL = 11
#: Estimates from fewer respondents are flagged fragile.
FRAGILE_BELOW = 30

_FIGURES = ["estimate", "se", "ci_low", "ci_high"]


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
