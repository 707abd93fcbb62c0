"""Themes in residents' free-text answers: find, label, edit, share, quote, draw.

:func:`find_themes` analyses the answers to one question, :func:`analyse_answers`
each open question separately and all of them together. The result,
:class:`ThemeResult`, says how answers relate to themes — ``membership == "mixed"``
for NMF (an answer weighs on several themes; the heaviest is its theme) or
``"single"`` for the GSDMM mixture model (one theme per answer) — and lets the
coordinator rename, merge and split themes, estimate the share of respondents per
theme and district, read typical answers (personal data masked), draw word clouds
and see the CLS axis each theme belongs to.

References
----------
Boutsidis C, Gallopoulos E (2008). SVD based initialization: a head start for
nonnegative matrix factorization. *Pattern Recognition* 41, 1350-1362.
Yin J, Wang J (2014). A Dirichlet multinomial mixture model-based approach for short
text clustering. *KDD '14*, 233-242.
Greene D, O'Callaghan D, Cunningham P (2014). How many topics? Stability analysis for
topic models. *ECML PKDD 2014*, 498-513.
"""
from ._find import (
    ALL_QUESTIONS,
    DEFAULT_K_RANGE,
    MIN_ANSWERS,
    AnswersAnalysis,
    analyse_answers,
    find_themes,
)
from ._result import Theme, ThemeResult
from ._shares import ESTIMATE_COLUMNS, weighted_share_estimator

__all__ = ["MIN_ANSWERS", "DEFAULT_K_RANGE", "ALL_QUESTIONS", "Theme", "ThemeResult",
           "AnswersAnalysis", "find_themes", "analyse_answers", "weighted_share_estimator",
           "ESTIMATE_COLUMNS"]
