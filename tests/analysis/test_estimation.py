"""Estimation (svymean, svytotal, svyby, svyciprop) against R's survey package.

Tolerance: relative 1e-6 (``RTOL``) for estimates, standard errors and intervals.
Reference figures: ``tests/reference/town_survey.R`` -> ``town_figures.csv``,
``tests/reference/api_reference.R`` -> ``api_figures.csv`` and
``tests/reference/proportion_intervals.R`` -> ``proportion_intervals.csv`` (every
interval method of ``svyciprop``), R survey 4.1.1. Each key
names the design object of the R script, the R function and the variables; the R call
is quoted above each comparison.
"""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis.estimation import THIN_WARNING_FR, survey_mean, survey_proportion, survey_total
from analysis.weighting import Design, domain_covariance, linearised_variance, post_stratify, rake

from .conftest import TOWN_DESIGNS

RTOL = 1e-6
ESTIMATORS = {"svymean": survey_mean, "svytotal": survey_total}
CIPROP = {"estimate": "estimate", "se": "se", "ci_low": "ci_l", "ci_high": "ci_u"}
BY_STATS = {"estimate": "estimate", "se": "se"}


def _pairs(table, figures, key_of, stats_map):
    got, want = [], []
    for row in table.to_dict("records"):
        for column, r_name in stats_map.items():
            got.append(row[column])
            want.append(figures[key_of(row, r_name)])
    return np.array(got, dtype=float), np.array(want, dtype=float)


def _domain(row, by):
    return ".".join(f"{row[b]}" for b in by)


def _by_key(by):
    return "_".join(b.replace(".", "_") for b in by)


# ---- the synthetic town survey: one case per R call of town_survey.R ----------------

OVERALL = [
    # R: svymean(~sans_medecin_traitant, d)
    ("svymean", "sans_medecin_traitant"),
    # R: svymean(~isolement, d, na.rm = TRUE)
    ("svymean", "isolement"),
    # R: svymean(~acces_soins, d)
    ("svymean", "acces_soins"),
    # R: svytotal(~acces_soins, d)
    ("svytotal", "acces_soins"),
]


@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("function, column", OVERALL)
def test_svymean_and_svytotal_overall(town, designs, r_town, name, function, column):
    table = ESTIMATORS[function](town, designs[name], column)
    key = f"{name}.{function}.{column}.{column}"
    g, w = _pairs(table, r_town, lambda r, s: f"{key}{r.get('category', '')}{s}",
                  {"estimate": "", "se": ".se"})
    assert_allclose(g, w, rtol=RTOL)
    if "category" in table:
        assert table["n_category"].sum() == town[column].notna().sum()
    else:
        assert table["n"].iloc[0] == town[column].notna().sum()


BY = [
    # R: svyby(~sans_medecin_traitant, ~district, d, svymean)
    ("svymean", "sans_medecin_traitant", ["district"]),
    # R: svyby(~acces_soins, ~district, d, svymean)
    ("svymean", "acces_soins", ["district"]),
    # R: svyby(~isolement, ~age_band, d, svymean, na.rm = TRUE)
    ("svymean", "isolement", ["age_band"]),
    # R: svyby(~sans_medecin_traitant, ~qpv + sex, d, svymean)
    ("svymean", "sans_medecin_traitant", ["qpv", "sex"]),
    # R: svyby(~sans_medecin_traitant, ~district, d, svytotal)
    ("svytotal", "sans_medecin_traitant", ["district"]),
]


@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("function, column, by", BY)
def test_svyby_means_and_totals(town, designs, r_town, name, function, column, by):
    table = ESTIMATORS[function](town, designs[name], column, by=by)
    prefix = f"{name}.svyby_{function[3:]}.{column}.{_by_key(by)}"
    g, w = _pairs(table, r_town, lambda r, s: f"{prefix}.{_domain(r, by)}.{s}.{column}"
                  f"{r.get('category', '')}", BY_STATS)
    assert_allclose(g, w, rtol=RTOL)
    if "category" not in table:
        assert table["n"].sum() == (town[column].notna() & town[by].notna().all(axis=1)).sum()


