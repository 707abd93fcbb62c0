"""Cross-tables, Rao-Scott tests, district comparisons and indicator tables.

Tolerance: relative 1e-6 (``RTOL``) for statistics, estimates and standard errors,
1e-4 (``RTOL_P``) for p-values. Reference figures: ``tests/reference/town_survey.R``
-> ``town_figures.csv`` and ``tests/reference/api_reference.R`` -> ``api_figures.csv``
(R survey 4.1.1); the R call is quoted above each comparison.
"""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.crosstab import (
    TOWN,
    Indicator,
    apply_publication_rules,
    benjamini_hochberg,
    compare_domains,
    compare_domains_many,
    crosstab,
    indicator_tables,
    rao_scott_test,
)
from analysis.estimation import survey_proportion
from analysis.weighting import Design

from .conftest import TOWN_DESIGNS

RTOL = 1e-6
RTOL_P = 1e-4
DISTRICTS = ["Centre", "Gare", "Les Tilleuls", "Plateau", "Port", "Saint-Roch",
             "Val Fleuri", "Zola"]


TESTS = [("acces_soins", "district", "acces_soins_district"),
         ("renoncement_soins", "sex", "renoncement_soins_sex"),
         ("isolement", "age_band", "isolement_age_band")]


@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("question, profile, key", TESTS)
def test_svychisq_second_and_first_order(town, designs, r_town, name, question, profile,
                                         key):
    # R: svychisq(~question + profile, d)                      # statistic = "F"
    got = rao_scott_test(town, designs[name], question, profile, statistic="F")
    prefix = f"{name}.svychisq_F.{key}"
    assert_allclose([got.statistic, got.ndf, got.ddf],
                    [r_town[f"{prefix}.statistic"], r_town[f"{prefix}.parameter.1"],
                     r_town[f"{prefix}.parameter.2"]], rtol=RTOL)
    assert_allclose(got.p_value, r_town[f"{prefix}.p_value"], rtol=RTOL_P)
    # R: svychisq(~question + profile, d, statistic = "Chisq")
    got = rao_scott_test(town, designs[name], question, profile, statistic="Chisq")
    prefix = f"{name}.svychisq_Chisq.{key}"
    assert_allclose([got.statistic, got.ndf],
                    [r_town[f"{prefix}.statistic"], r_town[f"{prefix}.parameter"]], rtol=RTOL)
    assert_allclose(got.p_value, r_town[f"{prefix}.p_value"], rtol=RTOL_P)


API_TESTS = [
    # R: svychisq(~awards + yr.rnd, dstrat, statistic = ...)
    ("strat", "awards", "yr.rnd", "awards_yr_rnd"),
    # R: svychisq(~sch.wide + stype, dclus1, statistic = ...)
    ("clus1", "sch.wide", "stype", "sch_wide_stype"),
    # R: svychisq(~awards + stype, rclus1, statistic = ...)
    ("clus1_rake", "awards", "stype", "awards_stype"),
]


@pytest.mark.parametrize("name, row, col, key", API_TESTS)
def test_svychisq_on_api_designs(api, r_api, name, row, col, key):
    case = api[name]
    f = rao_scott_test(case.data, case.design, row, col, statistic="F")
    k = f"{name}.svychisq_F.{key}"
    assert_allclose([f.statistic, f.ndf, f.ddf],
                    [r_api[f"{k}.statistic"], r_api[f"{k}.parameter.1"],
                     r_api[f"{k}.parameter.2"]], rtol=RTOL)
    assert_allclose(f.p_value, r_api[f"{k}.p_value"], rtol=RTOL_P)
    c = rao_scott_test(case.data, case.design, row, col, statistic="Chisq")
    k = f"{name}.svychisq_Chisq.{key}"
    assert_allclose(c.statistic, r_api[f"{k}.statistic"], rtol=RTOL)
    assert_allclose(c.p_value, r_api[f"{k}.p_value"], rtol=RTOL_P)


