"""Fixtures shared by the analysis tests: the data and designs of the R reference scripts.

``town_survey.R`` and ``api_reference.R`` (in ``tests/reference/``) build designs from the
synthetic town survey and from R's API samples; the fixtures below build the same
designs here, the R call quoted above each one, so that every test compares like with
like.
"""
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis.weighting import Design, post_stratify, rake, trim_weights

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_TESTDATA = PROJECT_ROOT.parent / "shared" / "testdata"
REFERENCE_DIR = PROJECT_ROOT / "tests" / "reference"

#: The designs of town_survey.R, in the order the script writes them.
TOWN_DESIGNS = ["unweighted", "rake", "rake_default", "poststrat", "trim"]


@pytest.fixture(scope="session")
def r_survey_dir():
    """Folder of R's survey data sets as CSV; skip visibly when absent (fresh clone)."""
    folder = SHARED_TESTDATA / "r_survey"
    if not folder.is_dir():
        pytest.skip(f"shared test data not found at {folder} (present in CI)")
    return folder


@pytest.fixture(scope="session")
def reference_dir():
    """Folder of the R scripts and the figures they produced."""
    return REFERENCE_DIR


# ---- the synthetic town survey (town_survey.R) ------------------------------------


@pytest.fixture(scope="session")
def town(reference_dir):
    return pd.read_csv(reference_dir / "town_survey.csv")


@pytest.fixture(scope="session")
def margins(reference_dir):
    return pd.read_csv(reference_dir / "town_census_margins.csv")


@pytest.fixture(scope="session")
def cells(reference_dir):
    return pd.read_csv(reference_dir / "town_census_cells.csv")


@pytest.fixture(scope="session")
def r_town(reference_dir):
    """R's figures on the town survey, by key (see town_survey.R)."""
    return pd.read_csv(reference_dir / "town_figures.csv").set_index("key")["value"]


@pytest.fixture(scope="session")
def r_weights(reference_dir):
    """R's weights of each town design, one row per response."""
    return pd.read_csv(reference_dir / "town_weights.csv")


@pytest.fixture(scope="session")
def base(town):
    # R: des0 <- svydesign(ids = ~1, weights = ~base_weight, data = town)
    return Design.from_frame(town, weights="base_weight")


@pytest.fixture(scope="session")
def town_weightings(town, margins, cells, base):
    """The weighting results of town_survey.R, by design name (not "unweighted")."""
    # R: rk <- rake(des0, list(~district, ~age_band, ~sex), pop,
    #               control = list(maxit = 100, epsilon = 1e-10))
    rk = rake(town, margins, base, epsilon=1e-10, max_iter=100, criterion="change")
    return {
        "rake": rk,
        # R: rk_default <- rake(des0, list(~district, ~age_band, ~sex), pop)
        #    (R's default control: maxit = 10, epsilon = 1)
        "rake_default": rake(town, margins, base, epsilon=1, max_iter=10, criterion="change"),
        # R: ps <- postStratify(des0, ~age_band + sex, cells_df)
        "poststrat": post_stratify(town, cells, base),
        # R: tr <- trimWeights(rk, upper = 2.5 * mean(weights(rk)),
        #                      lower = 0.6 * mean(weights(rk)), strict = TRUE)
        "trim": trim_weights(rk, upper=2.5, lower=0.6, relative=True),
    }


@pytest.fixture(scope="session")
def designs(base, town_weightings):
    """The designs of town_survey.R, by name (``TOWN_DESIGNS``)."""
    return {"unweighted": base, **{name: result.design
                                   for name, result in town_weightings.items()}}


# ---- R's API samples (api_reference.R) --------------------------------------------

#: R: pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
POP_TYPES = pd.DataFrame({"variable": ["stype"] * 3, "category": ["E", "H", "M"],
                          "count": [4421, 755, 1018]})
#: R: pop_schwide2 <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
POP_SCHWIDE = pd.DataFrame({"variable": ["sch.wide"] * 2, "category": ["No", "Yes"],
                            "count": [1072, 5122]})


@dataclass
class ApiCase:
    """One design of api_reference.R: its data, design and (for weightings) result."""

    data: pd.DataFrame
    design: Design
    result: object = None


@pytest.fixture(scope="session")
def r_api(reference_dir):
    """R's figures on the API samples, by key (see api_reference.R)."""
    return pd.read_csv(reference_dir / "api_figures.csv").set_index("key")["value"]


@pytest.fixture(scope="session")
def api_weights(reference_dir):
    return pd.read_csv(reference_dir / "api_weights.csv")


@pytest.fixture(scope="session")
def api(r_survey_dir):
    """The designs of api_reference.R, by the prefix of their keys."""
    apistrat = pd.read_csv(r_survey_dir / "survey_apistrat.csv")
    apistrat = apistrat.assign(awards_yes=apistrat["awards"] == "Yes")
    apiclus1 = pd.read_csv(r_survey_dir / "survey_apiclus1.csv")
    apiclus1 = apiclus1.assign(awards_yes=apiclus1["awards"] == "Yes",
                               sch_wide_yes=apiclus1["sch.wide"] == "Yes")
    apipop = pd.read_csv(r_survey_dir / "survey_apipop.csv")
    # R: dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat,
    #                        fpc = ~fpc)
    dstrat = Design.from_frame(apistrat, weights="pw", strata="stype", fpc="fpc")
    # R: pop_schwide <- as.data.frame(table(sch.wide = apipop$sch.wide))
    #    pstrat <- postStratify(dstrat, ~sch.wide, pop_schwide)
    pop_schwide = apipop.groupby("sch.wide").size().rename("count").reset_index()
    pstrat = post_stratify(apistrat, pop_schwide, dstrat)
    # R: dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
    dclus1 = Design.from_frame(apiclus1, weights="pw", clusters="dnum", fpc="fpc")
    # R: rclus1 <- rake(dclus1, list(~stype, ~sch.wide), list(pop_types, pop_schwide2))
    rclus1 = rake(apiclus1, pd.concat([POP_TYPES, POP_SCHWIDE]), dclus1, epsilon=1,
                  max_iter=10, criterion="change")
    # R: pclus1 <- postStratify(dclus1, ~stype, pop_types)
    types = POP_TYPES.rename(columns={"category": "stype"})[["stype", "count"]]
    pclus1 = post_stratify(apiclus1, types, dclus1)
    # R: tclus1 <- trimWeights(rclus1, upper = 1.45 * mean(weights(rclus1)), strict = TRUE)
    tclus1 = trim_weights(rclus1, upper=1.45, relative=True)
    return {
        "strat": ApiCase(apistrat, dstrat),
        "strat_ps": ApiCase(apistrat, pstrat.design, pstrat),
        "clus1": ApiCase(apiclus1, dclus1),
        "clus1_rake": ApiCase(apiclus1, rclus1.design, rclus1),
        "clus1_ps": ApiCase(apiclus1, pclus1.design, pclus1),
        "clus1_trim": ApiCase(apiclus1, tclus1.design, tclus1),
    }
