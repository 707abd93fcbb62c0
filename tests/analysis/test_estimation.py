"""Estimation (svymean, svytotal, svyby, svyciprop) against R's survey package.

Tolerance: relative 1e-6 (``RTOL``) for estimates, standard errors and intervals.
Reference figures: ``tests/reference/town_survey.R`` -> ``town_figures.csv`` and
``tests/reference/api_reference.R`` -> ``api_figures.csv`` (R survey 4.1.1). Each key
names the design object of the R script, the R function and the variables; the R call
is quoted above each comparison.
"""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis.estimation import survey_mean, survey_proportion, survey_total
from analysis.weighting import Design, post_stratify, rake, trim_weights

RTOL = 1e-6
TOWN_DESIGNS = ["unweighted", "rake", "rake_default", "poststrat", "trim"]


@pytest.fixture(scope="module")
def town(reference_dir):
    return pd.read_csv(reference_dir / "town_survey.csv")


@pytest.fixture(scope="module")
def r_town(reference_dir):
    return pd.read_csv(reference_dir / "town_figures.csv").set_index("key")["value"]


@pytest.fixture(scope="module")
def designs(town, reference_dir, r_town):
    """The designs of town_survey.R, built the same way."""
    margins = pd.read_csv(reference_dir / "town_census_margins.csv")
    cells = pd.read_csv(reference_dir / "town_census_cells.csv")
    # des0 <- svydesign(ids = ~1, weights = ~base_weight, data = town)
    des0 = Design.from_frame(town, weights="base_weight")
    # rk <- rake(des0, ..., control = list(maxit = 100, epsilon = 1e-10))
    rk = rake(town, margins, des0, epsilon=1e-10, max_iter=100, criterion="change")
    # rk_default <- rake(des0, list(~district, ~age_band, ~sex), pop)
    rk_default = rake(town, margins, des0, epsilon=1, max_iter=10, criterion="change")
    # ps <- postStratify(des0, ~age_band + sex, cells_df)
    ps = post_stratify(town, cells, des0)
    # tr <- trimWeights(rk, upper = 2.5 * mean(weights(rk)), lower = 0.6 * ..., strict = TRUE)
    tr = trim_weights(rk, upper=2.5, lower=0.6, relative=True)
    return {"unweighted": des0, "rake": rk.design, "rake_default": rk_default.design,
            "poststrat": ps.design, "trim": tr.design}


def _pairs(table, figures, key_of, stats_map):
    got, want = [], []
    for row in table.itertuples(index=False):
        for column, r_name in stats_map.items():
            got.append(getattr(row, column))
            want.append(figures[key_of(row, r_name)])
    return np.array(got), np.array(want)


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_svymean_and_svytotal_overall(town, designs, r_town, name):
    design = designs[name]
    # R: svymean(~sans_medecin_traitant, d)
    got = survey_mean(town, design, "sans_medecin_traitant").iloc[0]
    key = f"{name}.svymean.sans_medecin_traitant.sans_medecin_traitant"
    assert_allclose([got.estimate, got.se], [r_town[key], r_town[key + ".se"]], rtol=RTOL)
    assert got.n == 2000
    # R: svymean(~isolement, d, na.rm = TRUE)
    got = survey_mean(town, design, "isolement").iloc[0]
    key = f"{name}.svymean.isolement.isolement"
    assert_allclose([got.estimate, got.se], [r_town[key], r_town[key + ".se"]], rtol=RTOL)
    assert got.n == town["isolement"].notna().sum()
    # R: svymean(~acces_soins, d)
    table = survey_mean(town, design, "acces_soins")
    g, w = _pairs(table, r_town,
                  lambda r, s: f"{name}.svymean.acces_soins.acces_soins{r.category}{s}",
                  {"estimate": "", "se": ".se"})
    assert_allclose(g, w, rtol=RTOL)
    assert table["n_category"].sum() == 2000
    # R: svytotal(~acces_soins, d)
    table = survey_total(town, design, "acces_soins")
    g, w = _pairs(table, r_town,
                  lambda r, s: f"{name}.svytotal.acces_soins.acces_soins{r.category}{s}",
                  {"estimate": "", "se": ".se"})
    assert_allclose(g, w, rtol=RTOL)


