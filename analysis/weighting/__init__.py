"""Weighting of survey responses to census margins, and the survey design.

Post-stratification on joint cells, raking (iterative proportional fitting) on
margins, trimming of extreme weights, collapsing of thin categories, and the
diagnostics a coordinator needs to judge the weights. The results reproduce R's
``survey`` package (``svydesign``, ``postStratify``, ``rake``, ``trimWeights(strict =
TRUE)``) and carry the calibration steps so that :mod:`analysis.estimation` computes
calibration-aware standard errors exactly as R does.

References
----------
Deming WE, Stephan FF (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Ann. Math. Statist.* 11, 427-444.
Deville J-C, Särndal C-E (1992). Calibration estimators in survey sampling. *JASA* 87,
376-382.
Kish L (1965). *Survey Sampling*. Wiley, section 11.7 (design effect of weighting).
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.
"""
from ._design import Design
from ._diagnostics import (
    THIN_CATEGORY_MAX,
    WeightDiagnostics,
    WeightingDiagnostics,
    structure_table,
    weight_diagnostics,
)
from ._margins import (
    EmptyCategoryError,
    MarginsError,
    MarginsWarning,
    UnknownCategoryError,
    WeightingError,
)
from ._poststratify import CELL_SEPARATOR, post_stratify
from ._rake import UNMATCHED_RULES, rake
from ._result import RakingConvergenceError, WeightingResult
from ._trim import TrimResult, trim_weights
from ._variance import domain_covariance, domain_covariance_blocks, domain_variances, linearised_variance

__all__ = [
    "Design", "WeightingResult", "TrimResult", "WeightDiagnostics", "WeightingDiagnostics",
    "WeightingError", "EmptyCategoryError", "UnknownCategoryError", "MarginsError",
    "MarginsWarning", "RakingConvergenceError", "UNMATCHED_RULES", "THIN_CATEGORY_MAX",
    "rake", "post_stratify", "trim_weights", "weight_diagnostics", "structure_table",
    "linearised_variance", "domain_covariance", "domain_variances", "domain_covariance_blocks",
    "CELL_SEPARATOR",
]
