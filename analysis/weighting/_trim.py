"""Trimming of extreme weights, as R's ``trimWeights(strict = TRUE)``.

Private module; the public names are re-exported by :mod:`analysis.weighting`.

References
----------
Potter FJ (1990). A study of procedures to identify and trim extreme sampling weights.
*Proc. Survey Research Methods Section, ASA*, 225-230.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 7.5.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._design import Design
from ._diagnostics import weight_diagnostics
from ._margins import WeightingError

__all__ = ["TrimResult", "trim_weights"]


@dataclass(eq=False)
class TrimResult:
    """Outcome of :func:`trim_weights`.

    Attributes
    ----------
    design : Design
        Same design and calibration steps, trimmed weights.
    lower, upper : float
        Absolute bounds applied.
    rounds : int
        Trim-and-redistribute rounds until no weight was out of bounds.
    n_trimmed : int
        Weights sitting on a bound at the end.
    excess : float
        Weight cut (positive) or added (negative) in the first round.
    """

    design: Design
    lower: float
    upper: float
    rounds: int
    n_trimmed: int
    excess: float

    @property
    def weights(self):
        """The trimmed weights as a Series aligned on the responses' index."""
        return pd.Series(self.design.weights, index=self.design.index, name="weight")

    def diagnostics(self):
        """Return :class:`WeightDiagnostics` of the trimmed weights."""
        return weight_diagnostics(self.design.weights)


def trim_weights(source, upper=np.inf, lower=-np.inf, *, relative=False, strict=True,
                 max_rounds=100_000):
    """Trim weights to bounds and spread the excess over the untrimmed weights.

    Reproduces R's ``trimWeights(design, upper, lower, strict = TRUE)``: weights
    outside the bounds are set to the bound, the total cut (or added) is shared
    *equally* among the weights that were inside, and this is repeated until no
    weight is outside. The weight total is kept. Calibration steps are kept as they
    were (R keeps ``postStrata``), so standard errors still use the calibration.

    Parameters
    ----------
    source : Design or WeightingResult
    upper, lower : float
        Bounds on the weights.
    relative : bool
        When True, the bounds are multiples of the mean weight (e.g. ``upper=3``).
    strict : bool
        Repeat until no weight is out of bounds (R's ``strict = TRUE``); when False a
        single round is made, after which some weights may exceed the bounds again.
    max_rounds : int
        Safety limit on the number of rounds.

    Returns
    -------
    TrimResult

    Raises
    ------
    WeightingError
        If the bounds cannot hold the weight total, or if every weight is out of
        bounds in a round (R then only clips, silently changing the weight total).

    References
    ----------
    Potter FJ (1990). A study of procedures to identify and trim extreme sampling
    weights. *Proc. Survey Research Methods Section, ASA*, 225-230.
    Lumley (2010), section 7.5; R ``survey::trimWeights``.
    """
    design = source if isinstance(source, Design) else source.design
    w = design.weights.copy()
    if relative:
        upper, lower = upper * w.mean(), lower * w.mean()
    upper, lower = float(upper), float(lower)
    if lower > upper:
        raise ValueError("lower bound is above the upper bound")
    if not (w.size * lower <= w.sum() <= w.size * upper):
        raise WeightingError(
            f"bounds [{lower:.6g}, {upper:.6g}] cannot hold the weight total "
            f"{w.sum():.6g} of {w.size} responses")
    rounds, excess = 0, 0.0
    while rounds < max_rounds:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        clipped = np.clip(w, lower, upper)
        cut = float(np.sum(w - clipped))
        if rounds == 0:
            excess = cut
        inside = ~outside
        if not inside.any():
            raise WeightingError("every weight is out of bounds: nothing to spread to")
        clipped[inside] += cut / inside.sum()
        w = clipped
        rounds += 1
        if not strict:
            break
    else:
        raise WeightingError(f"trimming did not settle after {max_rounds} rounds")
    at_bound = int(np.sum((w == upper) | (w == lower)))
    return TrimResult(design=design.with_weights(w), lower=lower, upper=upper,
                      rounds=rounds, n_trimmed=at_bound, excess=excess)
