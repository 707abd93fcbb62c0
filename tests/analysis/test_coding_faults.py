"""The classes of coding faults of issue 17, each on answers written for the test.

Numbers in seed terms, fixed expressions and negations, stems that cut a word into
another, population themes against needs, unseen words, learning from corrections,
and the API traps (an ``id`` column, ``record()`` without ``recompute()``, the
per-theme evidence).
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.coding import (
    Coder, CodebookError, ThemeEvidence, codebook_from_dict, load_codebook, load_word_vectors,
)
from analysis.coding._match import stem
from analysis.text import rewrite_fixed_expressions


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors()


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture
def code(vectors, codebook):
    cache: dict = {}

    def run(texts, **options):
        options.setdefault("vectors", vectors)
        coder = Coder(list(texts), options.pop("codebook", codebook), cache=cache, **options)
        main = coder.main_themes()["theme"].tolist()
        return coder, main
    return run


# --- numbers ------------------------------------------------------------------------------

def test_a_number_keeps_a_term_specific(code):
    coder, main = code(["mon père a 80 ans et vit seul", "j'habite ici depuis 20 ans",
                        "ma fille a 13 ans", "les spécialistes en secteur 2",
                        "le secteur est calme"])
    assert main[0] == "ages_handicap_aidants"
    assert "80 ans" in coder.propose(0)[0].terms
    assert all("80 ans" not in p.terms and "90 ans" not in p.terms
               for i in (1, 2) for p in coder.propose(i, candidates=5))
    assert any("secteur 2" in p.terms for p in coder.propose(3))
    assert all("secteur 2" not in p.terms for p in coder.propose(4, candidates=5))


def test_a_term_that_is_only_a_number_is_refused_with_a_clear_message(codebook):
    data = codebook.to_dict()
    data["themes"][2]["terms"].append("15")
    with pytest.raises(CodebookError) as caught:
        codebook_from_dict(data)
    assert "« 15 » n'est qu'un nombre" in str(caught.value)


# --- fixed expressions, negations, stems ----------------------------------------------------

def test_fixed_expressions_are_rewritten_before_matching():
    assert rewrite_fixed_expressions("je suis en train de chercher") == "je suis chercher"
    assert rewrite_fixed_expressions("le cabinet est pas loin") == "le cabinet est proche"
    assert rewrite_fixed_expressions("boire un café") == "prendre un café"
    assert rewrite_fixed_expressions("les bus sont plus loin") == "les bus sont plus loin"


def test_words_are_not_taken_in_the_wrong_sense(code):
    coder, main = code(["je suis en train de chercher un médecin traitant",
                        "le cabinet médical est pas loin mais il ne prend plus personne",
                        "on boit un café à la salle d'attente tellement on attend le docteur",
                        "je rate le travail pour aller chez le médecin"])
    assert main == ["medecin_generaliste"] * 4
    for i in range(4):
        themes = {p.theme for p in coder.propose(i, candidates=0)}
        assert not themes & {"transport_mobilite", "addictions", "logement"}, (i, themes)


def test_stems_never_cut_a_word_into_another():
    assert stem("rate") == "rate" and stem("rats") == "rat"
    assert stem("arrete") == "arrete"
    assert stem("agees") == "age" and stem("bus") == "bus"


# --- need and population ----------------------------------------------------------------------

def test_a_population_theme_is_a_facet_when_a_need_is_found(code):
    coder, main = code(["les jeunes boivent beaucoup trop le samedi soir",
                        "les personnes âgées vivent dans des logements humides et insalubres",
                        "les jeunes n'ont aucune activité le soir",
                        "il manque des places en EHPAD pour les personnes âgées"])
    assert main[0] == "addictions" and main[1] == "logement"
    assert main[2] == "jeunes"                              # no need found: the population
    assert main[3] == "ages_handicap_aidants"               # EHPAD: a need of that public
    proposals = coder.propose(0)
    assert [p.kind for p in proposals][:2] == ["need", "population"]
    assert "jeunes" in [p.theme for p in proposals]         # shown beside the need
    kinds = {t.key: t.kind for t in coder.codebook.themes}
    assert kinds["jeunes"] == "population" and kinds["logement"] == "need"


# --- unseen words ------------------------------------------------------------------------------

def test_unseen_words_count_through_vectors_and_morphology_with_their_weight(code):
    coder, main = code(["tout est moisi dans la salle de bain", "la chaudière est en panne"])
    evidence = {e.theme: e for e in coder.evidence(0)}
    near = evidence["logement"].near_words
    assert any(word.startswith("moisi") and term == "moisissure" and 0.5 < sim <= 1
               for word, term, sim in near), near
    assert main[0] == "logement"
    assert any(w == "chaudière" for w, _, _ in {e.theme: e for e in coder.evidence(1)}
               ["logement"].near_words)


# --- learning from the coordinator -------------------------------------------------------------

def test_record_takes_effect_without_recompute_and_teaches_the_words(code):
    texts = ["les éoliennes tournent toute la nuit", "encore une éolienne près du village",
             "les éoliennes font un bruit sourd"]
    coder, main = code(texts, vectors=None)
    assert main[1] is None
    coder.record(0, ["environnement"])
    after = coder.main_themes()["theme"].tolist()          # no recompute()
    assert after[0] == "environnement"
    learned = {e.theme: e for e in coder.evidence(1)}["environnement"].learned
    assert learned and learned[0][0].startswith("éolien")
    assert 0 not in coder.next_to_check(3)


def test_an_id_column_is_the_answer_id(code, vectors, codebook):
    frame = pd.DataFrame({"id": ["a7", "b9"], "text": ["trop de bruit", "pas de bus"]})
    coder = Coder(frame, codebook, vectors=vectors)
    assert coder.main_themes()["answer_id"].tolist() == ["a7", "b9"]
    coder.record("b9", ["transport_mobilite"])
    assert coder.propose("b9")[0].source == "human"


def test_evidence_is_public_and_explains_the_confidence(code):
    coder, main = code(["pas de médecin traitant et mon logement est plein de moisissures"])
    evidence = coder.evidence(0)
    assert all(isinstance(e, ThemeEvidence) for e in evidence)
    first = evidence[0]
    assert first.main and first.coded and first.theme == main[0]
    assert ("médecin traitant", 1.0) in first.terms or first.theme == "logement"
    by_theme = {e.theme: e for e in evidence}
    assert {"medecin_generaliste", "logement"} <= {t for t, e in by_theme.items() if e.coded}
    assert by_theme["logement"].terms and by_theme["logement"].codebook >= 0.5
    assert by_theme["logement"].classifier is None          # nothing trained yet


def test_a_word_excluded_from_a_theme_stops_counting_for_it(code, codebook):
    coder, main = code(["tout est moisi dans la salle de bain"])
    assert main == ["logement"]
    edited = codebook.with_terms("logement", exclusions=["moisir"])
    coder.set_codebook(edited)
    assert all(w != "moisir" for w, _, _ in
               next((e.near_words for e in coder.evidence(0) if e.theme == "logement"), ()))
    assert coder.main_themes()["theme"].tolist() != ["logement"]


def test_a_term_found_in_the_answer_is_not_also_listed_as_near_itself(code):
    coder, _main = code(["je n'ai plus de médecin généraliste depuis deux ans",
                         "pas de médecin généraliste dans le quartier, tout est moisi"])
    for row in (0, 1):
        for evidence in coder.evidence(row):
            found = {text.casefold() for text, _weight in evidence.terms}
            for word, term, _similarity in evidence.near_words:
                assert word.casefold() != term.casefold(), (row, evidence.theme, word)
                assert word.casefold() not in found, (row, evidence.theme, word)
