"""Weighting against R's survey package (tests/reference/*.R) and its error cases.

Tolerance: relative 1e-6 for weights and estimates (``RTOL``), as in DESIGN.md.
Reference figures: ``tests/reference/town_survey.R`` -> ``town_weights.csv`` and
``tests/reference/api_reference.R`` -> ``api_weights.csv`` (R survey 4.1.1). The designs
are built by the fixtures of ``conftest.py``, the R call quoted above each.
"""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.estimation import survey_mean, survey_proportion, survey_total
from analysis.weighting import (
    Design,
    EmptyCategoryError,
    MarginsError,
    MarginsWarning,
    RakingConvergenceError,
    UnknownCategoryError,
    WeightingError,
    post_stratify,
    rake,
    structure_table,
    trim_weights,
    weight_diagnostics,
)

RTOL = 1e-6


# ---- R's weights -------------------------------------------------------------------
# Each column of town_weights.csv is one design of town_survey.R, built by the
# ``town_weightings`` fixture (conftest.py) with the R call quoted above it.


@pytest.mark.parametrize("name", ["rake", "rake_default", "poststrat", "trim"])
def test_town_weights_match_r(town_weightings, r_weights, name):
    # R: weights(rk), weights(rk_default), weights(ps), weights(tr)
    assert_allclose(town_weightings[name].weights.to_numpy(), r_weights[name], rtol=RTOL)


@pytest.mark.parametrize("dataset, name, column", [
    # R: weights(rclus1), rclus1 <- rake(dclus1, list(~stype, ~sch.wide), ...)
    ("apiclus1", "clus1_rake", "rake"),
    # R: weights(pclus1), pclus1 <- postStratify(dclus1, ~stype, pop_types)
    ("apiclus1", "clus1_ps", "post_stratify"),
    # R: weights(tclus1), tclus1 <- trimWeights(rclus1, upper = 1.45 * mean(...), strict = TRUE)
    ("apiclus1", "clus1_trim", "trim"),
    # R: weights(pstrat), pstrat <- postStratify(dstrat, ~sch.wide, pop_schwide)
    ("apistrat", "strat_ps", "post_stratify"),
])
def test_api_weights_match_r(api, api_weights, dataset, name, column):
    expected = api_weights.loc[api_weights.dataset == dataset, column]
    assert_allclose(api[name].result.weights.to_numpy(), expected, rtol=RTOL)


def test_rake_to_convergence_converges(town_weightings):
    assert town_weightings["rake"].converged


def test_rake_on_targets_reaches_every_margin(town, margins, base):
    result = rake(town, margins, base, epsilon=1e-8)
    assert result.converged and result.max_gap < 1e-8 * 56_000
    w = result.weights
    for row in margins.itertuples():
        assert w[town[row.variable] == row.category].sum() == pytest.approx(row.count,
                                                                           rel=1e-8)


def test_post_stratify_reaches_the_cells(town_weightings):
    assert town_weightings["poststrat"].max_gap < 1e-6


def test_trim_is_strict_and_keeps_the_calibration(town_weightings, r_town):
    # R: trimWeights(rk, upper = 2.5 * mean(weights(rk)), lower = 0.6 * mean(weights(rk)),
    #                strict = TRUE)
    raked, trimmed = town_weightings["rake"], town_weightings["trim"]
    assert trimmed.upper == pytest.approx(r_town["trim.upper"], rel=1e-12)
    assert trimmed.weights.max() <= trimmed.upper
    assert trimmed.weights.min() >= trimmed.lower
    assert trimmed.weights.sum() == pytest.approx(raked.weights.sum(), rel=1e-12)
    assert trimmed.rounds > 1 and trimmed.n_trimmed > 0
    # Calibration steps are kept for the standard errors, as R keeps postStrata.
    assert trimmed.design.calibration == raked.design.calibration


# ---- errors and reporting --------------------------------------------------------


def _small():
    df = pd.DataFrame({"sex": ["F", "F", "M", "M", "F", "M"],
                       "age": ["young", "old", "young", "old", "old", "old"]})
    margins = pd.DataFrame({"variable": ["sex", "sex", "age", "age"],
                            "category": ["F", "M", "young", "old"],
                            "count": [52, 48, 40, 60]})
    return df, margins


def test_margin_category_without_respondent_is_a_clear_error():
    df, margins = _small()
    margins = pd.concat([margins, pd.DataFrame(
        {"variable": ["age"], "category": ["very old"], "count": [0]})])
    rake(df, margins)  # a zero census count with no respondent is harmless
    margins.loc[margins.category == "very old", "count"] = 10
    margins.loc[margins.category == "old", "count"] = 50
    with pytest.raises(EmptyCategoryError, match="'very old'.*'age'") as info:
        rake(df, margins)
    assert isinstance(info.value, ValueError)
    assert (info.value.variable, info.value.category) == ("age", "very old")