@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_svyby_means_and_totals(town, designs, r_town, name):
    design = designs[name]
    stats_map = {"estimate": "estimate", "se": "se"}
    # R: svyby(~sans_medecin_traitant, ~district, d, svymean)
    table = survey_mean(town, design, "sans_medecin_traitant", by="district")
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_mean.sans_medecin_traitant"
                  f".district.{r.district}.{s}.sans_medecin_traitant", stats_map)
    assert_allclose(g, w, rtol=RTOL)
    assert table["n"].sum() == 2000
    # R: svyby(~acces_soins, ~district, d, svymean)
    table = survey_mean(town, design, "acces_soins", by="district")
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_mean.acces_soins.district."
                  f"{r.district}.{s}.acces_soins{r.category}", stats_map)
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~isolement, ~age_band, d, svymean, na.rm = TRUE)
    table = survey_mean(town, design, "isolement", by="age_band")
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_mean.isolement.age_band."
                  f"{r.age_band}.{s}.isolement", stats_map)
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~sans_medecin_traitant, ~qpv + sex, d, svymean)
    table = survey_mean(town, design, "sans_medecin_traitant", by=["qpv", "sex"])
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_mean.sans_medecin_traitant"
                  f".qpv_sex.{r.qpv}.{r.sex}.{s}.sans_medecin_traitant", stats_map)
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~sans_medecin_traitant, ~district, d, svytotal)
    table = survey_total(town, design, "sans_medecin_traitant", by="district")
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_total.sans_medecin_traitant"
                  f".district.{r.district}.{s}.sans_medecin_traitant", stats_map)
    assert_allclose(g, w, rtol=RTOL)


CIPROP = {"estimate": "estimate", "se": "se", "ci_low": "ci_l", "ci_high": "ci_u"}


