"""Lemmatisation of French free-text answers with spaCy, behind a lemma cache.

Private module; the public names are re-exported by :mod:`analysis.text`. spaCy is
imported only inside the functions that load or run a model.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ._cache import as_cache
from ._lexicon import ABBREVIATIONS, EXPRESSIONS, LEMMA_FIXES, STOP_WORDS
from ._normalise import (
    _DEFAULT_SALT,
    PREPROCESSING_VERSION,
    SPACY_MODEL,
    _fingerprint,
    _hash,
    normalise_text,
    useless_reason,
)

__all__ = ["PIPELINE_COMPONENTS", "PreprocessedAnswers", "FrenchPreprocessor", "load_french",
           "default_preprocessor", "preprocess_answers"]

#: Components lemmatisation needs; the parser, sentence recogniser and NER are left out.
PIPELINE_COMPONENTS = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")

ProgressCallback = Callable[[int, int], None]

_PIPELINES: dict[tuple[str, tuple[str, ...]], object] = {}


def load_french(model: str = SPACY_MODEL, components: Sequence[str] = PIPELINE_COMPONENTS):
    """Return the spaCy pipeline with only `components`, loaded once per process."""
    key = (model, tuple(components))
    if key not in _PIPELINES:
        import spacy  # imported here so that importing analysis stays cheap

        config = spacy.util.load_config(spacy.util.get_package_path(model) / _config_path(model))
        excluded = [name for name in config["nlp"]["pipeline"] if name not in components]
        _PIPELINES[key] = spacy.load(model, exclude=excluded)
    return _PIPELINES[key]


def _config_path(model: str) -> str:
    """Return the config file of an installed model package, relative to the package."""
    import spacy

    package = spacy.util.get_package_path(model)
    meta = spacy.util.load_meta(package / "meta.json")
    return f"{model}-{meta['version']}/config.cfg"


@dataclass
class PreprocessedAnswers:
    """Answers after preprocessing, in input order.

    Attributes
    ----------
    normalised : list of str
        Normalised texts.
    hashes : list of str
        Cache keys (:func:`text_hash`).
    tokens : list of list of str
        Content lemmas and expressions, stop words removed; empty for useless answers.
    useless : list of str or None
        Why an answer was excluded ("empty", "no_letters", "useless", "no_content").
    n_parsed : int
        Distinct texts that had to be parsed by spaCy (cache misses).
    """

    normalised: list[str]
    hashes: list[str]
    tokens: list[list[str]]
    useless: list[str | None]
    n_parsed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def useful(self) -> list[bool]:
        """Whether each answer is kept for themes."""
        return [reason is None for reason in self.useless]


class FrenchPreprocessor:
    """Normalise, lemmatise (with a cache) and filter French free-text answers.

    Parameters
    ----------
    expressions : sequence of str
        Multi-word expressions kept as one token, in their display form.
    abbreviations : mapping
        Whole-word replacements applied before parsing.
    stop_words : set of str
        Lemmas removed after parsing.
    model : str
        spaCy model package name.
    batch_size : int
        Texts per ``nlp.pipe`` batch.
    """

    def __init__(self, *, expressions: Sequence[str] = EXPRESSIONS,
                 abbreviations: Mapping[str, str] = ABBREVIATIONS,
                 stop_words: Iterable[str] = STOP_WORDS, model: str = SPACY_MODEL,
                 batch_size: int = 256):
        self.expressions = tuple(expressions)
        self.abbreviations = dict(abbreviations)
        self.stop_words = frozenset(stop_words)
        self.model = model
        self.batch_size = batch_size
        default = self.expressions == EXPRESSIONS and model == SPACY_MODEL
        self.salt = _DEFAULT_SALT if default else _fingerprint(
            PREPROCESSING_VERSION, model, self.expressions, LEMMA_FIXES)
        self._abbreviation_table = None if abbreviations is ABBREVIATIONS else self.abbreviations
        self._patterns: dict[str, list[tuple[tuple[frozenset, ...], str]]] | None = None
        self._strings: dict[tuple[int, bool], str] = {}

    @property
    def nlp(self):
        """The spaCy pipeline (loaded on first use, shared by the process)."""
        return load_french(self.model)

    def normalise(self, text: object) -> str:
        """Return the normalised form of `text` (see :func:`normalise_text`)."""
        return normalise_text(text, self._abbreviation_table)

    def text_hash(self, text: object) -> str:
        """Return the cache key of `text` under this preprocessor's settings."""
        return _hash(self.normalise(text), self.salt)

    def _expression_patterns(self):
        """Index expressions by their first word; each word accepts its lemma or form."""
        if self._patterns is None:
            patterns: dict[str, list] = {}
            for phrase, doc in zip(self.expressions, self.nlp.pipe(self.expressions)):
                words = [t for t in doc if not t.is_space]
                steps = tuple(frozenset({t.lower_, t.lemma_.lower()}) for t in words)
                for first in steps[0]:
                    patterns.setdefault(first, []).append((steps, phrase))
            for candidates in patterns.values():
                candidates.sort(key=lambda item: -len(item[0]))
            self._patterns = patterns
        return self._patterns

    def _lemmas(self, doc) -> list[str]:
        """Return the lemmas of a parsed answer with expressions merged."""
        # one C-level export per answer: creating a Token object per word would cost
        # about a tenth of the parsing time
        rows = doc.to_array(self._attributes).tolist()
        word = self._word
        words = [(word(lower), word(lemma, True)) for lower, lemma, punct, space, number
                 in rows if not (punct or space or number)]
        patterns = self._expression_patterns()
        lemmas: list[str] = []
        i, n = 0, len(words)
        while i < n:
            form, lemma = words[i]
            candidates = patterns.get(lemma) or patterns.get(form)
            if candidates:
                for steps, phrase in candidates:
                    size = len(steps)
                    if i + size <= n and all(
                        words[i + j][0] in steps[j] or words[i + j][1] in steps[j]
                        for j in range(size)
                    ):
                        lemmas.append(phrase)
                        i += size
                        break
                else:
                    lemmas.append(lemma)
                    i += 1
            else:
                lemmas.append(lemma)
                i += 1
        return lemmas

    @property
    def _attributes(self):
        from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER

        return [LOWER, LEMMA, IS_PUNCT, IS_SPACE, LIKE_NUM]

    def _word(self, key: int, lemma: bool = False) -> str:
        """Return the lower-case string of a vocabulary hash, corrected if a lemma."""
        cached = self._strings.get((key, lemma))
        if cached is None:
            cached = self.nlp.vocab.strings[key].lower()
            if lemma:
                cached = LEMMA_FIXES.get(cached, cached)
            self._strings[(key, lemma)] = cached
        return cached

    def content(self, lemmas: Iterable[str]) -> list[str]:
        """Return `lemmas` without stop words, one-letter words and words without letters."""
        stop = self.stop_words
        return [w for w in lemmas if w not in stop and len(w) > 1 and not w.isdigit()]

    def lemmatise(self, normalised: Sequence[str], *, cache=None,
                  progress: ProgressCallback | None = None) -> tuple[list[list[str]], int]:
        """Return the lemma list of each normalised text and how many were parsed.

        Cached lemmas are read in one ``get_many`` call; only the missing distinct
        texts go through spaCy, and their lemmas are written back with ``set_many``
        after each chunk, so an interrupted run keeps what it did.
        """
        return self._lemmatise([_hash(text, self.salt) for text in normalised], normalised,
                               cache=cache, progress=progress)

    def _lemmatise(self, keys, normalised, *, cache, progress):
        store = as_cache(cache)
        found = dict(store.get_many(list(dict.fromkeys(keys)))) if keys else {}
        missing = {}
        for key, text in zip(keys, normalised):
            if key not in found:
                missing.setdefault(key, text)
        total, done = len(keys), len(keys) - len(missing)
        if progress is not None:
            progress(done, total)
        if missing:
            pending: dict[str, list[str]] = {}
            flush_every = max(self.batch_size, 1000)
            docs = self.nlp.pipe(missing.values(), batch_size=self.batch_size)
            for key, doc in zip(missing.keys(), docs):
                pending[key] = found[key] = self._lemmas(doc)
                if len(pending) >= flush_every:
                    store.set_many(pending)
                    done += len(pending)
                    pending = {}
                    if progress is not None:
                        progress(done, total)
            if pending:
                store.set_many(pending)
        if progress is not None and missing:
            progress(total, total)
        return [list(found[key]) for key in keys], len(missing)

    def preprocess(self, texts: Iterable[object], *, cache=None,
                   progress: ProgressCallback | None = None) -> PreprocessedAnswers:
        """Normalise, lemmatise and filter `texts`; useless answers are not parsed.

        Parameters
        ----------
        texts : iterable
            Answers as keyed (str, None or NaN).
        cache : LemmaCache or MutableMapping, optional
            Lemma store keyed by :meth:`text_hash`; with every answer cached, spaCy is
            not called (nor even loaded).
        progress : callable(done, total), optional
            Called as answers are lemmatised (useless answers count as done at once).

        Returns
        -------
        PreprocessedAnswers
        """
        normalised = [self.normalise(t) for t in texts]
        reasons = [useless_reason(t) for t in normalised]
        hashes = [_hash(t, self.salt) for t in normalised]
        useful = [i for i, r in enumerate(reasons) if r is None]
        skipped = len(normalised) - len(useful)
        report = None if progress is None else (
            lambda done, total: progress(done + skipped, total + skipped))
        lemmas, n_parsed = self._lemmatise([hashes[i] for i in useful],
                                           [normalised[i] for i in useful],
                                           cache=cache, progress=report)
        tokens: list[list[str]] = []
        parsed = iter(lemmas)
        for i, reason in enumerate(reasons):
            words = self.content(next(parsed)) if reason is None else []
            if reason is None and not words:
                reasons[i] = "no_content"
            tokens.append(words)
        counts = {"answers": len(normalised), "useful": sum(r is None for r in reasons)}
        for reason in ("empty", "no_letters", "useless", "no_content"):
            counts[reason] = sum(r == reason for r in reasons)
        return PreprocessedAnswers(
            normalised=normalised,
            hashes=hashes,
            tokens=tokens, useless=reasons, n_parsed=n_parsed, counts=counts,
        )


_DEFAULT_PREPROCESSOR: FrenchPreprocessor | None = None


def default_preprocessor() -> FrenchPreprocessor:
    """Return the process-wide preprocessor with the default lists."""
    global _DEFAULT_PREPROCESSOR
    if _DEFAULT_PREPROCESSOR is None:
        _DEFAULT_PREPROCESSOR = FrenchPreprocessor()
    return _DEFAULT_PREPROCESSOR


def preprocess_answers(texts: Iterable[object], *, cache=None,
                       progress: ProgressCallback | None = None,
                       preprocessor: FrenchPreprocessor | None = None) -> PreprocessedAnswers:
    """Preprocess answers with the default (or given) :class:`FrenchPreprocessor`."""
    return (preprocessor or default_preprocessor()).preprocess(
        texts, cache=cache, progress=progress)