def test_respondent_category_absent_from_margins_is_a_clear_error_when_asked():
    df, margins = _small()
    df.loc[0, "sex"] = "X"
    with pytest.raises(UnknownCategoryError, match="'sex'.*'X'"):
        rake(df, margins, unmatched="error")
    df.loc[0, "sex"] = None
    with pytest.raises(UnknownCategoryError, match="missing"):
        rake(df, margins, unmatched="error")
    with pytest.raises(ValueError, match="unmatched must be one of"):
        rake(df, margins, unmatched="drop")


def test_empty_post_stratification_cell_is_a_clear_error(town, cells, base):
    cells = pd.concat([cells, pd.DataFrame({"age_band": ["100+"], "sex": ["F"],
                                            "count": [3]})])
    with pytest.raises(EmptyCategoryError, match="100\\+ x F"):
        post_stratify(town, cells, base)


def test_margins_for_different_populations_are_refused():
    df, margins = _small()
    margins.loc[0, "count"] = 60
    with pytest.raises(MarginsError, match="same population"):
        rake(df, margins)


def test_nonconvergence_raises_unless_accepted(town, margins, base):
    with pytest.raises(RakingConvergenceError, match="did not converge") as info:
        rake(town, margins, base, epsilon=1e-12, max_iter=2)
    assert not info.value.result.converged
    result = rake(town, margins, base, epsilon=1e-12, max_iter=2,
                  accept_nonconvergence=True)
    assert not result.converged and result.iterations == 2 and result.max_gap > 0
    assert isinstance(info.value, WeightingError)


def test_collapse_by_mapping_and_by_minimum_count(town, margins, base):
    mapping = {"age_band": {"75-84": "75+", "85+": "75+"}}
    result = rake(town, margins, base, collapse=mapping)
    assert result.collapsed == mapping
    old = town["age_band"].isin(["75-84", "85+"])
    expected = margins.loc[margins.category.isin(["75-84", "85+"]), "count"].sum()
    assert result.weights[old].sum() == pytest.approx(expected, rel=1e-6)

    by_count = rake(town, margins, base, min_respondents=100)
    # 85+ has 89 respondents: merged into its smaller neighbour, 75-84.
    assert by_count.collapsed == {"age_band": {"85+": "75-84 + 85+",
                                               "75-84": "75-84 + 85+"}}
    assert "75-84 + 85+" in set(by_count.structure["category"])


def test_min_count_rule_rescues_an_empty_category():
    df, margins = _small()
    margins = pd.concat([margins, pd.DataFrame(
        {"variable": ["age"], "category": ["very old"], "count": [10]})])
    margins.loc[margins.category == "old", "count"] = 50
    result = rake(df, margins, min_respondents=1)
    assert result.collapsed == {"age": {"old": "old + very old",
                                        "very old": "old + very old"}}


def test_diagnostics_kish_and_quartiles():
    w = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    diag = weight_diagnostics(w)
    assert diag.kish_deff == pytest.approx(len(w) * np.sum(w**2) / w.sum() ** 2)
    assert diag.effective_n == pytest.approx(w.sum() ** 2 / np.sum(w**2))
    assert diag.effective_n == pytest.approx(len(w) / diag.kish_deff)
    assert (diag.min, diag.q1, diag.median, diag.q3, diag.max) == (1, 2, 3, 4, 10)
    assert diag.max_min_ratio == 10
    assert set(diag.as_series().index) >= {"kish_deff", "effective_n", "max_min_ratio"}


def test_structure_table_sets_sample_beside_population(town, margins, base):
    result = rake(town, margins, base)
    table = result.structure
    assert list(table.columns) == ["variable", "category", "respondents", "sample_share",
                                   "weighted", "weighted_share", "population",
                                   "population_share"]
    assert_allclose(table["weighted"], table["population"], rtol=1e-6)
    old = table[(table.variable == "age_band") & (table.category == "75-84")].iloc[0]
    assert old.sample_share > old.population_share  # older people over-represented
    same = structure_table(town, result.weights, margins)
    pd.testing.assert_frame_equal(same, table)


def test_trim_rejects_impossible_bounds_and_single_round_mode(town, margins, base):
    result = rake(town, margins, base)
    with pytest.raises(WeightingError, match="cannot hold"):
        trim_weights(result, upper=0.5, relative=True)
    once = trim_weights(result, upper=2.0, relative=True, strict=False)
    assert once.rounds == 1
    assert once.weights.sum() == pytest.approx(result.weights.sum())


