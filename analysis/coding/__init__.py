"""Semi-automatic coding of free-text answers with a codebook and a coordinator in the loop.

The codebook (:func:`load_codebook`; the default French CLS codebook ships in
``analysis/coding/data/``) gives each theme seed terms; :class:`Coder` codes every
answer with a confidence per theme from the codebook's terms (lemmas, surface words,
near-misspellings), word-vector similarity, and — once the coordinator has coded
enough answers — classifiers trained on those codings and the words of the answers
they coded. A theme is a need or a population concerned (:data:`THEME_KINDS`): the
main theme of an answer is its need. The coordinator checks the answers
:meth:`Coder.next_to_check` proposes and :meth:`Coder.record` stores each coding, which
takes effect for everything read next; :meth:`Coder.evidence` says why an answer has
each theme (terms, close words, learned words, classifier). :func:`theme_shares`,
:func:`coding_agreement` and :func:`emerging_themes` turn codings into results.

References
----------
Cohen J (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20, 37-46.
"""
from ._codebook import (
    CODEBOOK_DOC_PATH,
    CODEBOOK_SCHEMA_PATH,
    DEFAULT_CODEBOOK_PATH,
    Codebook,
    CodebookError,
    CodebookTheme,
    SeedTerm,
    THEME_KINDS,
    codebook_from_dict,
    load_codebook,
    validate_codebook,
)
from ._coder import (DEFAULT_THRESHOLD, SECONDARY_THRESHOLD, Coder, Proposal, ThemeEvidence,
                     code_answers)
from ._learn import MIN_PER_THEME, MIN_THEMES
from ._report import coding_agreement, emerging_themes, theme_shares
from ._vectors import VECTOR_MODEL, WordVectors, load_word_vectors

__all__ = [
    "Codebook", "CodebookTheme", "SeedTerm", "CodebookError", "load_codebook",
    "codebook_from_dict", "validate_codebook", "DEFAULT_CODEBOOK_PATH", "ThemeEvidence",
    "THEME_KINDS",
    "CODEBOOK_SCHEMA_PATH", "CODEBOOK_DOC_PATH", "Coder", "Proposal", "code_answers",
    "coding_agreement", "theme_shares", "emerging_themes", "WordVectors",
    "load_word_vectors", "VECTOR_MODEL", "MIN_PER_THEME", "MIN_THEMES",
    "DEFAULT_THRESHOLD", "SECONDARY_THRESHOLD",
]
