"""What a weighting returns: the calibrated design and what the coordinator checks.

Private module; the public names are re-exported by :mod:`analysis.weighting`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from ._design import Design
from ._diagnostics import WeightingDiagnostics, weight_diagnostics, weighting_messages
from ._margins import WeightingError

__all__ = ["RakingConvergenceError", "WeightingResult", "base_design", "UNMATCHED_COLUMNS",
           "TO_COLLAPSE_COLUMNS"]

UNMATCHED_COLUMNS = ["variable", "category", "respondents"]
TO_COLLAPSE_COLUMNS = ["variable", "category", "respondents", "weight_ratio"]


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
    unmatched : DataFrame
        ``variable, category, respondents``: respondents kept in the raking although
        their category of that variable is missing (``category`` None) or absent from
        the margins; their answers are untouched, see :func:`rake`.
    unmatched_rows : ndarray of bool
        Which rows are unmatched on at least one variable.
    to_collapse : DataFrame
        ``variable, category, respondents, weight_ratio``: categories with 3
        respondents or fewer, whose weights are extreme; merge them with a neighbour.
    rescaled : dict
        ``{variable: factor}`` of the margins rescaled to a common total.
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
    unmatched: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=UNMATCHED_COLUMNS))
    unmatched_rows: object = None
    to_collapse: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=TO_COLLAPSE_COLUMNS))
    rescaled: dict = field(default_factory=dict)

    @property
    def weights(self):
        """The weights as a Series aligned on the responses' index."""
        return pd.Series(self.design.weights, index=self.design.index, name="weight")

    @property
    def n_unmatched(self):
        """Respondents kept with a missing or unknown category on some variable."""
        return 0 if self.unmatched_rows is None else int(self.unmatched_rows.sum())

    def unmatched_by_variable(self):
        """Respondents kept with a missing or unknown category, per variable (dict)."""
        return {var: int(n) for var, n in
                self.unmatched.groupby("variable", sort=False)["respondents"].sum().items()}

    def diagnostics(self):
        """Return :class:`WeightingDiagnostics`: the weights' and what to collapse."""
        base = asdict(weight_diagnostics(self.design.weights))
        to_collapse = tuple((r.variable, r.category, int(r.respondents))
                            for r in self.to_collapse.itertuples(index=False))
        unmatched = tuple((r.variable, None if pd.isna(r.category) else r.category,
                           int(r.respondents)) for r in self.unmatched.itertuples(index=False))
        return WeightingDiagnostics(
            **base, to_collapse=to_collapse, unmatched=unmatched,
            n_unmatched=self.n_unmatched,
            messages=weighting_messages(self.to_collapse, self.unmatched))


def base_design(df, design):
    if design is None:
        return Design.from_frame(df)
    design.check_frame(df)
    return design
