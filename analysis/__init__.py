"""Analysis library of the CLS diagnostic: weighting, estimation, free text.

Pure library: pandas DataFrames in, result objects and DataFrames out. It never
imports Flask, the database or ``survey_app``, so it can be used from a notebook::

    from analysis import rake, survey_proportion
    result = rake(responses, margins)
    survey_proportion(responses, result.design, "medecin_traitant", need=["non"], by="district")

Names are imported on first use (PEP 562), so that importing one part (weighting in a
web worker, say) does not load the language models and topic models of another.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "analysis.weighting": [
        "Design", "rake", "post_stratify", "trim_weights", "weight_diagnostics", "structure_table",
        "WeightingResult", "TrimResult", "WeightDiagnostics", "WeightingError", "EmptyCategoryError",
        "UnknownCategoryError", "MarginsError", "RakingConvergenceError",
    ],
    "analysis.estimation": ["survey_mean", "survey_total", "survey_proportion"],
    "analysis.crosstab": [
        "crosstab", "rao_scott_test", "compare_domains", "benjamini_hochberg", "indicator_tables",
        "apply_publication_rules", "Indicator", "CrossTab", "RaoScottResult", "MIN_CELL", "FRAGILE_BELOW", "TOWN",
    ],
    "analysis.text": [
        "normalise_text", "text_hash", "useless_reason", "preprocess_answers", "FrenchPreprocessor",
        "PreprocessedAnswers", "LemmaCache", "load_french", "SPACY_MODEL",
    ],
    "analysis.topics": [
        "find_themes", "analyse_answers", "ThemeResult", "Theme", "AnswersAnalysis", "MIN_ANSWERS",
        "DEFAULT_K_RANGE", "weighted_share_estimator",
    ],
    "analysis.axes": ["DEFAULT_AXES", "AXIS_LABELS", "AxisScore", "score_axes", "best_axis"],
    "analysis.privacy": ["mask_pii", "mask_emails", "mask_phones", "mask_names"],
    "analysis.wordclouds": ["write_wordcloud"],
    "analysis.coding": [
        "Coder", "Proposal", "Codebook", "CodebookTheme", "SeedTerm", "CodebookError", "load_codebook",
        "codebook_from_dict", "validate_codebook", "code_answers", "coding_agreement", "theme_shares",
        "emerging_themes", "WordVectors", "load_word_vectors", "DEFAULT_CODEBOOK_PATH", "CODEBOOK_SCHEMA_PATH",
        "VECTOR_MODEL", "DEFAULT_THRESHOLD", "SECONDARY_THRESHOLD", "MIN_PER_THEME", "MIN_THEMES",
    ],
}

_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
