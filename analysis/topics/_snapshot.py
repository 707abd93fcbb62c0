"""A theme result as plain JSON values, and the coordinator's edits on it.

Private module; the public names are re-exported by :mod:`analysis.topics`. A service
stores the snapshot (a dict of lists, strings and numbers) and edits it later, in
another process, without the fitted model: renaming and merging only move labels and
answers; splitting refits the result's method on the words of the theme's answers,
which the snapshot keeps.

A snapshot::

    {"question_id", "method", "seed", "status", "message", "notes", "k_informative",
     "counts", "next_id",
     "themes": [{"theme_id", "label", "renamed", "terms", "n_answers", "axis"}],
     "answers": [{"response_id", "question_id", "text", "theme_id", "terms"}],
     "display": {term key: word shown}}

Texts are stored with personal data masked (:func:`analysis.privacy.mask_pii`).
"""
from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pandas as pd
from scipy import sparse

from ..axes import DEFAULT_AXES, best_axis
from ..privacy import mask_pii
from ..text import DISPLAY_EXCLUDED
from . import _fit
from ._words import distinctive_order

__all__ = ["SNAPSHOT_VERSION", "to_snapshot", "snapshot_rename", "snapshot_merge",
           "snapshot_split", "snapshot_verbatims", "snapshot_theme"]

SNAPSHOT_VERSION = 1
_TOP_N = 10


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def to_snapshot(result, *, mask: bool = True) -> dict:
    """Return `result` (a :class:`ThemeResult`) as JSON values (see the module)."""
    snap = {
        "version": SNAPSHOT_VERSION, "question_id": result.question_id,
        "method": result.method, "seed": 0, "status": result.status,
        "message": result.message, "notes": list(result.notes),
        "k_informative": result.k_informative,
        "counts": {k: int(v) for k, v in result.counts.items()},
        "themes": [], "answers": [], "display": {}, "next_id": 1,
    }
    if not result.has_themes:
        return snap
    model = result._require_model()
    corpus = model.corpus
    snap["seed"] = int(model.seed)
    positions = result._modelled_positions()
    answers = result.answers.iloc[positions]
    counts = corpus.counts.tocsr()
    for row, (_, answer) in enumerate(answers.iterrows()):
        if pd.isna(answer["theme_id"]):
            continue
        terms = [str(corpus.vocabulary[j]) for j in counts.indices[
            counts.indptr[row]:counts.indptr[row + 1]]]
        text = str(answer["text"])
        snap["answers"].append({
            "response_id": _plain(answer["response_id"]),
            "question_id": None if answer["question_id"] is None else str(answer["question_id"]),
            "text": mask_pii(text) if mask else text,
            "theme_id": int(answer["theme_id"]), "terms": terms,
        })
    snap["display"] = {str(k): str(v) for k, v in zip(corpus.vocabulary, corpus.shown)}
    snap["themes"] = [{"theme_id": int(t.theme_id), "label": t.label,
                       "renamed": t.theme_id in model.labels, "terms": list(t.top_terms),
                       "n_answers": int(t.n_answers), "axis": t.axis} for t in result.themes]
    snap["next_id"] = max(t["theme_id"] for t in snap["themes"]) + 1
    return _refresh(snap, words_of=set())


def snapshot_theme(snap: dict, theme_id: int) -> dict:
    """Return the theme `theme_id` of a snapshot (KeyError when there is none)."""
    for theme in snap["themes"]:
        if theme["theme_id"] == int(theme_id):
            return theme
    raise KeyError(f"no theme {theme_id}")


def snapshot_rename(snap: dict, theme_id: int, label: str) -> dict:
    """Return a copy of `snap` where theme `theme_id` is labelled `label`."""
    label = " ".join(str(label).split())
    if not label:
        raise ValueError("a theme label cannot be empty")
    new = copy.deepcopy(snap)
    theme = snapshot_theme(new, theme_id)
    theme["label"], theme["renamed"] = label, True
    return new


def snapshot_merge(snap: dict, theme_id: int, other_id: int, label: str | None = None) -> dict:
    """Return a copy of `snap` where the answers of `other_id` join `theme_id`.

    The merged theme keeps `theme_id`'s label if the coordinator gave it one (or takes
    `label`); otherwise its label is recomputed from its words.
    """
    theme_id, other_id = int(theme_id), int(other_id)
    if theme_id == other_id:
        raise ValueError("cannot merge a theme with itself")
    new = copy.deepcopy(snap)
    kept = snapshot_theme(new, theme_id)
    snapshot_theme(new, other_id)
    for answer in new["answers"]:
        if answer["theme_id"] == other_id:
            answer["theme_id"] = theme_id
    new["themes"] = [t for t in new["themes"] if t["theme_id"] != other_id]
    if label and label.strip():
        kept["label"], kept["renamed"] = " ".join(label.split()), True
    return _refresh(new, words_of={theme_id})


