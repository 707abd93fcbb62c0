"""Analysis library of the CLS diagnostic: weighting, estimation, free text.

Pure library: pandas DataFrames in, result objects and DataFrames out. It never
imports Flask, the database or ``survey_app``, so it can be used from a notebook::

    from analysis import rake, survey_proportion
    result = rake(responses, margins)
    survey_proportion(responses, result.design, "medecin_traitant", need=["non"], by="district")

Sub-packages: :mod:`analysis.weighting` (survey design, raking, post-stratification,
trimming), :mod:`analysis.estimation` (means, totals, proportions by domain),
:mod:`analysis.crosstab` (cross-tables, Rao-Scott tests, comparisons, indicator tables
and publication rules), :mod:`analysis.text` (French preprocessing), :mod:`analysis.topics`
(themes of free-text answers), :mod:`analysis.coding` (coding with a codebook); modules
:mod:`analysis.axes`, :mod:`analysis.privacy`, :mod:`analysis.wordclouds`.

Importing :mod:`analysis` loads neither spaCy nor scikit-learn: language models are
loaded, and topic models imported, when they are first used.
"""
from .axes import AXIS_LABELS, DEFAULT_AXES, AxisScore, best_axis, score_axes
from .coding import (
    CODEBOOK_SCHEMA_PATH,
    DEFAULT_CODEBOOK_PATH,
    DEFAULT_THRESHOLD,
    MIN_PER_THEME,
    MIN_THEMES,
    SECONDARY_THRESHOLD,
    VECTOR_MODEL,
    Codebook,
    CodebookError,
    CodebookTheme,
    Coder,
    Proposal,
    SeedTerm,
    WordVectors,
    code_answers,
    codebook_from_dict,
    coding_agreement,
    emerging_themes,
    load_codebook,
    load_word_vectors,
    theme_shares,
    validate_codebook,
)
from .crosstab import (
    FRAGILE_BELOW,
    MIN_CELL,
    PUBLICATION_RULE_EN,
    PUBLICATION_RULE_FR,
    TOWN,
    CrossTab,
    Indicator,
    RaoScottResult,
    apply_publication_rules,
    benjamini_hochberg,
    compare_domains,
    crosstab,
    indicator_tables,
    rao_scott_test,
)
from .estimation import THIN_WARNING_FR, survey_mean, survey_proportion, survey_total
from .privacy import mask_emails, mask_names, mask_phones, mask_pii
from .text import (
    SPACY_MODEL,
    FrenchPreprocessor,
    LemmaCache,
    PreprocessedAnswers,
    load_french,
    normalise_text,
    preprocess_answers,
    text_hash,
    useless_reason,
)
from .topics import (
    DEFAULT_K_RANGE,
    MIN_ANSWERS,
    AnswersAnalysis,
    Theme,
    ThemeResult,
    analyse_answers,
    find_themes,
    weighted_share_estimator,
)
from .weighting import (
    Design,
    EmptyCategoryError,
    MarginsError,
    MarginsWarning,
    RakingConvergenceError,
    TrimResult,
    UnknownCategoryError,
    WeightDiagnostics,
    WeightingDiagnostics,
    WeightingError,
    WeightingResult,
    post_stratify,
    rake,
    structure_table,
    trim_weights,
    weight_diagnostics,
)
from .wordclouds import write_wordcloud

__all__ = [
    # weighting
    "Design", "rake", "post_stratify", "trim_weights", "weight_diagnostics",
    "structure_table", "WeightingResult", "TrimResult", "WeightDiagnostics",
    "WeightingError", "EmptyCategoryError", "UnknownCategoryError", "MarginsError",
    "RakingConvergenceError", "MarginsWarning", "WeightingDiagnostics",
    # estimation
    "survey_mean", "survey_total", "survey_proportion", "THIN_WARNING_FR",
    # cross-tables and publication rules
    "crosstab", "rao_scott_test", "compare_domains", "benjamini_hochberg",
    "indicator_tables", "apply_publication_rules", "Indicator", "CrossTab",
    "RaoScottResult", "MIN_CELL", "FRAGILE_BELOW", "TOWN", "PUBLICATION_RULE_FR",
    "PUBLICATION_RULE_EN",
    # text
    "normalise_text", "text_hash", "useless_reason", "preprocess_answers",
    "FrenchPreprocessor", "PreprocessedAnswers", "LemmaCache", "load_french", "SPACY_MODEL",
    # topics
    "find_themes", "analyse_answers", "ThemeResult", "Theme", "AnswersAnalysis",
    "MIN_ANSWERS", "DEFAULT_K_RANGE", "weighted_share_estimator",
    # axes, privacy, word clouds
    "DEFAULT_AXES", "AXIS_LABELS", "AxisScore", "score_axes", "best_axis",
    "mask_pii", "mask_emails", "mask_phones", "mask_names", "write_wordcloud",
    # coding
    "Coder", "Proposal", "Codebook", "CodebookTheme", "SeedTerm", "CodebookError",
    "load_codebook", "codebook_from_dict", "validate_codebook", "code_answers",
    "coding_agreement", "theme_shares", "emerging_themes", "WordVectors",
    "load_word_vectors", "DEFAULT_CODEBOOK_PATH", "CODEBOOK_SCHEMA_PATH", "VECTOR_MODEL",
    "DEFAULT_THRESHOLD", "SECONDARY_THRESHOLD", "MIN_PER_THEME", "MIN_THEMES",
]
