"""Share of respondents who mention a theme: the estimator protocol and its default.

Private helper of :mod:`analysis.topics`. The service plugs in the design-based
estimator of :mod:`analysis.estimation`; the default here lets the library work alone.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: ``estimator(indicator, domain) -> DataFrame[domain, n, estimate, ci_low, ci_high]``;
#: `indicator` is a boolean Series indexed by response_id, `domain` a Series with the
#: same index (or None for the whole population).
Estimator = Callable[[pd.Series, "pd.Series | None"], pd.DataFrame]

ESTIMATE_COLUMNS = ["domain", "n", "estimate", "ci_low", "ci_high"]
#: Respondents of the domain with the theme (unweighted): what the publication rules need
#: beside ``n`` (at least 11 with it and 11 without it).
COUNT_COLUMN = "n_cell"
#: Domain value of the whole-population row.
ALL_DOMAIN = "ensemble"
_Z_95 = 1.959963984540054


def weighted_share_estimator(weights: pd.Series, *, confidence_z: float = _Z_95) -> Estimator:
    """Return the default estimator: a weighted share with a Kish normal interval.

    Parameters
    ----------
    weights : Series
        Respondent weights indexed by response_id (all 1 for an unweighted share).
    confidence_z : float
        Normal quantile of the interval (1.96 for 95%).

    Returns
    -------
    callable
        ``estimator(indicator, domain)`` giving, per domain, the number of respondents
        ``n``, the weighted share ``p = sum(w y) / sum(w)`` and the interval
        ``p -/+ z sqrt(p (1 - p) / n_eff)`` clipped to [0, 1], with Kish's effective
        sample size ``n_eff = (sum w)^2 / sum w^2``, and ``n_cell``, the respondents
        of the domain who have the theme (unweighted, for the publication rules).

    Notes
    -----
    This ignores strata, clusters and calibration: use it for a first look; the
    service passes the design-based estimator instead.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. New York: Wiley (design effect of weighting).
    """
    def estimate(indicator: pd.Series, domain: pd.Series | None) -> pd.DataFrame:
        w = weights.reindex(indicator.index).astype(float)
        if w.isna().any():
            raise ValueError("a respondent of the indicator has no weight")
        frame = pd.DataFrame({"y": indicator.astype(float), "w": w})
        if domain is None:
            groups = [(ALL_DOMAIN, frame)]
        else:
            frame["domain"] = domain.reindex(indicator.index)
            groups = list(frame.groupby("domain", sort=True, dropna=True))
        rows = []
        for name, group in groups:
            total = group["w"].sum()
            with_it = int((group["y"] > 0).sum())
            if len(group) == 0 or total <= 0:
                rows.append((name, len(group), np.nan, np.nan, np.nan, with_it))
                continue
            p = float((group["w"] * group["y"]).sum() / total)
            n_eff = total ** 2 / float((group["w"] ** 2).sum())
            half = confidence_z * np.sqrt(p * (1 - p) / n_eff)
            rows.append((name, len(group), p, max(0.0, p - half), min(1.0, p + half), with_it))
        return pd.DataFrame(rows, columns=[*ESTIMATE_COLUMNS, COUNT_COLUMN])

    return estimate
