"""Design-based estimation: means, shares, totals and proportions, by domain.

Point estimates and linearised standard errors reproduce R's ``survey`` package:
``svymean``, ``svytotal``, ``svyby`` and ``svyciprop``, including after ``rake()`` or
``postStratify()`` and for domains. Every figure comes with its unweighted count of
respondents.

References
----------
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
"""
from ._estimate import (
    THIN_BELOW,
    THIN_WARNING_FR,
    is_categorical,
    survey_mean,
    survey_proportion,
    survey_total,
)
from ._intervals import PROPORTION_CI_METHODS

__all__ = ["survey_mean", "survey_total", "survey_proportion", "is_categorical",
           "PROPORTION_CI_METHODS", "THIN_BELOW", "THIN_WARNING_FR"]
