"""An answer judged useless is never coded, whatever the coordinator's codings taught.

Useless: the lists of empty answers and politeness ("rien", "RAS", "merci"), or the
coder's own test, an answer with no content word it can read ("chepa", unknown to the
vector table and to the codebook; "lol", whose vector is nearer the words of empty
answers than any theme's terms) (issue 17).
"""
from __future__ import annotations

import numpy as np
import pytest

from analysis.coding import Coder, load_word_vectors


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


def test_answers_without_a_content_word_are_judged_useless(vectors):
    texts = ["lol", "chepa", "personne pour parler de ses problèmes", "rien pour les 12-18 ans",
             "la chaudière est en panne", "RAS merci"]
    coder = Coder(texts, vectors=vectors, cache={})
    excluded = coder.answers["excluded"].tolist()
    assert excluded[0] == "no_content" and excluded[1] == "no_content"
    # grammatical words and numbers are content; so is a word near a theme
    assert excluded[2] is None and excluded[3] is None and excluded[4] is None
    assert excluded[5] == "useless"
    assert not coder.useful[[0, 1, 5]].any() and coder.useful[[2, 3, 4]].all()


def test_without_word_vectors_the_coder_does_not_judge_words():
    coder = Coder(["lol", "rien"], vectors=None, cache={})
    assert coder.answers["excluded"].tolist() == [None, "useless"]


def test_a_useless_answer_stays_uncoded_whatever_was_learned(vectors):
    # the coordinator codes answers that all contain "lol": the word is learned for the
    # theme, strongly enough to code an answer of that word alone
    taught = [f"lol pas de médecin traitant depuis {n} mois" for n in range(2, 14)]
    taught += [f"lol le cabinet médical ferme en {n}" for n in range(2, 14)]
    others = ["les loyers sont trop chers", "trop de bruit la nuit", "il faut plus de bus",
              "le CMP est saturé", "la mutuelle coûte trop cher", "les jeunes boivent trop"]
    useless = ["lol", "chepa", "rien", "RAS merci", "lol lol"]
    texts = taught + others + useless
    coder = Coder(texts, vectors=vectors, cache={})
    for i, text in enumerate(taught):
        coder.record(i, ["medecin_generaliste"])
    for i, theme in enumerate(["logement", "environnement", "transport_mobilite",
                               "sante_mentale", "cout_droits", "addictions"]):
        coder.record(len(taught) + i, [theme])
    coder.recompute()
    lol = coder._vocabulary.index("lol")
    key = coder._key_index["medecin_generaliste"]
    assert coder._learned_words[lol, key] >= coder.threshold      # it was learned...
    rows = np.arange(len(texts) - len(useless), len(texts))
    main = coder.main_themes()
    assert main["theme"].iloc[rows].isna().all()                   # ...and codes none of them
    assert not main["excluded"].iloc[rows].isna().any()
    assert (coder.confidence[rows] == 0).all()
    assert not set(coder.codings()["answer_id"]) & set(rows.tolist())
    assert not set(coder.next_to_check(len(texts))) & set(rows.tolist())
    # an answer with content and the learned word is coded through it
    assert coder.propose(len(taught))[0].theme == "logement"       # the coordinator's coding
