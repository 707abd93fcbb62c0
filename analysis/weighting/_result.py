"""What a weighting returns: the calibrated design and what the coordinator checks.

Private module; the public names are re-exported by :mod:`analysis.weighting`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ._design import Design
from ._diagnostics import weight_diagnostics
from ._margins import WeightingError

__all__ = ["RakingConvergenceError", "WeightingResult", "base_design"]


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


def base_design(df, design):
    if design is None:
        return Design.from_frame(df)
    design.check_frame(df)
    return design
