"""Tests of analysis.coding: the codebook, automatic coding, the coordinator loop, results.

The acceptance test codes ``tests/data/coding_corpus_fr.csv`` — answers written one by
one as residents write them, labelled with their themes (main theme first) — with
the default codebook alone, then after 70 corrections chosen by the system, and
prints precision and recall per theme (visible with ``pytest -s`` or ``-rA``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import cohen_kappa_score

from analysis.coding import (
    DEFAULT_CODEBOOK_PATH, CODEBOOK_SCHEMA_PATH, Coder, CodebookError, coding_agreement,
    codebook_from_dict, load_codebook, load_word_vectors, theme_shares,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "coding_corpus_fr.csv"
N_CORRECTIONS = 70
BATCH = 5


# --- fixtures: spaCy models and the corpus are loaded once per session --------------------

@pytest.fixture(scope="session")
def lemma_cache():
    return {}


@pytest.fixture(scope="session")
def vectors():
    return load_word_vectors()


@pytest.fixture(scope="session")
def corpus():
    frame = pd.read_csv(CORPUS, keep_default_na=False, dtype=str)
    frame = frame.rename(columns={"id": "answer_id"})
    frame["labels"] = [tuple(t for t in themes.split("|") if t) for themes in frame["themes"]]
    return frame


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture
def make_coder(lemma_cache, vectors, codebook):
    def make(answers, **options):
        options.setdefault("cache", lemma_cache)
        options.setdefault("vectors", vectors)
        return Coder(answers, options.pop("codebook", codebook), **options)
    return make


def main_of(coder: Coder) -> dict:
    return dict(zip(coder.main_themes()["answer_id"], coder.main_themes()["theme"]))


# --- the corpus itself ----------------------------------------------------------------------

def test_corpus_is_large_varied_and_labelled(corpus, codebook):
    main = corpus["labels"].map(lambda t: t[0] if t else None)
    counts = main.value_counts()
    assert 450 <= len(corpus) <= 560
    assert (counts >= 50).sum() >= 7, counts
    assert set(main.dropna()) <= set(codebook.keys)
    assert {t for labels in corpus["labels"] for t in labels} <= set(codebook.keys)
    assert (corpus["labels"].map(len) == 2).sum() >= 50          # answers raising two themes
    assert (corpus["labels"].map(len) == 0).sum() >= 20          # useless answers
    assert corpus["text"].is_unique
    assert corpus["text"].str.split().map(len).max() <= 40
    sms = r"\b(?:rdv|mdt|pb|tjrs|bcp|ds|pr|chui|ya)\b"
    assert corpus["text"].str.contains(sms, case=False, regex=True).sum() >= 15


# --- codebook ---------------------------------------------------------------------------------

def test_default_codebook_covers_the_cls_themes(codebook):
    assert DEFAULT_CODEBOOK_PATH.is_file()
    assert {t.axis for t in codebook.themes} == {
        "acces_soins", "sante_mentale", "prevention_environnement", "parcours_vulnerables"}
    terms = {t.text.lower() for theme in codebook.themes
             for t in (*theme.terms, *theme.population_terms)}
    for needed in ("médecin traitant", "spécialiste", "dentiste", "urgences", "mutuelle",
                   "dépassement d'honoraires", "dossier", "psychologue", "pollution", "bruit",
                   "chaleur", "espaces verts", "propreté", "logement", "humidité",
                   "personnes âgées", "handicap", "aidant", "alimentation", "activité physique",
                   "alcool", "dépistage", "vaccination", "information", "transport",
                   "interprète", "insécurité", "violence", "jeune"):
        assert needed in terms, needed
    for theme in codebook.themes:
        assert theme.label_fr and theme.label.get("en") and theme.description
        assert len(theme.terms) + len(theme.population_terms) >= 15, theme.key
    kinds = {t.key: t.kind for t in codebook.themes}
    assert {k for k, v in kinds.items() if v == "population"} == {"jeunes",
                                                                  "ages_handicap_aidants"}


def test_schema_file_is_a_valid_json_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(CODEBOOK_SCHEMA_PATH.read_text("utf-8")))


def test_invalid_codebook_lists_every_problem_with_its_line(tmp_path, codebook):
    data = codebook.to_dict()
    data["themes"][1]["key"] = data["themes"][0]["key"]
    data["themes"][2]["axis"] = "axe_inconnu"
    data["themes"][3]["terms"] = []
    data["themes"][4]["terms"].append({"term": "rumination", "weight": 3})
    data["themes"][5]["couleur"] = "bleu"
    path = tmp_path / "grille.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    problems = caught.value.problems
    assert len(problems) == 5, problems
    text = "\n".join(problems)
    for expected in ("en double", "axe inconnu « axe_inconnu »", "ne doit pas être vide",
                     "weight", "champ inconnu : couleur"):
        assert expected in text
    assert all(p.startswith(f"{path}:") and p.split(":")[1].split()[0].isdigit()
               for p in problems)
    assert "5 problème(s)" in str(caught.value)


def test_codebook_saves_back_and_edits(tmp_path, codebook):
    path = codebook.save(tmp_path / "grille.yaml")
    assert load_codebook(path) == codebook
    edited = codebook.with_terms("logement", add=["marchand de biens"], remove=["souris"])
    terms = [t.text for t in edited.theme("logement").terms]
    assert "marchand de biens" in terms and "souris" not in terms
    assert len(edited.without_theme("jeunes").themes) == len(codebook.themes) - 1
    with pytest.raises(CodebookError):
        codebook_from_dict({"version": 1, "language": "fr", "themes": "non"})


# --- automatic coding -------------------------------------------------------------------------

def test_terms_match_through_accents_case_sms_and_misspellings(make_coder):
    texts = {
        "a": "PAS DE MEDECIN TRAITANT",
        "b": "jai pas de mdt",
        "c": "la polution ds ma rue",
        "d": "moisisures partout dans l'appart",
        "e": "ma dépresssion s'aggrave",                 # one letter too many
        "f": "trouver un dentsite",                      # two letters swapped
        "g": "l'ophtalmologue ne prend plus personne",
    }
    coder = make_coder(pd.DataFrame({"answer_id": list(texts), "text": list(texts.values())}))
    main = main_of(coder)
    assert main == {"a": "medecin_generaliste", "b": "medecin_generaliste",
                    "c": "environnement", "d": "logement", "e": "sante_mentale",
                    "f": "specialistes_dentistes", "g": "specialistes_dentistes"}
    assert coder.propose("f")[0].terms == ("dentiste",)


def test_exclusions_and_multi_label(make_coder):
    texts = ["la sécurité sociale ne rembourse pas mes lunettes",
             "Pas de médecin traitant et l'appartement est plein de moisissures",
             "le médecin scolaire ne passe plus au collège"]
    coder = make_coder(texts)
    proposals = [[p.theme for p in coder.propose(i)] for i in range(3)]
    assert proposals[0][0] == "cout_droits" and "securite_violences" not in proposals[0]
    assert set(proposals[1][:2]) == {"medecin_generaliste", "logement"}
    assert "medecin_generaliste" not in proposals[2] and proposals[2][0] == "jeunes"
    codings = coder.codings()
    assert list(codings.columns) == ["answer_id", "response_id", "theme", "label",
                                     "confidence", "source", "rank"]
    assert codings["confidence"].between(0.5, 1).all() and set(codings["source"]) == {"auto"}


def test_useless_answers_and_answers_no_theme_reaches_are_not_coded(make_coder):
    texts = ["rien", "RAS", "je sais pas", "...", "bonne journée", "Merci", None, "",
             "le facteur passe à midi"]
    coder = make_coder(texts)
    main = coder.main_themes()
    assert main["theme"].isna().all()
    assert main["excluded"].iloc[:8].notna().all() and main["excluded"].iloc[8] is None
    assert coder.codings().empty
    assert coder.next_to_check(5) == [8]


def test_codes_without_word_vectors_and_with_an_edited_codebook(make_coder, codebook):
    coder = make_coder(["les éoliennes tournent toute la nuit", "trop de bruit"], vectors=None)
    assert main_of(coder) == {0: None, 1: "environnement"}
    coder.record(1, ["environnement"], coder="camille")
    coder.set_codebook(codebook.with_terms("environnement", add=["éolienne"]))
    assert main_of(coder) == {0: "environnement", 1: "environnement"}
    assert coder.propose(0)[0].terms == ("éolienne",)
    assert coder.unused_terms == []


# --- the coordinator in the loop ------------------------------------------------------------

def test_record_propose_and_errors(make_coder):
    coder = make_coder(pd.DataFrame({"answer_id": ["x", "y"],
                                     "text": ["trop de bruit la nuit", "le bus est en retard"]}))
    coder.record("x", ["environnement", "sante_mentale"], coder="camille")
    assert [(p.theme, p.confidence, p.source) for p in coder.propose("x")] == [
        ("environnement", 1.0, "human"), ("sante_mentale", 1.0, "human")]
    coder.record("y", [], coder="camille")          # checked: no theme
    assert coder.propose("y") == [] and coder.next_to_check(3) == []
    with pytest.raises(KeyError, match="unknown themes"):
        coder.record("x", ["meteo"])
    with pytest.raises(KeyError, match="unknown answer"):
        coder.propose("z")
    main = coder.main_themes().set_index("answer_id")
    assert main.loc["x", "theme"] == "environnement" and main.loc["x", "source"] == "human"


def test_classifier_learns_once_enough_answers_are_coded(make_coder, corpus):
    coder = make_coder(corpus)
    assert coder._classifier.dual is None
    for theme in ("logement", "environnement", "transport_mobilite"):
        ids = corpus.loc[corpus["labels"].map(lambda t: t[:1] == (theme,)), "answer_id"]
        for answer_id in ids[:5]:
            coder.record(answer_id, [theme])
    coder.recompute()
    assert coder._classifier.dual is not None
    assert len(coder._classifier.themes) == 3


def test_next_to_check_orders_uncertain_representative_answers_first(make_coder, corpus):
    coder = make_coder(corpus)
    first = coder.next_to_check(10)
    assert len(set(first)) == 10
    useless = set(corpus.loc[corpus["labels"].map(len) == 0, "answer_id"])
    assert not useless & set(first)
    conf = coder.confidence[[coder._row[a] for a in first]]
    top2 = -np.sort(-conf, axis=1)[:, :2]
    everyone = -np.sort(-coder.confidence[coder.useful], axis=1)[:, :2]
    # the chosen answers are far less clear-cut than the average answer
    assert (top2[:, 0] - top2[:, 1]).mean() < 0.5 * (everyone[:, 0] - everyone[:, 1]).mean()
    coder.record(first[0], ["logement"])
    assert first[0] not in coder.next_to_check(10)


def test_progress_is_reported(make_coder):
    calls = []
    make_coder(["trop de bruit", "pas de médecin", "rien"], progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(b[0] >= a[0] for a, b in zip(calls, calls[1:]))


# --- agreement, shares, emerging themes -----------------------------------------------------

def test_agreement_is_cohen_kappa_per_theme_and_on_the_main_theme():
    first = {1: ["logement"], 2: ["logement", "environnement"], 3: ["environnement"],
             4: [], 5: ["cout_droits"], 6: ["logement"]}
    second = {1: ["logement"], 2: ["environnement"], 3: ["environnement"], 4: ["logement"],
              5: ["cout_droits"], 6: ["logement"], 7: ["logement"]}
    table = coding_agreement(first, second).set_index("theme")
    common = sorted(first)
    for theme in ("logement", "environnement", "cout_droits"):
        expected = cohen_kappa_score([theme in first[a] for a in common],
                                     [theme in second[a] for a in common])
        assert table.loc[theme, "kappa"] == pytest.approx(expected)
    main_a = [first[a][0] if first[a] else "-" for a in common]
    main_b = [second[a][0] if second[a] else "-" for a in common]
    assert table.loc["__theme_principal__", "kappa"] == pytest.approx(
        cohen_kappa_score(main_a, main_b))
    assert table.loc["logement", "n"] == 6


def test_coder_agreement_between_two_coordinators(make_coder):
    coder = make_coder(["bruit", "loyer trop cher", "pas de bus", "psychologue"])
    for i, (a, b) in enumerate([("environnement", "environnement"), ("logement", "cout_droits"),
                                ("transport_mobilite", "transport_mobilite"),
                                ("sante_mentale", "sante_mentale")]):
        coder.record(i, [a], coder="alice")
        coder.record(i, [b], coder="bruno")
    table = coder.agreement("alice", "bruno").set_index("theme")
    assert table.loc["__theme_principal__", "agreement"] == pytest.approx(0.75)
    assert table.loc["environnement", "kappa"] == pytest.approx(1.0)


def test_theme_shares_weighted_by_district_with_an_estimator(make_coder):
    answers = pd.DataFrame({
        "answer_id": [1, 2, 3, 4, 5], "response_id": [10, 20, 30, 40, 50],
        "district": ["Centre", "Centre", "Bords de Seine", "Bords de Seine", "Centre"],
        "weight": [1.0, 3.0, 2.0, 2.0, 1.0],
        "text": ["trop de bruit la nuit", "pas de médecin traitant", "le bruit du périphérique",
                 "pas de médecin traitant", "rien"]})
    coder = make_coder(answers)
    overall = coder.shares().set_index("theme")
    # 'rien' is not a useful answer: base is the 4 other respondents (weights 1, 3, 2, 2)
    assert overall.loc["environnement", "estimate"] == pytest.approx(3 / 8)
    assert overall.loc["medecin_generaliste", "estimate"] == pytest.approx(5 / 8)
    assert (overall["ci_low"] <= overall["estimate"]).all()
    assert (overall["estimate"] <= overall["ci_high"]).all()
    by = coder.shares("district").set_index(["theme", "domain"])
    assert by.loc[("environnement", "Centre"), "estimate"] == pytest.approx(1 / 4)
    assert by.loc[("environnement", "Centre"), "n"] == 2

    def unweighted(indicator, domain):
        return pd.DataFrame({"domain": ["ensemble"], "n": [len(indicator)],
                             "estimate": [indicator.mean()], "ci_low": [0.0], "ci_high": [1.0]})

    custom = theme_shares(coder.codings(), coder.answers, estimator=unweighted).set_index("theme")
    assert custom.loc["environnement", "estimate"] == pytest.approx(0.5)


def test_emerging_themes_come_from_what_the_codebook_misses(make_coder):
    missed = [f"pénurie de {m} à la pharmacie, {x}" for m in
              ("médicaments", "sirop", "amoxicilline", "ventoline", "insuline", "doliprane")
              for x in ("rupture de stock", "pharmacien désolé", "commande impossible",
                        "toujours en rupture")]
    missed += [f"les chats errants {x}" for x in ("miaulent la nuit", "se multiplient",
                                                  "dans les caves", "sans stérilisation",
                                                  "nourris par une voisine", "malades")]
    coder = make_coder(missed + ["pas de médecin traitant", "trop de bruit"])
    themes = coder.emerging_themes(n_examples=3)
    assert len(themes) >= 1
    terms = {t for top in themes["top_terms"] for t in top}
    assert {"pénurie", "rupture"} & terms or {"pharmacie", "stock"} & terms
    assert all(0 < len(ex) <= 3 for ex in themes["examples"])
    examples = " ".join(e for ex in themes["examples"] for e in ex)
    assert "médecin traitant" not in examples


# --- acceptance: the labelled corpus ---------------------------------------------------------

def _scores(coder: Coder, corpus: pd.DataFrame) -> dict:
    main = main_of(coder)
    coded = coder.codings().groupby("answer_id")["theme"].apply(set).to_dict()
    useful = corpus[corpus["labels"].map(len) > 0]
    accuracy = float(np.mean([main[a] == labels[0]
                              for a, labels in zip(useful["answer_id"], useful["labels"])]))
    rows = []
    for theme in coder.codebook.keys:
        truth = {a for a, labels in zip(corpus["answer_id"], corpus["labels"]) if theme in labels}
        found = {a for a, themes in coded.items() if theme in themes}
        if not truth and not found:
            continue
        hit = len(truth & found)
        rows.append((theme, len(truth), len(found), hit / len(found) if found else np.nan,
                     hit / len(truth) if truth else np.nan))
    table = pd.DataFrame(rows, columns=["theme", "labelled", "coded", "precision", "recall"])
    return {"accuracy": accuracy, "table": table, "main": main}


def _report(request, title: str, scores: dict) -> str:
    text = (f"{title}: main theme correct for {scores['accuracy']:.1%} of useful answers\n"
            + scores["table"].to_string(index=False, float_format=lambda v: f"{v:.2f}") + "\n")
    print("\n" + text)
    request.node.add_report_section("call", "coding", text)
    return text


def test_acceptance_codebook_then_corrections(request, make_coder, corpus):
    coder = make_coder(corpus)
    alone = _scores(coder, corpus)
    _report(request, "Codebook alone", alone)
    useless = corpus.loc[corpus["labels"].map(len) == 0, "answer_id"]
    assert all(alone["main"][a] is None for a in useless)
    assert alone["accuracy"] >= 0.75

    truth = dict(zip(corpus["answer_id"], corpus["labels"]))
    checked = []
    while len(checked) < N_CORRECTIONS:
        batch = coder.next_to_check(min(BATCH, N_CORRECTIONS - len(checked)))
        assert batch and not set(batch) & set(checked)
        for answer_id in batch:
            coder.record(answer_id, truth[answer_id], coder="simulation")
        checked += batch
        coder.recompute()
    after = _scores(coder, corpus)
    _report(request, f"After {len(checked)} corrections", after)
    assert all(after["main"][a] is None for a in useless)
    assert after["accuracy"] >= 0.85
    assert after["accuracy"] >= alone["accuracy"]
    # the answers nobody checked improve too
    rest = corpus[~corpus["answer_id"].isin(checked) & (corpus["labels"].map(len) > 0)]
    accuracy_rest = np.mean([after["main"][a] == labels[0]
                             for a, labels in zip(rest["answer_id"], rest["labels"])])
    print(f"Unchecked answers after corrections: {accuracy_rest:.1%}")
    assert accuracy_rest >= 0.8
