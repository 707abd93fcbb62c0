"""Results of coding for the analysis: agreement, theme shares, emerging themes.

Private helper of :mod:`analysis.coding`.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._missing import blank_as_missing
from ..topics import find_themes, weighted_share_estimator

#: Row of :func:`coding_agreement` for the main theme (first theme of each coding).
MAIN_THEME = "__theme_principal__"
_NOT_CODED = "__non_code__"
SHARE_COLUMNS = ["theme", "label", "domain", "n", "estimate", "ci_low", "ci_high"]


def answers_frame(answers) -> pd.DataFrame:
    """Return the answers with ``answer_id, text, response_id, district, weight``.

    The answer id is column ``answer_id``, else ``id``, else ``response_id`` when it
    is unique, else the row number.
    """
    if not isinstance(answers, pd.DataFrame):
        answers = pd.DataFrame({"text": list(answers)})
    if "text" not in answers.columns:
        raise KeyError("the answers need a 'text' column")
    # a blank district is no district (the text itself may be blank: it is then "empty")
    answers = blank_as_missing(answers, ["district"])
    n = len(answers)
    if "answer_id" in answers:
        ids = answers["answer_id"].to_numpy()
    elif "id" in answers:
        ids = answers["id"].to_numpy()
    elif "response_id" in answers and answers["response_id"].is_unique:
        ids = answers["response_id"].to_numpy()
    else:
        ids = np.arange(n)
    if pd.Series(ids).duplicated().any():
        raise ValueError("answer ids must be unique")
    frame = pd.DataFrame({"answer_id": ids, "text": answers["text"].to_numpy(dtype=object)})
    frame["response_id"] = answers["response_id"].to_numpy() if "response_id" in answers else ids
    frame["district"] = answers["district"].to_numpy() if "district" in answers else None
    weight = answers["weight"].to_numpy(dtype=float) if "weight" in answers else np.ones(n)
    if not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise ValueError("weights must be finite and non-negative")
    frame["weight"] = weight
    return frame



def _as_mapping(codings) -> dict:
    """Accept ``answer_id -> themes`` or a long DataFrame ``answer_id, theme[, rank]``."""
    if isinstance(codings, pd.DataFrame):
        frame = codings.sort_values("rank", kind="stable") if "rank" in codings else codings
        out: dict = {}
        for answer_id, theme in zip(frame["answer_id"], frame["theme"]):
            out.setdefault(answer_id, [])
            if isinstance(theme, str):
                out[answer_id].append(theme)
        return {a: tuple(t) for a, t in out.items()}
    return {a: tuple([t] if isinstance(t, str) else t) for a, t in dict(codings).items()}


def coding_agreement(first, second, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Return Cohen's kappa between two codings of the same answers.

    Parameters
    ----------
    first, second : mapping or DataFrame
        ``answer_id -> themes`` (main theme first; empty: not coded), or a long frame
        with ``answer_id, theme`` (and ``rank``). Only answers both coded are compared.
    themes : sequence of str, optional
        Themes to report (default: every theme either coder used).

    Returns
    -------
    DataFrame
        One row per theme (binary: mentioned or not) and a last row
        :data:`MAIN_THEME` (nominal: the main theme, "not coded" being a category):
        ``theme, n, agreement`` (observed share of agreement), ``kappa``, and
        ``positive_first, positive_second`` (answers each coder gave that theme).
        Kappa is NaN when it is undefined (both coders constant).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20(1), 37-46.
    """
    from sklearn.metrics import cohen_kappa_score

    a, b = _as_mapping(first), _as_mapping(second)
    common = [answer for answer in a if answer in b]
    if themes is None:
        themes = sorted({t for m in (a, b) for answer in common for t in m[answer]})
    rows = []

    def kappa(x, y):
        if len(x) == 0 or (len(set(x)) == 1 and set(x) == set(y)):
            return np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(cohen_kappa_score(x, y))

    for theme in themes:
        x = [theme in a[answer] for answer in common]
        y = [theme in b[answer] for answer in common]
        rows.append((theme, len(common), _observed(x, y), kappa(x, y), sum(x), sum(y)))
    x = [a[answer][0] if a[answer] else _NOT_CODED for answer in common]
    y = [b[answer][0] if b[answer] else _NOT_CODED for answer in common]
    rows.append((MAIN_THEME, len(common), _observed(x, y), kappa(x, y), np.nan, np.nan))
    return pd.DataFrame(rows, columns=["theme", "n", "agreement", "kappa", "positive_first",
                                       "positive_second"])


def _observed(x, y) -> float:
    return float(np.mean([p == q for p, q in zip(x, y)])) if len(x) else np.nan


