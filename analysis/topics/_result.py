"""The themes found in a set of answers, and how the coordinator edits and reads them.

Private module; the public names are re-exported by :mod:`analysis.topics`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..axes import AXIS_LABELS, best_axis
from ..privacy import mask_pii
from ..wordclouds import slugify, write_wordcloud
from . import _fit
from ._fit import Corpus
from ._models import Factorisation, npmi_coherence, top_term_indices
from ._shares import ESTIMATE_COLUMNS, Estimator, weighted_share_estimator
from ._words import distinctive_order, label_terms

__all__ = ["Theme", "ThemeResult"]

_TOP_N = 10


@dataclass(frozen=True)
class Theme:
    """One theme: its label, words, size and CLS axis."""

    theme_id: int
    label: str
    top_terms: tuple[str, ...]
    term_weights: tuple[float, ...]
    n_answers: int
    share_of_answers: float
    coherence: float
    axis: str | None
    axis_score: float


@dataclass
class _Model:
    corpus: Corpus
    factorisation: Factorisation
    theme_ids: list[int]
    labels: dict[int, str]
    lexicon: Mapping[str, Iterable[str]]
    seed: int


@dataclass
class ThemeResult:
    """Themes found in a set of answers.

    Attributes
    ----------
    question_id : str or None
        The question analysed (``"__toutes__"`` for all questions together).
    method : {"guided", "vectors", "gsdmm", "nmf"}
        The method used: ``"vectors"`` when ``"guided"`` was asked but the codebook
        does not fit the answers, ``"gsdmm"`` when the word vectors are missing (the
        `notes` say so).
    status : {"ok", "too_few_answers"}
        ``too_few_answers``: no themes, see `message`.
    message : str
        French explanation for the coordinator.
    counts : dict
        ``answers``, ``useful``, ``useless`` (all excluded: empty, no letters, useless
        phrase, no content word), ``empty``, ``no_letters``, ``no_content``,
        ``modelled`` and ``unassigned`` (useful but no word in the vocabulary).
    answers : DataFrame
        One row per answer: ``response_id, question_id, text, district, weight,
        excluded`` (reason or None), ``modelled`` (has words in the vocabulary),
        ``theme_id`` (Int64, NA when none) and ``theme_weight`` (membership of that
        theme, 1 for GSDMM).
    themes : list of Theme
    k_selection : DataFrame or None
        ``k, stability, coherence, score`` for each k tried.
    k_informative : bool or None
        False when the criterion could not tell the k tried apart (then `notes`
        says so in French); None when k was given.
    notes : list of str
        French warnings for the coordinator (k not informed, one theme holding
        most answers, vectors missing).
    """

    question_id: str | None
    method: str
    status: str
    message: str
    counts: dict
    answers: pd.DataFrame
    themes: list[Theme] = field(default_factory=list)
    k_selection: pd.DataFrame | None = None
    k_informative: bool | None = None
    notes: list[str] = field(default_factory=list)
    _model: _Model | None = field(default=None, repr=False)

    # --- reading -----------------------------------------------------------------
    @property
    def membership(self) -> str:
        """``"single"`` (one theme per answer: vectors, GSDMM) or ``"mixed"`` (NMF)."""
        return "single" if self.method in _fit.SINGLE else "mixed"

    @property
    def has_themes(self) -> bool:
        return self.status == "ok" and bool(self.themes)

    def theme(self, theme_id: int) -> Theme:
        """Return the theme with this id."""
        for theme in self.themes:
            if theme.theme_id == theme_id:
                return theme
        raise KeyError(f"no theme {theme_id}; themes are {[t.theme_id for t in self.themes]}")

    def memberships(self) -> pd.DataFrame:
        """Return the membership weights (rows: modelled answers, columns: theme ids)."""
        model = self._require_model()
        rows = self.answers.index[self._modelled_positions()]
        return pd.DataFrame(model.factorisation.doc_topic, index=rows, columns=model.theme_ids)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per theme, for tables and reports."""
        rows = [{"theme_id": t.theme_id, "label": t.label, "n_answers": t.n_answers,
                 "share_of_answers": t.share_of_answers, "top_terms": ", ".join(t.top_terms),
                 "axis": t.axis, "axis_label": AXIS_LABELS.get(t.axis, t.axis),
                 "axis_score": t.axis_score, "coherence": t.coherence} for t in self.themes]
        return pd.DataFrame(rows, columns=["theme_id", "label", "n_answers", "share_of_answers",
                                           "top_terms", "axis", "axis_label", "axis_score",
                                           "coherence"])

    # --- editing (each returns a new result) -------------------------------------------
    def rename(self, theme_id: int, label: str) -> ThemeResult:
        """Return the result with theme `theme_id` labelled `label`."""
        model = self._require_model()
        self.theme(theme_id)
        if not str(label).strip():
            raise ValueError("a theme label cannot be empty")
        labels = {**model.labels, theme_id: str(label).strip()}
        return _assemble(self, dataclasses.replace(model, labels=labels))

    def merge(self, theme_id: int, other_id: int, label: str | None = None) -> ThemeResult:
        """Return the result with `other_id` merged into `theme_id`.

        Memberships add up; the merged words are the two themes' word distributions
        weighted by their sizes.
        """
        model = self._require_model()
        if theme_id == other_id:
            raise ValueError("cannot merge a theme with itself")
        a, b = model.theme_ids.index(self.theme(theme_id).theme_id), \
            model.theme_ids.index(self.theme(other_id).theme_id)
        doc_topic = model.factorisation.doc_topic.copy()
        topic_term = model.factorisation.topic_term.copy()
        mass = doc_topic.sum(axis=0)
        total = mass[a] + mass[b]
        if total > 0:
            topic_term[a] = (mass[a] * topic_term[a] + mass[b] * topic_term[b]) / total
        doc_topic[:, a] += doc_topic[:, b]
        keep = [i for i in range(len(model.theme_ids)) if i != b]
        labels = {t: v for t, v in model.labels.items() if t not in (theme_id, other_id)}
        if label:
            labels[theme_id] = label
        factorisation = dataclasses.replace(
            model.factorisation, doc_topic=doc_topic[:, keep], topic_term=topic_term[keep])
        new = dataclasses.replace(model, factorisation=factorisation,
                                  theme_ids=[model.theme_ids[i] for i in keep], labels=labels)
        return _assemble(self, new)

    def split(self, theme_id: int, k: int = 2) -> ThemeResult:
        """Return the result with `theme_id` replaced by `k` themes fitted on its answers.

        The same method is re-run on the answers whose main theme it is; new themes
        get new ids. Other answers' weight on the old theme is shared between the new
        ones by word similarity (NMF).
        """
        model = self._require_model()
        column = model.theme_ids.index(self.theme(theme_id).theme_id)
        doc_topic = model.factorisation.doc_topic
        main = np.flatnonzero((doc_topic.argmax(axis=1) == column) & (doc_topic.sum(axis=1) > 0))
        if k < 2 or len(main) < 2 * k:
            raise ValueError(f"theme {theme_id} has {len(main)} answers: too few to split in {k}")
        sub = _fit.fit(model.corpus.subset(main), self.method, k, seed=model.seed)
        weighted = np.flatnonzero(doc_topic[:, column] > 0)
        similarity = np.asarray(model.corpus.tfidf[weighted] @ sub.topic_term.T)
        shares = np.full_like(similarity, 1.0 / sub.topic_term.shape[0])
        has = similarity.sum(axis=1) > 0
        shares[has] = similarity[has] / similarity[has].sum(axis=1, keepdims=True)
        position = {row: i for i, row in enumerate(weighted)}
        for i, row in enumerate(main):
            shares[position[row]] = sub.doc_topic[i]
        new_columns = np.zeros((doc_topic.shape[0], sub.topic_term.shape[0]))
        new_columns[weighted] = doc_topic[weighted, column][:, None] * shares
        keep = [i for i in range(len(model.theme_ids)) if i != column]
        next_id = max(model.theme_ids) + 1
        new_ids = list(range(next_id, next_id + sub.topic_term.shape[0]))
        factorisation = dataclasses.replace(
            model.factorisation,
            doc_topic=np.hstack([doc_topic[:, keep], new_columns]),
            topic_term=np.vstack([model.factorisation.topic_term[keep], sub.topic_term]))
        labels = {t: v for t, v in model.labels.items() if t != theme_id}
        new = dataclasses.replace(model, factorisation=factorisation, labels=labels,
                                  theme_ids=[model.theme_ids[i] for i in keep] + new_ids)
        return _assemble(self, new)

    # --- shares, verbatims, clouds -----------------------------------------------------
    def indicators(self, *, min_weight: float | None = None, base: str = "useful"
                   ) -> pd.DataFrame:
        """Return one row per respondent: district, weight and a boolean column per theme.

        A respondent mentions a theme when it is the main theme of one of their
        answers, or, with `min_weight`, when one answer gives it at least that weight.
        `base` is ``"useful"`` (respondents with a useful answer) or ``"all"``.
        """
        if base not in ("useful", "all"):
            raise ValueError("base must be 'useful' or 'all'")
        answers = self.answers
        if base == "useful":
            answers = answers[answers["excluded"].isna()]
        respondents = answers.groupby("response_id", sort=True).agg(
            district=("district", "first"), weight=("weight", "first"))
        if not self.has_themes:
            return respondents
        if min_weight is None:
            mentions = answers.loc[answers["theme_id"].notna(), ["response_id", "theme_id"]]
        else:
            weights = self.memberships().stack()
            weights = weights[weights >= min_weight].reset_index()
            weights.columns = ["row", "theme_id", "weight"]
            weights["response_id"] = self.answers.loc[weights["row"], "response_id"].to_numpy()
            mentions = weights[["response_id", "theme_id"]]
        for theme in self.themes:
            ids = set(mentions.loc[mentions["theme_id"] == theme.theme_id, "response_id"])
            respondents[theme.theme_id] = respondents.index.isin(ids)
        return respondents

    def shares(self, by: str | None = None, *, estimator: Estimator | None = None,
               min_weight: float | None = None, base: str = "useful") -> pd.DataFrame:
        """Return the share of respondents mentioning each theme, overall or by `by`.

        Parameters
        ----------
        by : str, optional
            Column of the answers to break down by, usually ``"district"``.
        estimator : callable, optional
            ``estimator(indicator, domain) -> DataFrame[domain, n, estimate, ci_low,
            ci_high]`` with `indicator` a boolean Series indexed by response_id and
            `domain` a Series on the same index or None. Defaults to
            :func:`weighted_share_estimator` on the ``weight`` column (1 when absent).
        min_weight, base
            See :meth:`indicators`.

        Returns
        -------
        DataFrame
            ``theme_id, label`` and the estimator's columns, one row per theme and
            domain.
        """
        columns = ["theme_id", "label", *ESTIMATE_COLUMNS]
        if not self.has_themes:
            return pd.DataFrame(columns=columns)
        respondents = self.indicators(min_weight=min_weight, base=base)
        if estimator is None:
            estimator = weighted_share_estimator(respondents["weight"])
        domain = None
        if by is not None:
            if by not in self.answers.columns:
                raise KeyError(f"no column {by!r} in the answers")
            domain = self.answers.groupby("response_id")[by].first().reindex(respondents.index)
        parts = []
        for theme in self.themes:
            indicator = respondents[theme.theme_id].rename(theme.label)
            part = pd.DataFrame(estimator(indicator, domain))
            part.insert(0, "label", theme.label)
            part.insert(0, "theme_id", theme.theme_id)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def verbatims(self, theme_id: int, n: int = 5, *, mask: bool = True) -> pd.DataFrame:
        """Return the `n` answers most typical of a theme, personal data masked.

        Typicality is the answer's weight on the theme times the cosine similarity of
        its TF-IDF vector with the theme's words; identical answers are quoted once.
        """
        model = self._require_model()
        column = model.theme_ids.index(self.theme(theme_id).theme_id)
        doc_topic = model.factorisation.doc_topic
        mine = np.flatnonzero(doc_topic.argmax(axis=1) == column)
        mine = mine[doc_topic[mine].sum(axis=1) > 0]
        words = model.factorisation.topic_term[column]
        norm = np.linalg.norm(words)
        cosine = np.asarray(model.corpus.tfidf[mine] @ words).ravel() / (norm or 1.0)
        score = cosine * doc_topic[mine, column]
        rows = self.answers.iloc[self._modelled_positions()[mine]].copy()
        rows["typicality"] = score
        rows = rows.sort_values("typicality", ascending=False, kind="stable")
        rows = rows.drop_duplicates(subset="text").head(n)
        text = rows["text"].map(mask_pii) if mask else rows["text"]
        return pd.DataFrame({"response_id": rows["response_id"].to_numpy(),
                             "text": text.to_numpy(), "typicality": rows["typicality"].to_numpy()})

    def wordcloud(self, theme_id: int, folder: str | Path, *, max_words: int = 40) -> Path:
        """Write the theme's word cloud as a PNG in `folder` and return its path."""
        model = self._require_model()
        column = model.theme_ids.index(self.theme(theme_id).theme_id)
        weights = model.factorisation.topic_term[column]
        order = top_term_indices(weights[None, :], max_words, model.corpus.displayable)[0]
        prefix = f"{slugify(self.question_id)}-" if self.question_id else ""
        name = f"{prefix}theme-{theme_id:02d}-{slugify(self.theme(theme_id).label)}.png"
        frequencies = {model.corpus.shown[i]: float(weights[i]) for i in order}
        return write_wordcloud(frequencies, Path(folder) / name, max_words=max_words,
                               seed=model.seed)

    def wordclouds(self, folder: str | Path, *, max_words: int = 40) -> dict[int, Path]:
        """Write every theme's word cloud in `folder`; return the paths by theme id."""
        return {t.theme_id: self.wordcloud(t.theme_id, folder, max_words=max_words)
                for t in self.themes}

    # --- internals ----------------------------------------------------------------------
    def _require_model(self) -> _Model:
        if self._model is None:
            raise ValueError(self.message or "no themes in this result")
        return self._model

    def _modelled_positions(self) -> np.ndarray:
        return np.flatnonzero(self.answers["modelled"].to_numpy())


