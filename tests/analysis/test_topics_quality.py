"""Themes against known themes, and the words shown to people.

Two corpora of resident answers with known themes:

- ``tests/data/coding_corpus_fr.csv`` is the TUNING corpus: the words, the fallbacks and
  the choice of the default method of analysis.topics were adjusted looking at it;
- ``tests/data/coding_eval_fr.csv`` is the HELD-OUT corpus, frozen by the coding work
  before any result was seen: it is only MEASURED here, never tuned on.

The figures (ARI and NMI at the known number of themes, mean of three seeds) are printed
by ``bench/themes_quality.py``. The issue's target is ARI >= 0.35 on answers nobody tuned
for. The default ``"guided"`` method (word vectors plus the codebook's confidences, set on
the tuning corpus only) reaches it on the held-out corpus (about 0.66; 0.71 on the tuning
one, where the codebook itself was tuned). The purely unsupervised ``"vectors"`` method
stays below (about 0.20 and 0.17, 16 themes of 12 to 55 answers, many answers of a few
words). The floors below are what is honestly reached (minus a margin: the coder that
guides the themes is still being worked on), so that a regression fails.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.text import load_french
from analysis.topics import GENERIC_WORDS, find_themes
from analysis.topics._words import label_terms, prepare_words

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from themes_quality import CORPORA, found_themes, known_themes, scores  # noqa: E402

TUNING, HELD_OUT = list(CORPORA)
SEEDS = (0, 1, 2)
METHODS = ("guided", "vectors", "gsdmm", "nmf")
#: Mean ARI / NMI over SEEDS, as measured (minus a margin), of the default guided method
#: and of the purely unsupervised one.
FLOORS = {(TUNING, "guided"): (0.62, 0.70), (HELD_OUT, "guided"): (0.58, 0.69),
          (TUNING, "vectors"): (0.18, 0.33), (HELD_OUT, "vectors"): (0.14, 0.34)}


@pytest.fixture(scope="module")
def cache():
    load_french()
    return {}


@pytest.fixture(scope="module")
def measured(cache):
    table = {}
    for name, path in CORPORA.items():
        useful = known_themes(path)
        for method in METHODS:
            runs = np.array([scores(useful, method, seed, cache) for seed in SEEDS])
            table[name, method] = runs.mean(axis=0)
    return table


@pytest.mark.parametrize("corpus, method", list(FLOORS))
def test_methods_reach_their_floors(measured, corpus, method, record_property):
    ari, nmi = measured[corpus, method]
    record_property(f"ARI {corpus} {method}", round(float(ari), 3))
    record_property(f"NMI {corpus} {method}", round(float(nmi), 3))
    floor_ari, floor_nmi = FLOORS[corpus, method]
    assert ari >= floor_ari and nmi >= floor_nmi, (corpus, method, ari, nmi)


def test_the_default_method_reaches_the_target_on_the_held_out_corpus(measured):
    from analysis.topics import DEFAULT_METHOD

    assert DEFAULT_METHOD == "guided"
    assert measured[HELD_OUT, "guided"][0] >= 0.35
    # the gap of the purely unsupervised method to the target, said rather than hidden
    assert measured[HELD_OUT, "vectors"][0] < 0.35, "vectors reach 0.35: raise its floors"


@pytest.mark.parametrize("corpus", [TUNING, HELD_OUT])
def test_the_default_method_is_the_one_that_groups_best(measured, corpus):
    for best, others in (("guided", METHODS[1:]), ("vectors", ("gsdmm", "nmf"))):
        ari, nmi = measured[corpus, best]
        for other in others:
            other_ari, other_nmi = measured[corpus, other]
            assert ari > other_ari and nmi > other_nmi, (corpus, best, other, measured)


def test_themes_the_codebook_lacks_still_emerge(cache):
    """Guided by half of the codebook's themes, the answers of the other half are
    grouped at least as well as by the vectors alone, and all answers better."""
    from sklearn.metrics import adjusted_rand_score

    from analysis.coding import codebook_from_dict, load_codebook

    data = load_codebook().to_dict()
    kept = [theme["key"] for theme in data["themes"]][::2]
    data["themes"] = [theme for theme in data["themes"] if theme["key"] in kept]
    half = codebook_from_dict(data)
    useful = known_themes(CORPORA[TUNING])
    removed = ~useful["main"].isin(kept).to_numpy()
    ari = {}
    for method, options in (("guided", {"codebook": half}), ("vectors", {})):
        runs = [found_themes(useful, method, seed, cache, **options) for seed in SEEDS]
        ari[method] = (np.mean([adjusted_rand_score(useful["main"], r) for r in runs]),
                       np.mean([adjusted_rand_score(useful["main"][removed], r[removed])
                                for r in runs]))
    assert ari["guided"][0] > ari["vectors"][0] + 0.15, ari
    assert ari["guided"][1] >= ari["vectors"][1], ari


# --------------------------------------------------------------------------- words shown


def _themes(texts, cache, **options):
    return find_themes(pd.DataFrame({"text": texts}), cache=cache, **options)


def test_accents_sms_forms_and_cut_lemmas_are_merged_and_shown_whole():
    words = prepare_words(
        [["education"], ["éducation"], ["éducation"], ["impot"], ["impôt"], ["surtt", "personn"],
         ["personne"], ["tro", "francai"], ["français"], ["interprèt"]],
        ["education", "éducation des enfants", "éducation", "les impots", "l'impôt", "surtt les personnes",
         "des personnes", "tro de francais", "le français", "un interprète"],
        stop={"surtout", "trop"})
    assert words.tokens[0] == words.tokens[1] and words.display[words.tokens[0][0]] == "éducation"
    assert words.tokens[3] == words.tokens[4] and words.display[words.tokens[3][0]] == "impôt"
    assert words.tokens[5] == words.tokens[6] == ["personne"]  # "surtt" is "surtout", a stop word
    assert words.display["personne"] == "personnes"
    assert words.tokens[7] == words.tokens[8] and words.display[words.tokens[7][0]] == "français"
    assert words.display[words.tokens[9][0]] == "interprète"
    shown = set(words.display.values())
    assert not shown & {"francai", "personn", "interprèt", "surtt", "tro"}


def test_expressions_stay_together(cache):
    texts = (["pas de médecin le week-end", "rien le week end", "médecin fermé le weekend"] * 4
             + ["mon médecin traitant est parti", "plus de médecin traitant", "pas de médecins traitants"] * 4
             + ["le bus ne passe pas", "trop de bruit la nuit", "le bruit des voitures", "pas de bus le soir"] * 4)
    result = _themes(texts, cache, k=3)
    terms = {term for theme in result.themes for term in theme.top_terms}
    assert "week-end" in terms and "médecin traitant" in terms
    assert not terms & {"week", "end", "weekend"}


def test_generic_words_are_never_a_label_on_their_own():
    assert label_terms(["problème", "mal", "difficile", "gros", "bus", "dimanche"]) == ["bus", "dimanche"]
    assert label_terms(["médecin traitant", "médecin", "rendez-vous"]) == ["médecin traitant", "rendez-vous"]
    assert {"problème", "mal", "difficile", "gros"} <= GENERIC_WORDS


def test_labels_say_what_the_answers_are_about(cache):
    path = CORPORA[TUNING]
    useful = known_themes(path)
    result = find_themes(useful[["text"]], k=useful["main"].nunique(), seed=0, cache=cache)
    for theme in result.themes:
        words = theme.label.split(", ")
        assert 1 <= len(words) <= 3
        assert not set(words) & GENERIC_WORDS, theme
        assert set(words) <= set(theme.top_terms)


def test_no_answer_with_content_words_is_dropped(cache):
    texts = (["le logement est humide", "logement trop petit", "logement avec moisissures"] * 5
             + ["pas de médecin", "médecin introuvable", "trouver un médecin"] * 5
             + ["habitat indigne", "moisi partout", "précarité énergétique chez nous", "chaudière"])
    result = _themes(texts, cache, k=2)
    assert result.counts["useful"] == len(texts)
    assert result.counts["unassigned"] == 0
    assert result.answers["theme_id"].notna().all()


def test_an_uninformative_choice_of_k_is_said(cache, monkeypatch):
    from analysis.topics import _fit

    real = _fit._score_k
    monkeypatch.setattr(_fit, "_score_k", lambda *a, **kw: {**real(*a, **kw), "coherence": -0.3, "score": 0.0})
    useful = known_themes(CORPORA[TUNING])
    result = find_themes(useful[["text"]].iloc[:200], cache=cache, k_range=(3, 6))
    assert result.k_informative is False
    assert (result.k_selection["score"] == 0).all()
    assert any("pas informatif" in note for note in result.notes)
    assert len(result.themes) == result.k_selection.loc[result.k_selection["stability"].idxmax(), "k"]


def test_an_informative_choice_of_k_says_nothing(cache):
    from analysis.topics import _fit

    table = pd.DataFrame({"k": [3, 4], "stability": [0.5, 0.6], "coherence": [0.1, 0.2], "score": [0.05, 0.12]})
    assert _fit.informative(table)
    assert not _fit.informative(table.assign(score=0.0))