def test_categories_match_by_text_form():
    df = pd.DataFrame({"zone": [1, 2, 2, 1, 3]})
    margins = pd.DataFrame({"variable": ["zone"] * 3, "category": ["1", "2", "3"],
                            "count": [10.0, 20.0, 5.0]})
    result = rake(df, margins)
    assert_allclose(result.weights.to_numpy(), [5, 10, 10, 5, 5])


# ---- respondents outside the census categories are kept (partial_raking.R) -----------


def planted_unmatched(town):
    """The town survey with the respondents of tests/reference/partial_raking.R planted."""
    town = town.copy()
    rid = town["response_id"]
    town.loc[rid % 97 == 0, "sex"] = "autre"
    town.loc[rid % 89 == 0, "age_band"] = "nsp"  # « je ne sais pas »
    town.loc[rid % 83 == 0, "district"] = ""  # not answered: a blank string
    town.loc[rid % 250 == 0, "sex"] = "autre"
    town.loc[rid % 250 == 0, "age_band"] = None
    return town


@pytest.fixture(scope="module")
def partial(town, margins):
    data = planted_unmatched(town)
    kept = data.copy()
    # R: the raking loop of partial_raking.R, then
    #    rk <- rake(des0, list(~district_r, ~age_band_r, ~sex_r), pop) with "inconnu"
    result = rake(data, margins, Design.from_frame(data, weights="base_weight"),
                  epsilon=1e-13, max_iter=5000)
    return data, kept, result


@pytest.fixture(scope="module")
def r_partial(reference_dir):
    return pd.read_csv(reference_dir / "partial_raking_figures.csv").set_index("key")["value"]


def test_kept_respondents_weights_match_r(partial, reference_dir):
    # R: weights(rk) of partial_raking.R
    expected = pd.read_csv(reference_dir / "partial_raking_weights.csv")["weight"]
    assert_allclose(partial[2].weights.to_numpy(), expected, rtol=RTOL)


def test_kept_respondents_standard_errors_match_r(partial, r_partial):
    data, _, result = partial
    # R: svymean(~sans_medecin_traitant, rk); svymean(~isolement, rk, na.rm = TRUE)
    for column in ("sans_medecin_traitant", "isolement"):
        got = survey_mean(data, result.design, column).iloc[0]
        key = f"partial.svymean.{column}.{column}"
        assert_allclose([got.estimate, got.se], [r_partial[key], r_partial[key + ".se"]],
                        rtol=RTOL)
    # R: svytotal(~acces_soins, rk)
    table = survey_total(data, result.design, "acces_soins")
    for row in table.itertuples():
        key = f"partial.svytotal.acces_soins.acces_soins{row.category}"
        assert_allclose([row.estimate, row.se], [r_partial[key], r_partial[key + ".se"]],
                        rtol=RTOL)
    # R: svyciprop(~renonce, rk, method = "logit", na.rm = TRUE)
    got = survey_proportion(data, result.design, "renoncement_soins", need=["oui"],
                            exclude=["nsp"]).iloc[0]
    assert_allclose([got.estimate, got.se, got.ci_low, got.ci_high],
                    [r_partial[f"partial.svyciprop_logit.renonce.{s}"]
                     for s in ("estimate", "se", "ci_low", "ci_high")], rtol=RTOL)
    # R: svyby(~sans_medecin_traitant, ~qpv, rk, svymean)
    table = survey_mean(data, result.design, "sans_medecin_traitant", by="qpv")
    for row in table.itertuples():
        key = f"partial.svyby_mean.sans_medecin_traitant.qpv.{row.qpv}"
        assert_allclose([row.estimate, row.se], [r_partial[key + ".estimate"],
                                                 r_partial[key + ".se"]], rtol=RTOL)


def test_every_respondent_keeps_a_weight_and_the_margins_hold(partial, margins):
    data, kept, result = partial
    w = result.weights
    assert len(w) == len(data) and np.all(np.isfinite(w)) and np.all(w > 0)
    total = margins.loc[margins.variable == "district", "count"].sum()
    assert w.sum() == pytest.approx(total, rel=1e-10)
    for variable, part in margins.groupby("variable"):
        known = data[variable].isin(part["category"])
        shares = w[known].groupby(data.loc[known, variable]).sum() / w[known].sum()
        expected = part.set_index("category")["count"] / part["count"].sum()
        assert_allclose(shares[expected.index], expected, rtol=1e-9)
    # only the weights see the rule: the answers are those given
    pd.testing.assert_frame_equal(data, kept)


