"""Which answers the coordinator checks next (issue 17).

The order does not depend on the batch size (the first k of a batch of n are the
batch of k, before and after corrections), and uncertainty is measured on the
decision the coder takes: the scores its main theme is chosen on, not the raw
confidences (an answer naming two themes is not uncertain when its main theme is
clear).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.coding import Coder, load_word_vectors
from analysis.coding._learn import check_order, decision_scores

TUNING = Path(__file__).resolve().parents[1] / "data" / "coding_corpus_fr.csv"


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


def test_the_first_k_of_a_batch_of_n_are_the_batch_of_k(vectors):
    corpus = pd.read_csv(TUNING, keep_default_na=False, dtype=str)
    truth = {a: tuple(t for t in themes.split("|") if t)
             for a, themes in zip(corpus["id"], corpus["themes"])}
    coder = Coder(corpus[["id", "text"]], vectors=vectors, cache={})
    for _ in range(3):
        batch = coder.next_to_check(30)
        assert len(batch) == 30 == len(set(batch))
        for k in (1, 4, 10, 29):
            assert coder.next_to_check(k) == batch[:k]
        for answer_id in batch[:7]:
            coder.record(answer_id, truth[answer_id])


def test_uncertainty_is_that_of_the_main_theme_decision():
    threshold = 0.5
    confidence = np.array([
        [0.89, 0.89, 0.0],     # two themes, the first named first (bonus): clear
        [0.89, 0.89, 0.0],     # two themes, no bonus: a real hesitation
        [0.55, 0.0, 0.95],     # a need just coded, and a population facet (theme 2)
        [0.95, 0.0, 0.0],      # one theme: clear
    ])
    bonus = np.zeros_like(confidence)
    bonus[0, 0] = 0.1
    facet = np.zeros_like(confidence, dtype=bool)
    facet[2, 2] = True
    scores = decision_scores(confidence, threshold, bonus, facet)
    assert scores[0, 0] == pytest.approx(0.99) and scores[2, 2] == 0.0
    vectors = np.eye(4)                         # no two answers alike: no diversity effect
    density = np.ones(4)
    order = check_order(scores, threshold, density, vectors, np.arange(4), 4)
    assert order[0] == 1
    assert list(order[:3]) == [1, 2, 0]         # 0.55 against "not coded" at 0.5, then 0.1
    # on raw confidences the facet and the bonus would be ignored
    raw = check_order(confidence, threshold, density, vectors, np.arange(4), 4)
    assert set(raw[:2]) == {0, 1}