@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("column", ["sans_medecin_traitant", "isolement"])
def test_district_against_rest_of_town(town, designs, r_town, name, column):
    table = compare_domains(town, designs[name], column, domain="district")
    assert list(table["district"]) == DISTRICTS
    for row in table.itertuples():
        # R: summary(svyglm(column ~ I(district == "<district>"), design = d))
        key = f"{name}.svyglm.{column}.{row.district}"
        assert_allclose([row.difference, row.se],
                        [r_town[f"{key}.difference"], r_town[f"{key}.se"]], rtol=RTOL)
        assert_allclose(row.p_value, r_town[f"{key}.p_value"], rtol=RTOL_P)
        assert row.ci_low < row.difference < row.ci_high
    assert_allclose(table["difference"], table["estimate"] - table["estimate_rest"])


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_benjamini_hochberg_across_districts_and_indicators(town, designs, r_town, name):
    pvalues = {}
    for column in ("sans_medecin_traitant", "isolement"):
        table = compare_domains(town, designs[name], column, domain="district")
        for row in table.itertuples():
            pvalues[f"{column}.{row.district.replace(' ', '.')}"] = row.p_value
    adjusted = benjamini_hochberg(pd.Series(pvalues))
    # R: p.adjust(pvals, method = "BH") over all districts x both indicators
    expected = [r_town[f"{name}.p_adjust_bh.{k}"] for k in adjusted.index]
    assert_allclose(adjusted.to_numpy(), expected, rtol=RTOL_P)


def test_benjamini_hochberg_ignores_missing_like_r(r_town):
    # R: p.adjust(c(0.01, NA, 0.04, 0.03, 0.5, NA, 0.02), method = "BH")
    got = benjamini_hochberg([0.01, np.nan, 0.04, 0.03, 0.5, np.nan, 0.02])
    expected = pd.to_numeric(
        pd.Series([r_town[f"p_adjust_bh.with_na.{i}"] for i in range(1, 8)]),
        errors="coerce")
    assert_allclose(got, expected.to_numpy(), rtol=1e-12)


def test_crosstab_shares_match_svyciprop_and_flags(town, designs, r_town):
    result = crosstab(town, designs["rake"], "acces_soins", "age_band")
    table = result.table
    assert set(table.columns) >= {"age_band", "category", "estimate", "se", "ci_low",
                                  "ci_high", "n", "n_cell", "suppressed", "fragile"}
    hard = table[table.category == "difficile"]
    for row in hard.itertuples():
        # R: svyby(~acces_difficile, ~age_band, rk, svyciprop, method = "logit",
        #          vartype = c("se", "ci"))
        key = f"rake.svyby_ciprop_logit.acces_difficile.age_band.{row.age_band}"
        assert_allclose([row.estimate, row.se, row.ci_low, row.ci_high],
                        [r_town[f"{key}.{s}.acces_difficile"]
                         for s in ("estimate", "se", "ci_l", "ci_u")], rtol=RTOL)
    shares = table.groupby("age_band")["estimate"].sum()
    assert_allclose(shares, 1.0)
    assert result.test == rao_scott_test(town, designs["rake"], "acces_soins", "age_band")


def _no_lonely_suppression(table, columns):
    for _, part in table.groupby(columns):
        hidden = part["suppressed"].sum()
        assert hidden != 1 or len(part) == 1, part


def test_small_cells_are_suppressed_and_small_groups_fragile(town, designs):
    table = crosstab(town, designs["rake"], "acces_soins", "district").table
    counts = pd.crosstab(town.district, town.acces_soins)
    for row in table.itertuples():
        n_cell = counts.loc[row.district, row.category]
        n = counts.loc[row.district].sum()
        primary = n_cell < 11 or n - n_cell < 11
        assert (row.suppression == "primary") == primary
        if row.suppressed:
            assert np.isnan(row.estimate) and pd.isna(row.n_cell)
        else:
            assert row.suppression is None and row.n_cell == n_cell
            assert n_cell >= 11 and n - n_cell >= 11
    # no suppressed cell can be deduced from its district's or its answer's total
    _no_lonely_suppression(table, "district")
    _no_lonely_suppression(table, "category")

    # a: published; b: fragile, blanked because c's "x" would be deduced from the town
    # total; c: fewer than 11 respondents
    synthetic = pd.DataFrame({"g": ["a"] * 60 + ["b"] * 25 + ["c"] * 5,
                              "q": ["x"] * 40 + ["y"] * 20 + ["x"] * 14 + ["y"] * 11
                              + ["x"] * 5})
    out = crosstab(synthetic, Design.from_frame(synthetic), "q", "g").table
    flags = out.set_index(["g", "category"])
    assert not flags.loc[("a", "x"), "suppressed"] and not flags.loc[("a", "y"), "suppressed"]
    assert not flags.loc[("a", "x"), "fragile"] and flags.loc[("b", "x"), "fragile"]
    assert flags.loc[("c", "x"), "suppression"] == "primary"
    assert flags.loc[("c", "y"), "suppression"] == "primary"
    assert pd.isna(flags.loc[("c", "x"), "n"])
    assert flags.loc[("b", "x"), "suppression"] == "complementary"
    assert flags.loc[("b", "y"), "suppression"] == "complementary"
    assert flags.loc[("b", "x"), "n"] == 25  # the group size stays: it is not small
    relaxed = crosstab(synthetic, Design.from_frame(synthetic), "q", "g", min_cell=5,
                       fragile_below=10).table.set_index(["g", "category"])
    # all 5 of c answered "x": its share would tell that none answered "y"
    assert relaxed.loc[("c", "x"), "suppression"] == "primary"
    assert relaxed.loc[("c", "x"), "n"] == 5
    assert relaxed.loc[("c", "x"), "fragile"] and not relaxed.loc[("b", "x"), "fragile"]


