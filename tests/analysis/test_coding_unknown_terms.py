"""A codebook whose terms have no word vector (words the vector table does not know) codes
by its terms as written, and the coder does not fail for want of vectors."""
from __future__ import annotations

import pytest

from analysis.coding import DEFAULT_CODEBOOK_PATH, Coder, codebook_from_dict, load_codebook, load_word_vectors


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


def _codebook(terms):
    data = load_codebook(DEFAULT_CODEBOOK_PATH).to_dict()
    theme = {k: v for k, v in data["themes"][0].items() if k not in ("population_terms", "exclusions")}
    data["themes"] = [dict(theme, key="inconnu", terms=terms)]
    return codebook_from_dict(data)


def test_terms_without_vectors_code_by_their_words_only(vectors):
    codebook = _codebook(["zqxwvbk", "blorftag"])
    texts = ["le zqxwvbk est cassé", "pas de médecin le soir", "les urgences débordées"]
    coder = Coder(texts, codebook, vectors=vectors, cache={})
    main = coder.main_themes()["theme"].tolist()
    assert main[0] == "inconnu" and main[1:] == [None, None]
    assert coder.next_to_check(2)  # the order of the corrections works too