def _auto_label(terms: Sequence[str]) -> str:
    """The 2-3 most distinctive whole words or expressions, generic words left out."""
    chosen = label_terms(terms, 3)
    if chosen:
        return ", ".join(chosen)
    return f"réponses diverses ({', '.join(terms[:2])})" if terms else "thème sans mots"


def _top_terms(corpus: Corpus, topic_term: np.ndarray, n: int) -> list[np.ndarray]:
    """Per theme, its `n` most distinctive shown terms (weight times lift)."""
    background = np.asarray(corpus.counts.sum(axis=0)).ravel().astype(float)
    background /= max(background.sum(), 1.0)
    tops = []
    for row in topic_term:
        order = distinctive_order(row, background)
        order = order[corpus.displayable[order] & (row[order] > 0)]
        tops.append(order[:n])
    return tops


def _assemble(previous: ThemeResult, model: _Model) -> ThemeResult:
    """Rebuild themes and per-answer columns from a (possibly edited) model."""
    f = model.factorisation
    corpus = model.corpus
    tops = _top_terms(corpus, f.topic_term, _TOP_N)
    coherence = npmi_coherence(tops, corpus.presence)
    assigned = f.doc_topic.sum(axis=1) > 0
    main = f.doc_topic.argmax(axis=1)
    n_modelled = max(len(main), 1)
    themes = []
    for column, theme_id in enumerate(model.theme_ids):
        terms = tuple(corpus.shown[i] for i in tops[column])
        weights = tuple(float(f.topic_term[column, i]) for i in tops[column])
        axis = best_axis(terms, weights, model.lexicon)
        n = int(np.sum(assigned & (main == column)))
        themes.append(Theme(theme_id, model.labels.get(theme_id, _auto_label(terms)), terms,
                            weights, n, n / n_modelled, float(coherence[column]),
                            axis.axis, axis.score))
    answers = previous.answers.copy()
    positions = np.flatnonzero(answers["modelled"].to_numpy())
    ids = np.array(model.theme_ids)[main]
    theme_id = pd.array([pd.NA] * len(answers), dtype="Int64")
    theme_weight = np.full(len(answers), np.nan)
    theme_id[positions[assigned]] = ids[assigned]
    theme_weight[positions[assigned]] = f.doc_topic[assigned, main[assigned]]
    answers["theme_id"] = theme_id
    answers["theme_weight"] = theme_weight
    themes.sort(key=lambda t: (-t.n_answers, t.theme_id))
    return dataclasses.replace(previous, themes=themes, answers=answers, _model=model)
