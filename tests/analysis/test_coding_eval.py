"""Coding measured on two labelled corpora, reported separately.

* ``tests/data/coding_corpus_fr.csv`` is the **tuning** corpus: the codebook's
  vocabulary and the coder's constants may be (and were) adjusted by looking at its
  errors.
* ``tests/data/coding_eval_fr.csv`` is for **measuring only**: 446 answers written in
  residents' style before anyone looked at a result, frozen in its own commit. Nobody
  tunes the codebook or the coder on it, nor edits it; a word that appears in it is
  never added to the codebook for that reason. (The real measure is yet another corpus
  that nobody working on the code has seen: see issue 17.)

For each corpus the tests report main-theme accuracy on useful answers, coverage
(useful answers given a theme), useless answers coded, and the curve of accuracy after
0/10/35/70/140 coordinator corrections, in the order the system proposes and in
random order (mean of three random orders), corrections recorded five at a time.
Figures are printed (``pytest -s`` or ``-rA``). Targets of issue 17, on the corpus for
measuring: codebook alone >= 80 %, after 70 corrections >= 88 %, the system's order
ahead of random order at every point, no useless answer coded.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.coding import Coder, load_codebook, load_word_vectors

DATA = Path(__file__).resolve().parents[1] / "data"
TUNING = DATA / "coding_corpus_fr.csv"
MEASURING = DATA / "coding_eval_fr.csv"
POINTS = (0, 10, 35, 70, 140)
BATCH = 5
RANDOM_SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def lemma_cache():
    return {}


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def read_corpus(path: Path) -> pd.DataFrame:
    # the id column is called "id": the coder reads it as the answer id
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    frame["labels"] = [tuple(t for t in themes.split("|") if t) for themes in frame["themes"]]
    return frame


def scores(coder: Coder, corpus: pd.DataFrame) -> dict:
    main = dict(zip(coder.main_themes()["answer_id"], coder.main_themes()["theme"]))
    useful = corpus[corpus["labels"].map(len) > 0]
    useless = corpus[corpus["labels"].map(len) == 0]
    return {
        "accuracy": float(np.mean([main[a] == labels[0]
                                   for a, labels in zip(useful["id"], useful["labels"])])),
        "coverage": float(np.mean([main[a] is not None for a in useful["id"]])),
        "useless_coded": int(sum(main[a] is not None for a in useless["id"])),
    }


def curve(make, corpus: pd.DataFrame, order: str, seed: int = 0) -> list[dict]:
    coder = make()
    truth = dict(zip(corpus["id"], corpus["labels"]))
    pool = list(corpus["id"])
    np.random.default_rng(seed).shuffle(pool)
    done: list = []
    out = [scores(coder, corpus)]
    for target in POINTS[1:]:
        while len(done) < target:
            size = min(BATCH, target - len(done))
            if order == "system":
                batch = coder.next_to_check(size)
            else:
                batch = pool[len(done):len(done) + size]
            assert batch and not set(batch) & set(done)
            for answer_id in batch:
                coder.record(answer_id, truth[answer_id], coder="simulation")
            done += batch
        out.append(scores(coder, corpus))      # no recompute(): record() takes effect
    return out


def measure(request, path: Path, lemma_cache, vectors, codebook) -> dict:
    corpus = read_corpus(path)

    def make():
        return Coder(corpus[["id", "text"]], codebook, cache=lemma_cache, vectors=vectors)

    alone = scores(make(), corpus)
    system_scores = curve(make, corpus, "system")
    system = [s["accuracy"] for s in system_scores]
    randoms = np.array([[s["accuracy"] for s in curve(make, corpus, "random", seed)]
                        for seed in RANDOM_SEEDS])
    random = randoms.mean(axis=0).tolist()
    lines = [f"{path.name}: {len(corpus)} answers, "
             f"{int((corpus['labels'].map(len) == 0).sum())} useless",
             f"  codebook alone: main theme {alone['accuracy']:.1%}, coverage "
             f"{alone['coverage']:.1%}, useless answers coded {alone['useless_coded']}",
             "  corrections: " + "  ".join(f"{p:>5}" for p in POINTS),
             "  system order " + "  ".join(f"{a:5.1%}" for a in system),
             "  random order " + "  ".join(f"{a:5.1%}" for a in random)]
    text = "\n".join(lines)
    print("\n" + text)
    request.node.add_report_section("call", "coding", text)
    return {"alone": alone, "system": system, "random": random,
            "useless_coded_max": max(s["useless_coded"] for s in system_scores)}


def test_tuning_corpus(request, lemma_cache, vectors, codebook):
    """The corpus the codebook was tuned on (figures reached, kept as floors)."""
    result = measure(request, TUNING, lemma_cache, vectors, codebook)
    assert result["alone"]["accuracy"] >= 0.88
    assert result["alone"]["coverage"] >= 0.97
    assert result["alone"]["useless_coded"] == 0 and result["useless_coded_max"] == 0
    assert result["system"][POINTS.index(70)] >= 0.91
    assert result["system"][-1] >= 0.95
    # the system's order is ahead of random order at every point, clearly from 70 on
    for point, ours, theirs in zip(POINTS[1:], result["system"][1:], result["random"][1:]):
        assert ours > theirs + (0.01 if point >= 70 else 0.0), (point, ours, theirs)


def test_measuring_corpus(request, lemma_cache, vectors, codebook):
    """The held-out corpus, for measuring only: the targets of issue 17."""
    result = measure(request, MEASURING, lemma_cache, vectors, codebook)
    assert result["alone"]["accuracy"] >= 0.80            # target: codebook alone >= 80 %
    assert result["alone"]["useless_coded"] == 0          # target: no useless answer coded
    assert result["useless_coded_max"] == 0               # ... at any point of the curve
    assert result["alone"]["coverage"] >= 0.93
    assert result["system"][POINTS.index(70)] >= 0.88     # target: after 70 corrections
    for point, ours, theirs in zip(POINTS[1:], result["system"][1:], result["random"][1:]):
        assert ours > theirs, (point, ours, theirs)       # target: ahead at every point
