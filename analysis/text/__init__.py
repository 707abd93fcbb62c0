"""French preprocessing of residents' free-text answers: normalise, lemmatise, cache.

An answer goes through three steps:

1. :func:`normalise_text` — Unicode NFC, lower case, typographic apostrophes,
   SMS forms and frequent misspellings ("rdv", "mdt", "medecin", "pb"...) rewritten;
2. lemmatisation with spaCy's ``fr_core_news_sm`` (parser and NER disabled), with
   multi-word expressions ("médecin traitant", "qualité de l'air"...) merged into one
   token — the result is cached under :func:`text_hash` of the normalised text;
3. stop words removed (spaCy's French list minus the words that matter in health
   answers: "pas", "sans", "plus", "personne", "seul"...).

Useless answers ("rien", "RAS", "nsp", "...", empty) are recognised before parsing,
excluded and counted. Importing this package does not import spaCy: models are
loaded, and the stop-word list read, on first use.
"""
from ._cache import LemmaCache
from ._lexicon import (
    ABBREVIATIONS,
    DISPLAY_EXCLUDED,
    EXPRESSIONS,
    FIXED_EXPRESSIONS,
    LEMMA_FIXES,
    STOP_WORDS,
    USELESS_ANSWERS,
)
from ._normalise import (
    PREPROCESSING_VERSION,
    SPACY_MODEL,
    normalise_text,
    rewrite_fixed_expressions,
    text_hash,
    useless_reason,
)
from ._preprocess import (
    PIPELINE_COMPONENTS,
    FrenchPreprocessor,
    PreprocessedAnswers,
    default_preprocessor,
    load_french,
    preprocess_answers,
)

__all__ = [
    "SPACY_MODEL",
    "LemmaCache",
    "PreprocessedAnswers",
    "FrenchPreprocessor",
    "load_french",
    "normalise_text",
    "text_hash",
    "useless_reason",
    "preprocess_answers",
    "default_preprocessor",
    "PIPELINE_COMPONENTS",
    "PREPROCESSING_VERSION",
    "ABBREVIATIONS",
    "EXPRESSIONS",
    "FIXED_EXPRESSIONS",
    "rewrite_fixed_expressions",
    "LEMMA_FIXES",
    "STOP_WORDS",
    "DISPLAY_EXCLUDED",
    "USELESS_ANSWERS",
]