@pytest.mark.parametrize("method", ["logit", "beta"])
@pytest.mark.parametrize("name", TOWN_DESIGNS)
def test_svyciprop(town, designs, r_town, name, method):
    design = designs[name]
    # R: svyciprop(~sans_medecin_traitant, d, method = method)
    got = survey_proportion(town, design, "sans_medecin_traitant", method=method).iloc[0]
    key = f"{name}.svyciprop_{method}.sans_medecin_traitant"
    assert_allclose(got[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                    [r_town[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                    rtol=RTOL)
    # R: svyciprop(~renonce, d, method = method, na.rm = TRUE), renonce = NA for "nsp"
    got = survey_proportion(town, design, "renoncement_soins", need={"oui"},
                            exclude={"nsp"}, method=method).iloc[0]
    key = f"{name}.svyciprop_{method}.renonce"
    assert_allclose(got[["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                    [r_town[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                    rtol=RTOL)
    assert got.n == (town.renoncement_soins != "nsp").sum()
    assert got.n_need == (town.renoncement_soins == "oui").sum()
    # R: svyby(~sans_medecin_traitant, ~district, d, svyciprop, method = method,
    #          vartype = c("se", "ci"))
    table = survey_proportion(town, design, "sans_medecin_traitant", by="district",
                              method=method)
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_ciprop_{method}."
                  f"sans_medecin_traitant.district.{r.district}.{s}.sans_medecin_traitant",
                  CIPROP)
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~renonce, ~qpv, d, svyciprop, method = method, na.rm = TRUE, ...)
    table = survey_proportion(town, design, "renoncement_soins", need=["oui"],
                              exclude=["nsp"], by="qpv", method=method)
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_ciprop_{method}.renonce.qpv."
                  f"{r.qpv}.{s}.renonce", CIPROP)
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~acces_difficile, ~age_band, d, svyciprop, method = method, ...)
    table = survey_proportion(town, design, "acces_soins", need=["difficile"],
                              by="age_band", method=method)
    g, w = _pairs(table, r_town, lambda r, s: f"{name}.svyby_ciprop_{method}."
                  f"acces_difficile.age_band.{r.age_band}.{s}.acces_difficile", CIPROP)
    assert_allclose(g, w, rtol=RTOL)


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


# ---- R's API samples -------------------------------------------------------------


@pytest.fixture(scope="module")
def r_api(reference_dir):
    return pd.read_csv(reference_dir / "api_figures.csv").set_index("key")["value"]


@pytest.fixture(scope="module")
def apistrat(r_survey_dir):
    df = pd.read_csv(r_survey_dir / "survey_apistrat.csv")
    return df.assign(awards_yes=df["awards"] == "Yes")


@pytest.fixture(scope="module")
def apiclus1(r_survey_dir):
    df = pd.read_csv(r_survey_dir / "survey_apiclus1.csv")
    return df.assign(awards_yes=df["awards"] == "Yes", sch_wide_yes=df["sch.wide"] == "Yes")


def test_apistrat_stratified_with_fpc(apistrat, r_api):
    # R: dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat,
    #                        fpc = ~fpc)
    design = Design.from_frame(apistrat, weights="pw", strata="stype", fpc="fpc")
    assert design.degrees_of_freedom() == r_api["strat.degf"]
    # R: svymean(~api00, dstrat)
    got = survey_mean(apistrat, design, "api00").iloc[0]
    assert_allclose([got.estimate, got.se], [r_api["strat.svymean.api00.api00"],
                                             r_api["strat.svymean.api00.api00.se"]], rtol=RTOL)
    # R: svytotal(~enroll, dstrat)
    got = survey_total(apistrat, design, "enroll").iloc[0]
    assert_allclose([got.estimate, got.se], [r_api["strat.svytotal.enroll.enroll"],
                                             r_api["strat.svytotal.enroll.enroll.se"]],
                    rtol=RTOL)
    # R: svyby(~api00, ~stype, dstrat, svymean)
    table = survey_mean(apistrat, design, "api00", by="stype")
    g, w = _pairs(table, r_api, lambda r, s: f"strat.svyby_mean.api00.stype.{r.stype}.{s}"
                  ".api00", {"estimate": "estimate", "se": "se"})
    assert_allclose(g, w, rtol=RTOL)
    # R: svyby(~awards, ~stype, dstrat, svymean)
    table = survey_mean(apistrat, design, "awards", by="stype")
    g, w = _pairs(table, r_api, lambda r, s: f"strat.svyby_mean.awards.stype.{r.stype}.{s}"
                  f".awards{r.category}", {"estimate": "estimate", "se": "se"})
    assert_allclose(g, w, rtol=RTOL)
    for method in ("logit", "beta"):
        # R: svyciprop(~awards_yes, dstrat, method = method)
        got = survey_proportion(apistrat, design, "awards_yes", method=method).iloc[0]
        key = f"strat.svyciprop_{method}.awards"
        assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                        [r_api[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                        rtol=RTOL)
        # R: svyby(~awards_yes, ~stype, dstrat, svyciprop, method = method,
        #          vartype = c("se", "ci"))
        table = survey_proportion(apistrat, design, "awards_yes", by="stype", method=method)
        g, w = _pairs(table, r_api, lambda r, s: f"strat.svyby_ciprop_{method}.awards.stype."
                      f"{r.stype}.{s}.awards_yes", CIPROP)
        assert_allclose(g, w, rtol=RTOL)


def test_apistrat_post_stratified(apistrat, r_survey_dir, r_api):
    # R: pstrat <- postStratify(dstrat, ~sch.wide, pop_schwide)
    apipop = pd.read_csv(r_survey_dir / "survey_apipop.csv")
    cells = apipop.groupby("sch.wide").size().rename("count").reset_index()
    design = post_stratify(apistrat, cells, Design.from_frame(
        apistrat, weights="pw", strata="stype", fpc="fpc")).design
    # R: svymean(~api00, pstrat); svytotal(~enroll, pstrat)
    got = [survey_mean(apistrat, design, "api00").iloc[0],
           survey_total(apistrat, design, "enroll").iloc[0]]
    assert_allclose([got[0].estimate, got[0].se, got[1].estimate, got[1].se],
                    [r_api["strat_ps.svymean.api00.api00"],
                     r_api["strat_ps.svymean.api00.api00.se"],
                     r_api["strat_ps.svytotal.enroll.enroll"],
                     r_api["strat_ps.svytotal.enroll.enroll.se"]], rtol=RTOL)
    # R: svyby(~api00, ~stype, pstrat, svymean)
    table = survey_mean(apistrat, design, "api00", by="stype")
    g, w = _pairs(table, r_api, lambda r, s: f"strat_ps.svyby_mean.api00.stype.{r.stype}."
                  f"{s}.api00", {"estimate": "estimate", "se": "se"})
    assert_allclose(g, w, rtol=RTOL)
    # R: svyciprop(~awards_yes, pstrat, method = "beta")
    got = survey_proportion(apistrat, design, "awards_yes", method="beta").iloc[0]
    assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                    [r_api[f"strat_ps.svyciprop_beta.awards.{s}"]
                     for s in ("estimate", "se", "ci_low", "ci_high")], rtol=RTOL)
    # R: svyby(~awards_yes, ~stype, pstrat, svyciprop, method = "beta", ...)
    table = survey_proportion(apistrat, design, "awards_yes", by="stype", method="beta")
    g, w = _pairs(table, r_api, lambda r, s: f"strat_ps.svyby_ciprop_beta.awards.stype."
                  f"{r.stype}.{s}.awards_yes", CIPROP)
    assert_allclose(g, w, rtol=RTOL)


POP = pd.DataFrame({"variable": ["stype"] * 3 + ["sch.wide"] * 2,
                    "category": ["E", "H", "M", "No", "Yes"],
                    "count": [4421, 755, 1018, 1072, 5122]})


def test_apiclus1_cluster_raked_post_stratified_trimmed(apiclus1, r_api):
    # R: dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
    design = Design.from_frame(apiclus1, weights="pw", clusters="dnum", fpc="fpc")
    assert design.degrees_of_freedom() == r_api["clus1.degf"]
    # R: svymean(~api00, dclus1); svytotal(~enroll, dclus1)
    m = survey_mean(apiclus1, design, "api00").iloc[0]
    t = survey_total(apiclus1, design, "enroll").iloc[0]
    assert_allclose([m.estimate, m.se, t.estimate, t.se],
                    [r_api[k] for k in ("clus1.svymean.api00.api00",
                                        "clus1.svymean.api00.api00.se",
                                        "clus1.svytotal.enroll.enroll",
                                        "clus1.svytotal.enroll.enroll.se")], rtol=RTOL)
    # R: svyby(~api00, ~stype, dclus1, svymean)
    table = survey_mean(apiclus1, design, "api00", by="stype")
    g, w = _pairs(table, r_api, lambda r, s: f"clus1.svyby_mean.api00.stype.{r.stype}.{s}"
                  ".api00", {"estimate": "estimate", "se": "se"})
    assert_allclose(g, w, rtol=RTOL)
    for method in ("logit", "beta"):
        # R: svyciprop(~sch_wide_yes, dclus1, method = method)
        got = survey_proportion(apiclus1, design, "sch_wide_yes", method=method).iloc[0]
        key = f"clus1.svyciprop_{method}.sch_wide"
        assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                        [r_api[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                        rtol=RTOL)

    # R: rclus1 <- rake(dclus1, list(~stype, ~sch.wide), list(pop_types, pop_schwide2))
    raked = rake(apiclus1, POP, design, epsilon=1, max_iter=10, criterion="change").design
    m = survey_mean(apiclus1, raked, "api00").iloc[0]
    t = survey_total(apiclus1, raked, "enroll").iloc[0]
    # R: svymean(~api00, rclus1); svytotal(~enroll, rclus1)
    assert_allclose([m.estimate, m.se, t.estimate, t.se],
                    [r_api[k] for k in ("clus1_rake.svymean.api00.api00",
                                        "clus1_rake.svymean.api00.api00.se",
                                        "clus1_rake.svytotal.enroll.enroll",
                                        "clus1_rake.svytotal.enroll.enroll.se")], rtol=RTOL)
    # R: svyby(~api00, ~stype, rclus1, svymean)
    table = survey_mean(apiclus1, raked, "api00", by="stype")
    g, w = _pairs(table, r_api, lambda r, s: f"clus1_rake.svyby_mean.api00.stype.{r.stype}."
                  f"{s}.api00", {"estimate": "estimate", "se": "se"})
    assert_allclose(g, w, rtol=RTOL)
    for method in ("logit", "beta"):
        # R: svyciprop(~awards_yes, rclus1, method = method)
        got = survey_proportion(apiclus1, raked, "awards_yes", method=method).iloc[0]
        key = f"clus1_rake.svyciprop_{method}.awards"
        assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                        [r_api[f"{key}.{s}"] for s in ("estimate", "se", "ci_low", "ci_high")],
                        rtol=RTOL)

    # R: pclus1 <- postStratify(dclus1, ~stype, pop_types); svymean(~api00, pclus1)
    cells = pd.DataFrame({"stype": ["E", "H", "M"], "count": [4421, 755, 1018]})
    ps = post_stratify(apiclus1, cells, design).design
    m = survey_mean(apiclus1, ps, "api00").iloc[0]
    assert_allclose([m.estimate, m.se], [r_api["clus1_ps.svymean.api00.api00"],
                                         r_api["clus1_ps.svymean.api00.api00.se"]], rtol=RTOL)
    # R: svyby(~api00, ~sch.wide, pclus1, svymean)
    table = survey_mean(apiclus1, ps, "api00", by="sch.wide")
    got = table[["estimate", "se"]].to_numpy().ravel()
    want = [r_api[f"clus1_ps.svyby_mean.api00.sch_wide.{lvl}.{s}.api00"]
            for lvl in ("No", "Yes") for s in ("estimate", "se")]
    assert_allclose(got, want, rtol=RTOL)

    # R: tclus1 <- trimWeights(rclus1, upper = 1.45 * mean(weights(rclus1)), strict = TRUE)
    #    svymean(~api00, tclus1)
    raked_result = rake(apiclus1, POP, design, epsilon=1, max_iter=10, criterion="change")
    trimmed = trim_weights(raked_result, upper=1.45, relative=True).design
    m = survey_mean(apiclus1, trimmed, "api00").iloc[0]
    assert_allclose([m.estimate, m.se], [r_api["clus1_trim.svymean.api00.api00"],
                                         r_api["clus1_trim.svymean.api00.api00.se"]],
                    rtol=RTOL)


def test_single_psu_stratum_is_refused():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "s": ["a", "a", "b"]})
    design = Design.from_frame(df, strata="s")
    with pytest.raises(ValueError, match="single PSU"):
        survey_mean(df, design, "y")


def test_rows_must_match_the_design(town, designs):
    with pytest.raises(ValueError, match="rows"):
        survey_mean(town.iloc[:10], designs["rake"], "isolement")


def test_fast_domain_variance_equals_the_expanded_computation(town, designs,
                                                               reference_dir):
    # Without clusters, domain covariances come from sufficient statistics; they must
    # equal svyrecvar's computation on the full n x (domains x categories) matrix.
    from analysis._design import domain_covariance, linearised_variance

    strata = Design.from_frame(town, weights="base_weight", strata="qpv")
    calibrated = designs["trim"]  # raked, then trimmed
    cells = pd.read_csv(reference_dir / "town_census_cells.csv")
    margins = pd.read_csv(reference_dir / "town_census_margins.csv")
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