def snapshot_split(snap: dict, theme_id: int, k: int = 2) -> dict:
    """Return a copy of `snap` where theme `theme_id` becomes `k` themes with new ids.

    The snapshot's method is refitted, with its seed, on the words of the theme's
    answers (:meth:`ThemeResult.split` does the same on a live result).
    """
    theme_id = int(theme_id)
    snapshot_theme(snap, theme_id)
    rows = [i for i, a in enumerate(snap["answers"]) if a["theme_id"] == theme_id]
    if k < 2 or len(rows) < 2 * k:
        raise ValueError(f"theme {theme_id} has {len(rows)} answers: too few to split in {k}")
    docs = [snap["answers"][i]["terms"] for i in rows]
    corpus = _corpus(docs, snap.get("display") or {})
    fitted = _fit.fit(corpus, snap["method"], k, seed=int(snap.get("seed") or 0))
    main = fitted.doc_topic.argmax(axis=1)
    groups = [g for g in range(fitted.doc_topic.shape[1]) if np.any(main == g)]
    if len(groups) < 2:
        raise ValueError(f"theme {theme_id} could not be split: its answers stay together")
    new = copy.deepcopy(snap)
    start = int(new.get("next_id") or 1)
    ids = {g: start + i for i, g in enumerate(groups)}
    for row, group in zip(rows, main):
        new["answers"][row]["theme_id"] = ids[int(group)]
    new["themes"] = [t for t in new["themes"] if t["theme_id"] != theme_id] + [
        {"theme_id": i, "label": "", "renamed": False, "terms": [], "n_answers": 0, "axis": None}
        for i in ids.values()]
    new["next_id"] = start + len(groups)
    return _refresh(new, words_of=set(ids.values()))


def snapshot_verbatims(snap: dict, theme_id: int, n: int | None = None) -> list[dict]:
    """Return the answers of a theme, most typical first (identical texts once).

    Typicality is the cosine of the answer's words with the theme's word distribution.
    """
    theme_id = int(theme_id)
    snapshot_theme(snap, theme_id)
    mine = [a for a in snap["answers"] if a["theme_id"] == theme_id]
    distribution = Counter(term for a in mine for term in a["terms"])
    norm = float(np.sqrt(sum(v * v for v in distribution.values()))) or 1.0
    scored = []
    for answer in mine:
        terms = set(answer["terms"])
        score = sum(distribution[t] for t in terms) / (norm * (np.sqrt(len(terms)) or 1.0))
        scored.append((score, answer))
    scored.sort(key=lambda item: -item[0])
    seen, out = set(), []
    for score, answer in scored:
        if answer["text"] in seen:
            continue
        seen.add(answer["text"])
        out.append({"response_id": answer["response_id"], "question_id": answer["question_id"],
                    "text": answer["text"], "typicality": round(float(score), 4)})
        if n is not None and len(out) >= n:
            break
    return out


def _corpus(docs: list[list[str]], display: dict) -> _fit.Corpus:
    from sklearn.feature_extraction.text import TfidfTransformer

    vocabulary = np.array(sorted({t for doc in docs for t in doc}), dtype=object)
    index = {t: j for j, t in enumerate(vocabulary)}
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for term in doc:
            rows.append(i)
            cols.append(index[term])
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(len(docs), len(vocabulary)))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    shown = np.array([display.get(t, t) for t in vocabulary], dtype=object)
    return _fit.Corpus(vocabulary, counts, tfidf, (counts > 0).astype(np.float64).tocsr(),
                       np.array([s not in DISPLAY_EXCLUDED for s in shown], dtype=bool),
                       shown, {})


def _refresh(snap: dict, *, words_of: set[int]) -> dict:
    """Recompute every theme's size and, for the themes `words_of`, words, axis and
    (unless renamed) label; themes in order of size, largest first."""
    from ._result import _auto_label

    display = snap.get("display") or {}
    background = Counter(t for a in snap["answers"] for t in a["terms"])
    vocabulary = sorted(background)
    index = {t: j for j, t in enumerate(vocabulary)}
    total = float(sum(background.values())) or 1.0
    base = np.array([background[t] / total for t in vocabulary])
    for theme in snap["themes"]:
        mine = [a for a in snap["answers"] if a["theme_id"] == theme["theme_id"]]
        theme["n_answers"] = len(mine)
        if theme["theme_id"] not in words_of:
            continue
        weights = np.zeros(len(vocabulary))
        for answer in mine:
            for term in answer["terms"]:
                weights[index[term]] += 1
        if weights.sum() > 0:
            weights /= weights.sum()
        order = [j for j in distinctive_order(weights, base) if weights[j] > 0
                 and display.get(vocabulary[j], vocabulary[j]) not in DISPLAY_EXCLUDED]
        terms = [display.get(vocabulary[j], vocabulary[j]) for j in order[:_TOP_N]]
        theme["terms"] = terms
        theme["axis"] = best_axis(terms, [float(weights[j]) for j in order[:_TOP_N]],
                                  DEFAULT_AXES).axis if terms else None
        if not theme.get("renamed"):
            theme["label"] = _auto_label(terms)
    snap["themes"].sort(key=lambda t: (-t["n_answers"], t["theme_id"]))
    return snap