def theme_shares(codings: pd.DataFrame, answers: pd.DataFrame, *, by: str | None = None,
                 estimator=None, codebook=None, weights: pd.Series | None = None,
                 base: str = "useful", main_only: bool = False) -> pd.DataFrame:
    """Return the share of respondents who raise each theme, overall or by `by`.

    Parameters
    ----------
    codings : DataFrame
        Long codings (``answer_id, theme``; ``response_id`` and ``rank`` optional), e.g.
        :meth:`Coder.codings`.
    answers : DataFrame
        ``answer_id``, ``response_id`` (default: answer_id), the `by` column and
        ``weight`` (one per respondent); ``excluded`` (None for useful answers) is
        used when ``base="useful"``.
    by : str, optional
        Column to break down by, usually ``"district"``.
    estimator : callable, optional
        ``estimator(indicator, domain) -> DataFrame[domain, n, estimate, ci_low,
        ci_high]``, as in :meth:`analysis.topics.ThemeResult.shares`. Defaults to
        :func:`analysis.topics.weighted_share_estimator` on `weights` (or the
        ``weight`` column).
    codebook : Codebook, optional
        For the labels and the list of themes (default: themes present in codings).
    base : {"useful", "all"}
        Respondents with at least one useful answer, or all of them.
    main_only : bool
        Count only main themes (rank 1).

    Returns
    -------
    DataFrame
        ``theme, label, domain, n, estimate, ci_low, ci_high``.
    """
    if base not in ("useful", "all"):
        raise ValueError("base must be 'useful' or 'all'")
    answers = answers.copy()
    if "response_id" not in answers:
        answers["response_id"] = answers["answer_id"]
    if "weight" not in answers:
        answers["weight"] = 1.0
    if base == "useful" and "excluded" in answers:
        answers = answers[answers["excluded"].isna()]
    respondents = answers.groupby("response_id", sort=True).agg(weight=("weight", "first"))
    if main_only and "rank" in codings:
        codings = codings[codings["rank"] == 1]
    if "response_id" not in codings:
        lookup = answers.set_index("answer_id")["response_id"]
        codings = codings.assign(response_id=codings["answer_id"].map(lookup))
    if codebook is not None:
        keys, labels = codebook.keys, codebook.labels()
    else:
        keys = list(dict.fromkeys(codings["theme"]))
        labels = dict(zip(codings["theme"], codings.get("label", codings["theme"])))
    if estimator is None:
        estimator = weighted_share_estimator(
            weights.reindex(respondents.index) if weights is not None else respondents["weight"])
    domain = None
    if by is not None:
        if by not in answers:
            raise KeyError(f"no column {by!r} in the answers")
        domain = answers.groupby("response_id")[by].first().reindex(respondents.index)
    parts = []
    for key in keys:
        mentioned = set(codings.loc[codings["theme"] == key, "response_id"])
        indicator = pd.Series(respondents.index.isin(mentioned), index=respondents.index,
                              name=labels.get(key, key))
        part = pd.DataFrame(estimator(indicator, domain))
        part.insert(0, "label", labels.get(key, key))
        part.insert(0, "theme", key)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def emerging_themes(answers, *, n_examples: int = 5, method: str = "nmf",
                    min_answers: int = 20, k: int | None = None, cache=None,
                    preprocessor=None, progress=None, seed: int = 0,
                    mask: bool = True) -> pd.DataFrame:
    """Return candidate new themes: unsupervised themes of answers the codebook misses.

    Runs :func:`analysis.topics.find_themes` on `answers` (usually the useful
    answers no theme reaches, see :meth:`Coder.emerging_themes`).

    Returns
    -------
    DataFrame
        ``theme_id, label, top_terms`` (tuple), ``n_answers, share_of_answers, axis,
        coherence, examples`` (tuple of typical answers, personal data masked); empty
        when there are fewer than `min_answers` useful answers.
    """
    columns = ["theme_id", "label", "top_terms", "n_answers", "share_of_answers", "axis",
               "coherence", "examples"]
    frame = answers if isinstance(answers, pd.DataFrame) else pd.DataFrame({"text": list(answers)})
    frame = frame[[c for c in ("text", "response_id", "district", "weight") if c in frame]]
    if "response_id" in frame and not frame["response_id"].is_unique:
        frame = frame.drop(columns="response_id")
    if len(frame) < min_answers:
        return pd.DataFrame(columns=columns)
    result = find_themes(frame.reset_index(drop=True), method=method, k=k, seed=seed,
                         cache=cache, progress=progress, preprocessor=preprocessor,
                         min_answers=min_answers)
    if not result.has_themes:
        return pd.DataFrame(columns=columns)
    rows = []
    for theme in result.themes:
        examples = result.verbatims(theme.theme_id, n_examples, mask=mask)["text"]
        rows.append((theme.theme_id, theme.label, theme.top_terms, theme.n_answers,
                     theme.share_of_answers, theme.axis, theme.coherence,
                     tuple(examples)))
    return pd.DataFrame(rows, columns=columns)


def codings_frame(coder) -> pd.DataFrame:
    """One row per coded answer and theme of `coder` (see :meth:`Coder.codings`)."""
    conf = coder.confidence.copy()
    human = np.zeros(len(coder.answers), dtype=bool)
    human[list(coder._latest)] = True
    coded, main = coder._decide(conf)
    for row, chosen in coder._latest.items():
        coded[row] = False
        coded[row, [coder._key_index[t] for t in chosen]] = True
    rows, themes = np.nonzero(coded)
    # a person's order is kept: the first theme they gave is the main one
    given = np.where(themes == main[rows], 0.0, 1.0)
    for i, (row, theme) in enumerate(zip(rows, themes)):
        if human[row]:
            given[i] = coder._latest[row].index(coder._keys[theme])
    frame = pd.DataFrame({"row": rows, "theme_index": themes, "given": given,
                          "confidence": np.where(human[rows], 1.0, conf[rows, themes])})
    frame = frame.sort_values(["row", "given", "confidence", "theme_index"],
                              ascending=[True, True, False, True], kind="stable")
    frame["rank"] = frame.groupby("row").cumcount() + 1
    keys = np.array(coder._keys, dtype=object)
    out = pd.DataFrame({
        "answer_id": coder.answers["answer_id"].to_numpy()[frame["row"]],
        "response_id": coder.answers["response_id"].to_numpy()[frame["row"]],
        "theme": keys[frame["theme_index"]],
        "label": [coder._labels[t] for t in keys[frame["theme_index"]]],
        "confidence": frame["confidence"].to_numpy(),
        "source": np.where(human[frame["row"]], "human", "auto"),
        "rank": frame["rank"].to_numpy(),
    })
    return out.reset_index(drop=True)


def report_progress(progress, done: int, total: int) -> None:
    """Call ``progress(done, total)`` when there is one."""
    if progress is not None:
        progress(done, total)
