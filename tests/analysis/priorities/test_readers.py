"""Evidence read from the analysis results: indicator tables, comparisons, themes, ranking."""
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import Design
from analysis.crosstab import Indicator, benjamini_hochberg, compare_domains, indicator_tables
from analysis.priorities import (
    Need, build_candidates, compare_indicators, gap_direction, indicator_evidence,
    rank_candidates, ranking_evidence, ranking_shares, stack_comparisons, theme_evidence,
)

INDICATORS = [Indicator("sans_medecin_traitant", "sans_medecin_traitant", (1,)),
              Indicator("renoncement_soins", "renoncement_soins", ("oui",))]


@pytest.fixture(scope="module")
def design(town):
    return Design.from_frame(town, weights="base_weight")


def test_comparisons_are_one_benjamini_hochberg_family(town, design):
    table = compare_indicators(town, design, INDICATORS, ["district", "qpv"])
    raw = [compare_domains(town, design, i.column, i.need, d)["p_value"]
           for i in INDICATORS for d in ["district", "qpv"]]
    assert_allclose(table["p_adjusted"], benjamini_hochberg(np.concatenate(raw)))
    assert set(table["variable"]) == {"district", "qpv"}
    assert {"indicator", "group", "difference", "p_value"} <= set(table.columns)
    assert stack_comparisons({}).empty


def test_indicator_evidence_from_tables_and_comparisons(town, design):
    tables = indicator_tables(town, design, INDICATORS, by=["district", "qpv"])
    comparisons = compare_indicators(town, design, INDICATORS, ["district", "qpv"])
    evidence = indicator_evidence(tables, comparisons,
                                  axes={"sans_medecin_traitant": "acces_soins"},
                                  labels={"sans_medecin_traitant": "Sans médecin traitant"})
    assert [e.name for e in evidence] == ["sans_medecin_traitant", "renoncement_soins"]
    first = evidence[0]
    town_row = tables[(tables["indicator"] == "sans_medecin_traitant")
                      & (tables["variable"] == "town")].iloc[0]
    assert first.town.estimate == pytest.approx(town_row["estimate"])
    assert first.town.n == town_row["n"]
    assert first.label == "Sans médecin traitant" and first.axis == "acces_soins"
    assert evidence[1].axis is None and evidence[1].label == "renoncement_soins"
    assert len(first.groups) == (tables["indicator"] == "sans_medecin_traitant").sum() - 1
    mine = comparisons[comparisons["indicator"] == "sans_medecin_traitant"]
    assert len(first.gaps) == len(mine)
    for got, (_, row) in zip(first.gaps, mine.iterrows()):
        assert got.direction == gap_direction(row["difference"], row["p_adjusted"])
        if got.direction != "insufficient":
            assert got.p_adjusted == pytest.approx(row["p_adjusted"])
    candidates = build_candidates(evidence)
    ranking = rank_candidates(candidates)
    assert len(ranking.ranked) == 2


def test_unadjusted_comparisons_are_adjusted_here(town, design):
    comparisons = compare_indicators(town, design, INDICATORS).drop(columns="p_adjusted")
    tables = indicator_tables(town, design, INDICATORS)
    evidence = indicator_evidence(tables, comparisons)
    adjusted = benjamini_hochberg(comparisons["p_value"].to_numpy())
    got = [g.p_adjusted for e in evidence for g in e.gaps]
    assert_allclose(got, adjusted)


def test_gap_direction():
    assert gap_direction(0.05, 0.01) == "worse"
    assert gap_direction(-0.05, 0.01) == "better"
    assert gap_direction(0.05, 0.01, higher_is_worse=False) == "better"
    assert gap_direction(0.05, 0.2) == "similar"
    assert gap_direction(math.nan, 0.01) == "similar"