def test_kept_respondents_are_reported_per_variable(partial):
    data, _, result = partial
    rid = data["response_id"]
    n_sex, n_age_nsp, n_district = ((rid % 97 == 0) | (rid % 250 == 0)).sum(), \
        (rid % 89 == 0).sum(), (rid % 83 == 0).sum()
    assert result.unmatched_by_variable() == {"district": n_district,
                                              "age_band": n_age_nsp + (rid % 250 == 0).sum(),
                                              "sex": n_sex}
    table = result.unmatched.set_index(["variable", "category"])["respondents"]
    assert table[("sex", "autre")] == n_sex and table[("age_band", "nsp")] == n_age_nsp
    assert result.n_unmatched == n_sex + n_age_nsp + n_district
    diagnostics = result.diagnostics()
    assert diagnostics.n_unmatched == result.n_unmatched
    assert ("district", None, n_district) in diagnostics.unmatched
    assert any("« sex »" in m and "autre" in m for m in diagnostics.messages)


def test_a_respondent_unknown_everywhere_gets_the_mean_weight():
    df, margins = _small()
    df.loc[len(df)] = {"sex": "autre", "age": "nsp"}
    result = rake(df, margins, epsilon=1e-12, max_iter=1000)
    assert result.weights.iloc[-1] == pytest.approx(100 / len(df))
    assert result.weights.sum() == pytest.approx(100)


# ---- margins: count column, totals rescaled within a tolerance ----------------------


def test_margins_count_column_can_be_named():
    df, margins = _small()
    renamed = margins.rename(columns={"count": "population"})
    assert_allclose(rake(df, renamed, count="population").weights, rake(df, margins).weights)
    with pytest.raises(MarginsError, match="count"):
        rake(df, renamed)


def test_close_margin_totals_are_rescaled_with_a_warning():
    df, margins = _small()
    margins["count"] = [52, 48, 40.2, 60.1]  # age adds up to 100.3, sex to 100
    with pytest.warns(MarginsWarning, match="sex: 100, age: 100.3.*'sex', 100"):
        result = rake(df, margins, rescale_tolerance=0.01)
    assert result.rescaled == {"age": pytest.approx(100 / 100.3)}
    assert result.weights.sum() == pytest.approx(100)
    with pytest.warns(MarginsWarning, match="total of 'age', 100.3"):
        other = rake(df, margins, rescale_tolerance=0.01, reference_margin="age")
    assert other.weights.sum() == pytest.approx(100.3)
    with pytest.raises(MarginsError, match=r"sex: 100, age: 100.3.*0\.299%.*0\.100%"):
        rake(df, margins, rescale_tolerance=0.001)


# ---- thin categories are named, blank answers are missing ----------------------------


def test_diagnostics_name_the_categories_to_collapse(town, margins, base):
    thin = town.copy()
    old = thin.index[thin["age_band"] == "85+"]
    thin.loc[old[2:], "age_band"] = "75-84"  # two respondents left to carry the 85+
    result = rake(thin, margins, base, epsilon=1e-8)
    assert result.to_collapse[["variable", "category", "respondents"]].values.tolist() == \
        [["age_band", "85+", 2]]
    assert result.to_collapse["weight_ratio"].iloc[0] > 10
    diagnostics = result.diagnostics()
    assert diagnostics.to_collapse == (("age_band", "85+", 2),)
    assert diagnostics.kish_deff == weight_diagnostics(result.design.weights).kish_deff
    assert "« 85+ » de « age_band »" in diagnostics.messages[0]
    assert rake(town, margins, base).diagnostics().to_collapse == ()


def test_blank_answers_are_missing_in_weighting():
    df, margins = _small()
    df.loc[1, "age"] = "  "
    with pytest.raises(UnknownCategoryError, match="missing for 1"):
        rake(df, margins, unmatched="error")
    assert rake(df, margins).unmatched.values.tolist() == [["age", None, 1]]


def test_blank_design_and_cell_columns_are_missing():
    df = pd.DataFrame({"s": ["a", " ", "b", "b"], "sex": ["F", "M", "", "F"]})
    with pytest.raises(ValueError, match="'s' has missing values"):
        Design.from_frame(df, strata="s")
    cells = pd.DataFrame({"sex": ["F", "M"], "count": [50, 50]})
    with pytest.raises(UnknownCategoryError, match="missing for 1"):
        post_stratify(df, cells)


@pytest.mark.parametrize("name", ["unweighted", "rake", "poststrat", "trim"])
def test_domain_variances_are_the_diagonal_of_domain_covariance(designs, town, name):
    """Many statistics' variances in one pass equal the covariance's diagonal."""
    from analysis.weighting import domain_covariance, domain_variances

    design = designs[name]
    rng = np.random.default_rng(5)
    codes = rng.integers(-1, 6, len(town))
    rows = np.flatnonzero(codes >= 0)
    dom = codes[rows]
    u = rng.normal(size=(rows.size, 4)) * (rng.random((rows.size, 4)) > 0.2)
    diagonal = np.diagonal(domain_covariance(design, u, rows, dom, 6)).reshape(6, 4)
    assert_allclose(domain_variances(design, u, rows, dom, 6), diagonal, rtol=1e-12)
