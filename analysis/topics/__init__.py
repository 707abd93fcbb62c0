"""Themes in residents' free-text answers: find, label, edit, share, quote, draw.

:func:`find_themes` analyses the answers to one question, :func:`analyse_answers`
each open question separately and all of them together. The result,
:class:`ThemeResult`, says how answers relate to themes — ``membership == "single"``
for the default ``"guided"`` method (k-means of the answers' mean word vectors with
the codebook's confidences, as far as the codebook fits the answers), for the purely
unsupervised ``"vectors"`` (the same without the codebook) and for the GSDMM mixture
model (one theme per answer), ``"mixed"`` for NMF (an answer weighs on several themes;
the heaviest is its theme) — and lets the
coordinator rename, merge and split themes, estimate the share of respondents per
theme and district, read typical answers (personal data masked), draw word clouds
and see the CLS axis each theme belongs to.

References
----------
Boutsidis C, Gallopoulos E (2008). SVD based initialization: a head start for
nonnegative matrix factorization. *Pattern Recognition* 41, 1350-1362.
Yin J, Wang J (2014). A Dirichlet multinomial mixture model-based approach for short
text clustering. *KDD '14*, 233-242.
Arora S, Liang Y, Ma T (2017). A simple but tough-to-beat baseline for sentence
embeddings. *ICLR 2017*.
Greene D, O'Callaghan D, Cunningham P (2014). How many topics? Stability analysis for
topic models. *ECML PKDD 2014*, 498-513.
"""
from ._find import (
    ALL_QUESTIONS,
    DEFAULT_K_RANGE,
    DEFAULT_METHOD,
    MIN_ANSWERS,
    AnswersAnalysis,
    analyse_answers,
    find_themes,
)
from ._fit import METHODS
from ._result import Theme, ThemeResult
from ._snapshot import (
    SNAPSHOT_VERSION,
    snapshot_merge,
    snapshot_rename,
    snapshot_split,
    snapshot_theme,
    snapshot_verbatims,
    to_snapshot,
)
from ._words import GENERIC_WORDS
from ._shares import ESTIMATE_COLUMNS, weighted_share_estimator

__all__ = ["MIN_ANSWERS", "DEFAULT_K_RANGE", "DEFAULT_METHOD", "METHODS", "GENERIC_WORDS", "ALL_QUESTIONS", "Theme", "ThemeResult",
           "AnswersAnalysis", "find_themes", "analyse_answers", "weighted_share_estimator",
           "ESTIMATE_COLUMNS", "SNAPSHOT_VERSION", "to_snapshot", "snapshot_theme",
           "snapshot_rename", "snapshot_merge", "snapshot_split", "snapshot_verbatims"]