def test_publication_rules_blank_every_small_figure():
    table = pd.DataFrame({"estimate": [0.1, 0.5, 0.95], "se": [0.01, 0.02, 0.01],
                          "ci_low": [0.0, 0.4, 0.9], "ci_high": [0.2, 0.6, 1.0],
                          "n": [100, 8, 100], "n_cell": [10, 4, 95]})
    out = apply_publication_rules(table)
    # 10 with the need; 4 of 8; 95 of 100, so 5 without it
    assert out["suppressed"].tolist() == [True, True, True]
    assert out["suppression"].tolist() == ["primary"] * 3
    assert out[["estimate", "se", "ci_low", "ci_high", "n_cell"]].isna().all().all()
    assert out["n"].tolist()[0] == 100 and pd.isna(out["n"].tolist()[1])


def test_a_lone_suppressed_district_takes_the_next_smallest_with_it():
    # districts adding up to the town: only "Hameau" is under the threshold
    table = pd.DataFrame({
        "indicator": ["i"] * 5, "variable": ["town", "district", "district", "district",
                                             "district"],
        "group": ["town", "Hameau", "Gare", "Port", "Centre"],
        "estimate": [0.3, 0.5, 0.2, 0.3, 0.35], "se": [0.01] * 5, "ci_low": [0.2] * 5,
        "ci_high": [0.4] * 5, "n": [406, 6, 100, 140, 160], "n_cell": [126, 3, 20, 42, 61]})
    out = apply_publication_rules(table, sets=[["indicator", "variable"]])
    assert out["suppression"].tolist() == [None, "primary", "complementary", None, None]
    assert out.loc[2, ["estimate", "se", "ci_low", "ci_high"]].isna().all()
    assert pd.isna(out.loc[2, "n_cell"]) and out.loc[2, "n"] == 100
    # without sets, nothing protects Hameau's 3 from 126 - 20 - 42 - 61
    alone = apply_publication_rules(table)
    assert alone["suppressed"].tolist() == [False, True, False, False, False]


def test_indicator_tables_protect_a_thin_district(town, designs):
    thin = town.copy()
    thin.loc[thin.index[:6], "district"] = "Hameau"  # six respondents only
    table = indicator_tables(thin, designs["rake"],
                             [("Sans médecin traitant", "sans_medecin_traitant", [1]),
                              ("Accès difficile", "acces_soins", ["difficile"])],
                             by=["district"])
    counts = thin.groupby("district")
    for name, part in table[table.variable == "district"].groupby("indicator"):
        part = part.set_index("group")
        assert part.loc["Hameau", "suppression"] == "primary"
        assert pd.isna(part.loc["Hameau", "n"])
        hidden = part[part.suppressed]
        assert len(hidden) >= 2
        published = part[~part.suppressed]
        complementary = part[part.suppression == "complementary"]
        # the district blanked with Hameau is the one with the fewest respondents in need
        column, need = ("sans_medecin_traitant", [1]) if name.startswith("Sans") \
            else ("acces_soins", ["difficile"])
        in_need = counts[column].apply(lambda s: s.isin(need).sum())
        assert in_need[complementary.index].max() <= in_need[published.index].min()
    assert not table.loc[table.variable == TOWN, "suppressed"].any()