PROPORTIONS = [
    # R: svyciprop(~sans_medecin_traitant, d, method = method)
    ("sans_medecin_traitant", None, (), None, "sans_medecin_traitant"),
    # R: svyciprop(~renonce, d, method = method, na.rm = TRUE), renonce = NA for "nsp"
    ("renoncement_soins", ("oui",), ("nsp",), None, "renonce"),
    # R: svyby(~sans_medecin_traitant, ~district, d, svyciprop, method = method,
    #          vartype = c("se", "ci"))
    ("sans_medecin_traitant", None, (), "district", "sans_medecin_traitant"),
    # R: svyby(~renonce, ~qpv, d, svyciprop, method = method, na.rm = TRUE,
    #          vartype = c("se", "ci"))
    ("renoncement_soins", ("oui",), ("nsp",), "qpv", "renonce"),
    # R: svyby(~acces_difficile, ~age_band, d, svyciprop, method = method,
    #          vartype = c("se", "ci")), acces_difficile = acces_soins == "difficile"
    ("acces_soins", ("difficile",), (), "age_band", "acces_difficile"),
]


@pytest.mark.parametrize("method", ["logit", "beta"])
@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("column, need, exclude, by, r_name", PROPORTIONS)
def test_svyciprop(town, designs, r_town, name, method, column, need, exclude, by, r_name):
    table = survey_proportion(town, designs[name], column, need=need, exclude=exclude, by=by,
                              method=method)
    if by is None:
        key = f"{name}.svyciprop_{method}.{r_name}"
        got = table.iloc[0]
        assert_allclose(got[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                        [r_town[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                        rtol=RTOL)
    else:
        prefix = f"{name}.svyby_ciprop_{method}.{r_name}.{by}"
        g, w = _pairs(table, r_town, lambda r, s: f"{prefix}.{r[by]}.{s}.{r_name}", CIPROP)
        assert_allclose(g, w, rtol=RTOL)
    answered = town[column].notna() & ~town[column].isin(exclude)
    has_need = town[column].isin(need) if need else town[column] == 1
    assert table["n"].sum() == answered.sum()
    assert table["n_need"].sum() == (answered & has_need).sum()


def test_wilson_interval_follows_the_textbook_formula(town, designs):
    # No R equivalent: Wilson score interval with n* = p(1-p)/var and z = t(df).
    design = designs["rake"]
    table = survey_proportion(town, design, "sans_medecin_traitant", by="district",
                              method="wilson")
    p, se, df = table["estimate"], table["se"], table["df"]
    n_star = p * (1 - p) / se**2
    z = stats.t.ppf(0.975, df)
    centre = (p + z**2 / (2 * n_star)) / (1 + z**2 / n_star)
    half = z / (1 + z**2 / n_star) * np.sqrt(p * (1 - p) / n_star + z**2 / (4 * n_star**2))
    assert_allclose(table["ci_low"], centre - half, rtol=1e-12)
    assert_allclose(table["ci_high"], centre + half, rtol=1e-12)
    # With an equal-weight sample and no fpc, n* = n - 1: the classical Wilson interval.
    simple = pd.DataFrame({"y": [1] * 30 + [0] * 70})
    got = survey_proportion(simple, Design.from_frame(simple), "y", method="wilson",
                            level=0.95).iloc[0]
    n, p = 99, 0.3
    z = stats.t.ppf(0.975, 99)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert_allclose([got.ci_low, got.ci_high], [centre - half, centre + half], rtol=1e-12)


def test_missing_answers_kept_give_nan_like_r(town, designs):
    table = survey_mean(town, designs["rake"], "isolement", by="district", na_rm=False)
    assert table["estimate"].isna().all()


# ---- R's API samples: one case per R call of api_reference.R ----------------------
# The designs (strat, strat_ps, clus1, clus1_rake, clus1_ps, clus1_trim) are built by the
# ``api`` fixture of conftest.py, the R call quoted above each.


@pytest.mark.parametrize("name", ["strat", "clus1"])
def test_api_degrees_of_freedom(api, r_api, name):
    # R: degf(d)
    assert api[name].design.degrees_of_freedom() == r_api[f"{name}.degf"]


API_OVERALL = [
    # R: svymean(~api00, d) for d in dstrat, pstrat, dclus1, rclus1, pclus1, tclus1
    *[("svymean", name, "api00")
      for name in ("strat", "strat_ps", "clus1", "clus1_rake", "clus1_ps", "clus1_trim")],
    # R: svymean(~awards, dstrat)
    ("svymean", "strat", "awards"),
    # R: svytotal(~enroll, d) for d in dstrat, pstrat, dclus1, rclus1
    *[("svytotal", name, "enroll") for name in ("strat", "strat_ps", "clus1", "clus1_rake")],
]


@pytest.mark.parametrize("function, name, column", API_OVERALL)
def test_api_svymean_and_svytotal(api, r_api, function, name, column):
    case = api[name]
    table = ESTIMATORS[function](case.data, case.design, column)
    key = f"{name}.{function}.{column}.{column}"
    g, w = _pairs(table, r_api, lambda r, s: f"{key}{r.get('category', '')}{s}",
                  {"estimate": "", "se": ".se"})
    assert_allclose(g, w, rtol=RTOL)


API_BY = [
    # R: svyby(~api00, ~stype, d, svymean) for d in dstrat, pstrat, dclus1, rclus1
    *[(name, "api00", "stype") for name in ("strat", "strat_ps", "clus1", "clus1_rake")],
    # R: svyby(~awards, ~stype, dstrat, svymean)
    ("strat", "awards", "stype"),
    # R: svyby(~api00, ~sch.wide, pclus1, svymean)
    ("clus1_ps", "api00", "sch.wide"),
]


@pytest.mark.parametrize("name, column, by", API_BY)
def test_api_svyby_means(api, r_api, name, column, by):
    case = api[name]
    table = survey_mean(case.data, case.design, column, by=by)
    prefix = f"{name}.svyby_mean.{column}.{_by_key([by])}"
    g, w = _pairs(table, r_api, lambda r, s: f"{prefix}.{r[by]}.{s}.{column}"
                  f"{r.get('category', '')}", BY_STATS)
    assert_allclose(g, w, rtol=RTOL)
    assert len(g) == 2 * len(table)


API_PROPORTIONS = [
    # R: svyciprop(~awards_yes, dstrat, method = method)
    ("strat", "awards_yes", "awards", "logit"),
    ("strat", "awards_yes", "awards", "beta"),
    # R: svyciprop(~awards_yes, pstrat, method = "beta")
    ("strat_ps", "awards_yes", "awards", "beta"),
    # R: svyciprop(~sch_wide_yes, dclus1, method = method)
    ("clus1", "sch_wide_yes", "sch_wide", "logit"),
    ("clus1", "sch_wide_yes", "sch_wide", "beta"),
    # R: svyciprop(~awards_yes, rclus1, method = method)
    ("clus1_rake", "awards_yes", "awards", "logit"),
    ("clus1_rake", "awards_yes", "awards", "beta"),
]


@pytest.mark.parametrize("name, column, r_name, method", API_PROPORTIONS)
def test_api_svyciprop(api, r_api, name, column, r_name, method):
    case = api[name]
    got = survey_proportion(case.data, case.design, column, method=method).iloc[0]
    key = f"{name}.svyciprop_{method}.{r_name}"
    assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                    [r_api[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                    rtol=RTOL)


API_BY_PROPORTIONS = [
    # R: svyby(~awards_yes, ~stype, dstrat, svyciprop, method = method,
    #          vartype = c("se", "ci"))
    ("strat", "logit"),
    ("strat", "beta"),
    # R: svyby(~awards_yes, ~stype, pstrat, svyciprop, method = "beta",
    #          vartype = c("se", "ci"))
    ("strat_ps", "beta"),
]


@pytest.mark.parametrize("name, method", API_BY_PROPORTIONS)
def test_api_svyby_ciprop(api, r_api, name, method):
    case = api[name]
    table = survey_proportion(case.data, case.design, "awards_yes", by="stype", method=method)
    prefix = f"{name}.svyby_ciprop_{method}.awards.stype"
    g, w = _pairs(table, r_api, lambda r, s: f"{prefix}.{r['stype']}.{s}.awards_yes", CIPROP)
    assert_allclose(g, w, rtol=RTOL)


def test_single_psu_stratum_is_refused():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "s": ["a", "a", "b"]})
    design = Design.from_frame(df, strata="s")
    with pytest.raises(ValueError, match="single PSU"):
        survey_mean(df, design, "y")


def test_rows_must_match_the_design(town, designs):
    with pytest.raises(ValueError, match="rows"):
        survey_mean(town.iloc[:10], designs["rake"], "isolement")


def test_fast_domain_variance_equals_the_expanded_computation(town, designs, cells,
                                                               margins):
    # Without clusters, domain covariances come from sufficient statistics; they must
    # equal svyrecvar's computation on the full n x (domains x categories) matrix.
    strata = Design.from_frame(town, weights="base_weight", strata="qpv")
    calibrated = designs["trim"]  # raked, then trimmed
    # post-stratified then raked, within strata: two calibration steps in a row
    both = rake(town, margins, post_stratify(town, cells, strata).design).design
    rng = np.random.default_rng(1)
    dom = town["district"].factorize(sort=True)[0]
    rows = np.flatnonzero(rng.random(len(town)) < 0.9)
    u = rng.normal(size=(rows.size, 3))
    for design in (calibrated, strata, both):
        fast = domain_covariance(design, u, rows, dom[rows], 8)
        x = np.zeros((len(town), 24))
        x[rows[:, None], dom[rows][:, None] * 3 + np.arange(3)] = u
        assert_allclose(fast, linearised_variance(design, x), rtol=1e-9, atol=1e-12)


# ---- every interval method of svyciprop (tests/reference/proportion_intervals.R) ---


@pytest.fixture(scope="module")
def r_intervals(reference_dir):
    """R's svyciprop figures for each method (see proportion_intervals.R)."""
    return pd.read_csv(reference_dir / "proportion_intervals.csv").set_index("key")["value"]


INTERVAL_METHODS = ["logit", "xlogit", "mean", "beta", "asin"]
INTERVAL_CASES = [
    # R: svyciprop(~sans_medecin_traitant, d, method = method)
    ("sans_medecin_traitant", None, (), None, "sans_medecin_traitant"),
    # R: svyciprop(~renonce, d, method = method, na.rm = TRUE)
    ("renoncement_soins", ("oui",), ("nsp",), None, "renonce"),
    # R: svyby(~sans_medecin_traitant, ~district, d, svyciprop, method = method,
    #          vartype = c("se", "ci"))
    ("sans_medecin_traitant", None, (), "district", "sans_medecin_traitant"),
]


@pytest.mark.parametrize("method", INTERVAL_METHODS)
@pytest.mark.parametrize("name", TOWN_DESIGNS)
@pytest.mark.parametrize("column, need, exclude, by, r_name", INTERVAL_CASES)
def test_svyciprop_every_method_matches_r(town, designs, r_intervals, name, method, column,
                                          need, exclude, by, r_name):
    table = survey_proportion(town, designs[name], column, need=need, exclude=exclude, by=by,
                              method=method)
    if by is None:
        key = f"{name}.svyciprop_{method}.{r_name}"
        got = table.iloc[0]
        assert_allclose(got[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                        [r_intervals[f"{key}.{s}"]
                         for s in ("estimate", "se", "ci_low", "ci_high")], rtol=RTOL)
    else:
        prefix = f"{name}.svyby_ciprop_{method}.{r_name}.{by}"
        g, w = _pairs(table, r_intervals, lambda r, s: f"{prefix}.{r[by]}.{s}.{r_name}",
                      CIPROP)
        assert len(g) == 4 * 8
        assert_allclose(g, w, rtol=RTOL)


@pytest.mark.parametrize("method", INTERVAL_METHODS)
def test_svyciprop_every_method_on_a_cluster_sample(api, r_intervals, method):
    # R: svyciprop(~sch_wide_yes, dclus1, method = method)
    case = api["clus1"]
    got = survey_proportion(case.data, case.design, "sch_wide_yes", method=method).iloc[0]
    key = f"clus1.svyciprop_{method}.sch_wide"
    assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                    [r_intervals[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                    rtol=RTOL)


def test_xlogit_is_the_logit_interval_and_wald_the_mean_one(town, designs):
    for alias, method in (("xlogit", "logit"), ("wald", "mean")):
        a = survey_proportion(town, designs["rake"], "sans_medecin_traitant", by="district",
                              method=alias)
        b = survey_proportion(town, designs["rake"], "sans_medecin_traitant", by="district",
                              method=method)
        pd.testing.assert_frame_equal(a, b)


def test_unknown_interval_method_lists_the_accepted_names(town, designs):
    with pytest.raises(ValueError, match="unknown interval method 'clopper'.*'asin', 'beta', "
                                         "'logit', 'mean', 'wald', 'wilson', 'xlogit'"):
        survey_proportion(town, designs["rake"], "sans_medecin_traitant", method="clopper")
    with pytest.raises(ValueError, match="likelihood.*not implemented"):
        survey_proportion(town, designs["rake"], "sans_medecin_traitant", method="likelihood")


# ---- thin domains and blank answers ----------------------------------------------------


def test_a_domain_of_one_respondent_is_flagged_not_presented(town, designs):
    lone = town.copy()
    lone.loc[lone.index[0], "district"] = "Hameau"
    design = designs["rake"]
    for table in (survey_proportion(lone, design, "sans_medecin_traitant", by="district"),
                  survey_mean(lone, design, "sans_medecin_traitant", by="district"),
                  survey_mean(lone, design, "acces_soins", by="district")):
        hameau = table[table.district == "Hameau"]
        assert hameau["thin"].all() and (hameau["n"] == 1).all()
        assert (hameau["warning"] == THIN_WARNING_FR).all()
        assert THIN_WARNING_FR == "effectif trop faible pour une estimation fiable"
        assert hameau[["se", "ci_low", "ci_high"]].isna().all().all()
        assert hameau["estimate"].notna().all()
        others = table[table.district != "Hameau"]
        assert not others["thin"].any() and others["warning"].isna().all()
        assert (others["se"] > 0).all()


def test_blank_strings_are_missing_answers_everywhere(town, designs):
    design = designs["rake"]
    blank = town.astype({"isolement": object, "acces_soins": object, "qpv": object})
    nan = blank.copy()
    rows = town.index[::7]
    blank.loc[rows, "isolement"] = ""
    blank.loc[rows[::2], "acces_soins"] = "   "
    blank.loc[rows[1::2], "qpv"] = ""
    nan["isolement"] = town["isolement"].mask(town.index.isin(rows))  # a float column
    nan.loc[rows[::2], "acces_soins"] = None
    nan.loc[rows[1::2], "qpv"] = None
    # numbers mixed with "" stay numbers: the mean of a 0/1 column, not shares of "0", "1"
    pd.testing.assert_frame_equal(survey_mean(blank, design, "isolement", by="qpv"),
                                  survey_mean(nan, design, "isolement", by="qpv"))
    shares = survey_mean(blank, design, "acces_soins")
    assert "" not in set(shares["category"]) and "   " not in set(shares["category"])
    pd.testing.assert_frame_equal(shares, survey_mean(nan, design, "acces_soins"))
    pd.testing.assert_frame_equal(
        survey_proportion(blank, design, "acces_soins", need=["difficile"], by="qpv"),
        survey_proportion(nan, design, "acces_soins", need=["difficile"], by="qpv"))
    assert blank.loc[rows[0], "isolement"] == ""  # the caller's frame is untouched