def test_ranking_shares_by_hand():
    # 40 respondents, rows 0-19 of weight 3 and 20-39 of weight 1; rows 36-39 ranked
    # nothing, so the base weighs 20 * 3 + 16 * 1 = 76
    first = ["medecins"] * 14 + ["logement"] * 12 + ["seniors"] * 10 + [None] * 4
    second = ["logement"] * 14 + ["medecins"] * 12 + ["logement"] * 10 + [None] * 4
    third = ["seniors"] * 26 + [None] * 14
    df = pd.DataFrame({"priorites_ville__rang1": first, "priorites_ville__rang2": second,
                       "priorites_ville__rang3": third,
                       "w": [3.0] * 20 + [1.0] * 20})
    design = Design.from_frame(df, weights="w")
    table = ranking_shares(df, design, "priorites_ville", ["medecins", "logement", "seniors"])
    got = table.set_index(["option", "place"])
    # first place "medecins": rows 0-13, all of weight 3 -> 42 / 76
    assert got.loc[("medecins", "first"), "estimate"] == pytest.approx(42 / 76)
    assert got.loc[("medecins", "first"), "n"] == 36
    assert got.loc[("medecins", "first"), "n_cell"] == 14
    # top 3 "medecins": rows 0-25 (26 of 36): only 10 respondents did not rank it, so the
    # cell would reveal a group of fewer than 11 and is suppressed (publication rule)
    assert got.loc[("medecins", "top"), "suppressed"]
    assert math.isnan(got.loc[("medecins", "top"), "estimate"])
    # top 3 "logement": every respondent who answered ranked it, nobody without: suppressed
    assert got.loc[("logement", "top"), "suppressed"]
    # first place "seniors": 10 respondents -> fewer than 11, suppressed
    assert got.loc[("seniors", "first"), "suppressed"]
    assert math.isnan(got.loc[("seniors", "first"), "estimate"])
    evidence = ranking_evidence(table, labels={"medecins": "Attirer des médecins"},
                                axes={"medecins": "acces_soins"})
    medecins = evidence[0]
    assert medecins.label == "Attirer des médecins" and medecins.axis == "acces_soins"
    assert medecins.first.estimate == pytest.approx(42 / 76) and medecins.top_k == 3
    assert medecins.top.suppressed
    assert evidence[2].first.suppressed


def test_ranking_shares_needs_the_rank_columns():
    df = pd.DataFrame({"x": [1, 2]})
    with pytest.raises(KeyError):
        ranking_shares(df, Design.from_frame(df), "priorites_ville")


def test_theme_evidence_from_theme_shares():
    shares = pd.DataFrame({
        "theme": ["logement", "sante_mentale"], "label": ["Logement", "Santé mentale"],
        "domain": ["ensemble", "ensemble"], "n": [240, 240], "estimate": [0.12, 0.03],
        "ci_low": [0.08, 0.01], "ci_high": [0.16, 0.05]})
    by_district = pd.DataFrame({
        "theme": ["logement", "logement"], "label": ["Logement"] * 2,
        "domain": ["Zola", "Gare"], "n": [120, 9], "estimate": [0.2, 0.05],
        "ci_low": [0.1, 0.0], "ci_high": [0.3, 0.1]})

    class Codebook:                     # what theme_evidence reads of a codebook
        class _T:
            def __init__(self, key, axis):
                self.key, self.axis = key, axis
        themes = [_T("logement", "prevention_environnement"), _T("sante_mentale", "sante_mentale")]

    evidence = theme_evidence(shares, axes=Codebook(), by_district=by_district,
                              verbatims={"logement": ["Moisissures partout", None]})
    logement = evidence[0]
    assert logement.axis == "prevention_environnement"
    assert logement.share.estimate == pytest.approx(0.12) and logement.share.n == 240
    assert logement.verbatims == ("Moisissures partout",)
    assert [(g.group, g.figure.suppressed) for g in logement.groups] == [
        ("Zola", False), ("Gare", True)]
    needs = [Need("logement", "Logement dégradé", "prevention_environnement",
                  themes=("logement",))]
    candidate = build_candidates(themes=evidence, needs=needs)["logement"]
    assert candidate.verbatims == ("Moisissures partout",)


def test_district_figures_feed_the_bar_chart(town, design):
    from analysis.charts import bar_chart_with_ci

    tables = indicator_tables(town, design, INDICATORS, by=["district"])
    comparisons = compare_indicators(town, design, INDICATORS, ["district"])
    evidence = indicator_evidence(tables, comparisons)[0]
    frame = evidence.groups_frame("district")
    assert len(frame) == town["district"].nunique()
    gaps = {g.group: g.direction for g in evidence.gaps}
    assert frame.set_index("group")["direction"].to_dict() == gaps
    chart = bar_chart_with_ci(frame, "group", "estimate", "ci_low", "ci_high",
                              evidence.label, "Source : enquête", highlight="direction",
                              reference=evidence.town.estimate)
    assert chart.data["estimate"].is_monotonic_decreasing
    assert "Ensemble de la ville" in chart.alt_text
