"""Confidence intervals for a proportion estimated from survey data (R's ``svyciprop``).

Private module: :func:`analysis.estimation.survey_proportion` is the public face.
Every function takes the estimates ``p``, their standard errors ``se`` and the design
degrees of freedom ``df`` (arrays, one value per domain) and returns the lower and upper
limits.

References
----------
Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
Kott PS, Carr DA (1997). Developing an estimation strategy for a pesticide data
program. *J. Official Statistics* 13, 367-383 (Wilson interval with effective n).
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 2.3.1.
"""
from __future__ import annotations

import numpy as np
from scipy import special, stats

__all__ = ["ci_logit", "ci_beta", "ci_wilson", "ci_wald", "ci_asin", "PROPORTION_CI_METHODS",
           "proportion_interval"]


def _t(level, df):
    df = np.asarray(df, dtype=float)
    return stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, np.nan))


def ci_wald(p, se, df, level=0.95, **_):
    """Symmetric (Wald) interval ``p +/- t(df) se``, R ``svyciprop(method = "mean")``."""
    half = _t(level, df) * se
    return p - half, p + half


def ci_logit(p, se, df, level=0.95, **_):
    """Logit interval, R ``svyciprop(method = "xlogit")`` and ``method = "logit"``.

    ``expit(logit(p) +/- t(df) se / (p (1 - p)))``: the interval on the logit scale
    with the delta-method standard error (R's ``"xlogit"``), which is also the Wald
    interval of the intercept of a quasi-binomial ``svyglm`` (R's ``"logit"``).
    Undefined (NaN) when p is 0 or 1.
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _t(level, df) * se / (p * (1 - p))
        centre = special.logit(p)
        low, high = special.expit(centre - half), special.expit(centre + half)
    degenerate = (p <= 0) | (p >= 1)
    return np.where(degenerate, np.nan, low), np.where(degenerate, np.nan, high)


def ci_beta(p, se, df, level=0.95, n_rows=None, **_):
    """Korn-Graubard beta interval, R ``svyciprop(method = "beta")``.

    The effective sample size ``p (1 - p) / var`` is multiplied by
    ``(t(n_rows - 1) / t(df))**2`` and used in Clopper-Pearson limits. ``n_rows`` is
    R's ``nrow(design)`` of the (domain) design.
    """
    p = np.asarray(p, dtype=float)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / np.asarray(se, dtype=float) ** 2
        n_eff = n_eff * (stats.t.ppf(alpha / 2, np.asarray(n_rows, dtype=float) - 1)
                         / stats.t.ppf(alpha / 2, np.asarray(df, dtype=float))) ** 2
        low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return low, high


def ci_asin(p, se, df, level=0.95, **_):
    """Arcsine square-root interval, R ``svyciprop(method = "asin")``.

    ``sin(asin(sqrt(p)) +/- t(df) se / (2 sqrt(p (1 - p))))**2``, the delta-method
    interval on the variance-stabilising scale, back-transformed as R does (no
    clipping). Undefined (NaN) when p is 0 or 1.
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _t(level, df) * np.asarray(se, dtype=float) / (2 * np.sqrt(p * (1 - p)))
        centre = np.arcsin(np.sqrt(p))
        low, high = np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
    degenerate = (p <= 0) | (p >= 1)
    return np.where(degenerate, np.nan, low), np.where(degenerate, np.nan, high)


def ci_wilson(p, se, df, level=0.95, **_):
    """Wilson score interval on the effective sample size (no R equivalent).

    With ``n* = p (1 - p) / var`` (Kish's effective sample size of the estimate) and
    ``z = t(df)``, the limits are ``(p + z^2/(2 n*) -/+ z sqrt(p (1 - p)/n* +
    z^2/(4 n*^2))) / (1 + z^2/n*)``, Kott & Carr (1997). R's survey package offers no
    Wilson interval; it is tested against this formula.
    """
    p = np.asarray(p, dtype=float)
    z = _t(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / np.asarray(se, dtype=float) ** 2
        denom = 1 + z**2 / n_eff
        centre = (p + z**2 / (2 * n_eff)) / denom
        half = z * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2)) / denom
    return centre - half, centre + half


#: Interval methods by name: R's ``svyciprop`` names (``"likelihood"`` aside) and
#: ``"wald"`` (= ``"mean"``) and ``"wilson"``.
PROPORTION_CI_METHODS = {"logit": ci_logit, "xlogit": ci_logit, "mean": ci_wald,
                         "wald": ci_wald, "beta": ci_beta, "asin": ci_asin,
                         "wilson": ci_wilson}


def proportion_interval(method):
    """Return the interval function of `method`; a clear ValueError when unknown."""
    try:
        return PROPORTION_CI_METHODS[method]
    except (KeyError, TypeError):
        accepted = ", ".join(repr(m) for m in sorted(PROPORTION_CI_METHODS))
        hint = " (R's profile-likelihood interval is not implemented)" \
            if method == "likelihood" else ""
        raise ValueError(f"unknown interval method {method!r}{hint}; accepted: "
                         f"{accepted}") from None