def test_indicator_tables_in_one_call(town, designs):
    design = designs["rake"]
    indicators = [
        ("Sans médecin traitant", "sans_medecin_traitant", [1]),
        Indicator("Renoncement aux soins", "renoncement_soins", ("oui",), ("nsp",)),
        {"name": "Accès difficile", "column": "acces_soins",
         "need": ["difficile", "tres difficile"]},
    ]
    by = ["district", "qpv", "age_band", "sex"]
    table = indicator_tables(town, design, indicators, by=by)
    assert list(table.columns) == ["indicator", "variable", "group", "estimate", "se",
                                   "ci_low", "ci_high", "n", "n_cell", "suppressed",
                                   "suppression", "fragile"]
    per_indicator = 1 + 8 + 2 + 6 + 2
    assert len(table) == 3 * per_indicator
    town_rows = table[table.variable == TOWN]
    assert list(town_rows.group) == [TOWN] * 3
    # Same figures as the single-purpose function (R: svyby(..., svyciprop)).
    expected = survey_proportion(town, design, "renoncement_soins", need=["oui"],
                                 exclude=["nsp"], by="qpv")
    got = table[(table.indicator == "Renoncement aux soins") & (table.variable == "qpv")]
    assert_allclose(got[["estimate", "ci_low", "ci_high"]].to_numpy(float),
                    expected[["estimate", "ci_low", "ci_high"]].to_numpy(float))
    access = table[(table.indicator == "Accès difficile") & (table.variable == TOWN)].iloc[0]
    assert access.n_cell == town.acces_soins.isin(["difficile", "tres difficile"]).sum()
    assert not table["suppressed"].any()  # every group is large enough here


#: The indicators of town_survey.R's svyciprop / svyby calls, as indicator specs.
R_INDICATORS = [("sans_medecin_traitant", "sans_medecin_traitant", [1]),
                ("renonce", "renoncement_soins", ["oui"], ["nsp"]),
                ("acces_difficile", "acces_soins", ["difficile"])]
R_BREAKDOWNS = {"sans_medecin_traitant": "district", "renonce": "qpv", "acces_difficile": "age_band"}


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_indicator_tables_all_at_once_match_r(town, designs, r_town, name):
    """Every indicator and every group in one pass of the variance, against R.

    The indicators have different respondents ("nsp" is no answer for renonce), so each
    one keeps its own. Tolerance: ``RTOL`` (1e-6 relative) on estimates, SEs and interval
    bounds. R's call is ``svyciprop(..., na.rm = TRUE)`` on the whole design: the
    interval's t quantile uses the design's degrees of freedom. ``svyciprop`` on
    ``subset(design, !is.na(y))`` uses the answered rows' instead, and its bounds differ
    from these by about 3e-6 relative for renonce here (7.2e-6 at 10,000 responses in
    ``bench/bench_indicators.py`` before its R script used ``na.rm = TRUE`` too): a
    different convention, not a rounding gap, so it is not covered by this tolerance.
    """
    table = indicator_tables(town, designs[name], R_INDICATORS, by=["district", "qpv", "age_band"],
                             min_cell=0)
    for indicator, variable in R_BREAKDOWNS.items():
        key = f"{name}.svyciprop_logit.{indicator}"
        if f"{key}.estimate" in r_town:  # R: svyciprop(~y, d, method = "logit", na.rm = TRUE)
            town_row = table[(table.indicator == indicator) & (table.variable == TOWN)].iloc[0]
            assert_allclose([town_row.estimate, town_row.se, town_row.ci_low, town_row.ci_high],
                            [r_town[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                            rtol=RTOL)
        # R: svyby(~y, ~variable, d, svyciprop, method = "logit", vartype = c("se", "ci"))
        rows = table[(table.indicator == indicator) & (table.variable == variable)]
        assert len(rows) == town[variable].nunique()
        for row in rows.itertuples():
            key = f"{name}.svyby_ciprop_logit.{indicator}.{variable}.{row.group}"
            assert_allclose([row.estimate, row.se, row.ci_low, row.ci_high],
                            [r_town[f"{key}.{s}.{indicator}"] for s in ("estimate", "se", "ci_l", "ci_u")],
                            rtol=RTOL)


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_indicator_tables_equal_one_indicator_at_a_time(town, designs, name):
    """The batched tables give the figures of survey_proportion, indicator by indicator."""
    design = designs[name]
    thin = town.copy()
    thin.loc[thin.index[:6], "district"] = "Hameau"
    thin.loc[thin.index[6:40], "acces_soins"] = None  # more unanswered for one indicator only
    table = indicator_tables(thin, design, R_INDICATORS, by=["district", "sex"], min_cell=0)
    for indicator, column, need, *exclude in R_INDICATORS:
        for variable in ("district", "sex"):
            expected = survey_proportion(thin, design, column, need=need, by=variable,
                                         exclude=exclude[0] if exclude else ())
            got = table[(table.indicator == indicator) & (table.variable == variable)]
            assert list(got.group) == [str(g) for g in expected[variable]]
            assert_allclose(got[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                            expected[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                            rtol=1e-12)
            assert list(got.n) == list(expected.n) and list(got.n_cell) == list(expected.n_need)


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_district_comparisons_of_many_indicators_at_once(town, designs, r_town, name):
    """compare_domains_many stacks compare_domains, and its SEs still match svyglm."""
    design = designs[name]
    specs = [("smt", "sans_medecin_traitant", [1]), ("iso", "isolement", [1])]
    many = compare_domains_many(town, design, specs, domain="district")
    assert list(many.columns[:2]) == ["indicator", "district"]
    for label, column, need in specs:
        one = compare_domains(town, design, column, need=need, domain="district")
        part = many[many.indicator == label].drop(columns="indicator").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one)
        for row in one.itertuples():
            key = f"{name}.svyglm.{column}.{row.district}"
            assert_allclose([row.difference, row.se], [r_town[f"{key}.difference"], r_town[f"{key}.se"]],
                            rtol=RTOL)


def test_district_comparison_without_the_n_by_d_matrix_equals_the_dense_one(town, designs):
    """The structured standard error (rows as PSUs) equals the one of the full influence matrix."""
    for name in ("rake", "poststrat", "unweighted"):
        design = designs[name]
        structured = compare_domains(town, design, "acces_soins", need=["difficile"], domain="age_band")
        design.__dict__["rows_are_psus"] = False  # the path of clustered designs
        try:
            dense = compare_domains(town, design, "acces_soins", need=["difficile"], domain="age_band")
        finally:
            del design.__dict__["rows_are_psus"]
        assert_allclose(structured["se"], dense["se"], rtol=1e-12)
        assert_allclose(structured["p_value"], dense["p_value"], rtol=1e-10)


def test_blank_strings_are_no_category_nor_group(town, designs):
    design = designs["rake"]
    blank = town.astype({"acces_soins": object, "district": object})
    nan = blank.copy()
    blank.loc[blank.index[::9], "acces_soins"] = ""
    blank.loc[blank.index[1::13], "district"] = " "
    nan.loc[nan.index[::9], "acces_soins"] = None
    nan.loc[nan.index[1::13], "district"] = None
    table = crosstab(blank, design, "acces_soins", "district").table
    assert not {"", " "} & set(table["category"]) and " " not in set(table["district"])
    pd.testing.assert_frame_equal(table, crosstab(nan, design, "acces_soins", "district").table)
    assert rao_scott_test(blank, design, "acces_soins", "sex") == \
        rao_scott_test(nan, design, "acces_soins", "sex")
    spec = [("Accès difficile", "acces_soins", ["difficile"])]
    pd.testing.assert_frame_equal(indicator_tables(blank, design, spec, by=["district"]),
                                  indicator_tables(nan, design, spec, by=["district"]))
    pd.testing.assert_frame_equal(compare_domains(blank, design, "sans_medecin_traitant"),
                                  compare_domains(nan, design, "sans_medecin_traitant"))


def test_the_publication_rule_is_stated_in_french_and_english():
    from analysis import PUBLICATION_RULE_EN, PUBLICATION_RULE_FR

    assert "au moins 11 répondants ont la caractéristique et au moins 11 ne l'ont pas" \
        in PUBLICATION_RULE_FR and "moins de 30" in PUBLICATION_RULE_FR
    assert "at least 11 respondents have the attribute and at least 11 do not" \
        in PUBLICATION_RULE_EN
