"""Generate the synthetic "town survey" used as the second reference data set.

Run once (``python tests/reference/make_town_survey.py``); the CSV files it writes are
committed and read both by ``town_survey.R`` (which produces the reference figures
with R's survey package) and by the Python tests. The seed is fixed so the files can
be regenerated identically.

The town is invented: about 60,000 inhabitants, 8 districts (two of them *quartiers
prioritaires*, QPV), 6 adult age bands and 2 sexes. Respondents are skewed the way
diagnostic surveys are: older people and women answer more, QPV districts less.

Files written next to this script:

- ``town_survey.csv``: one row per response (2,000 rows);
- ``town_census_margins.csv``: census margins in the long format
  ``variable, category, count`` (district, age_band, sex);
- ``town_census_cells.csv``: census joint cells ``age_band, sex, count`` used for
  post-stratification.
"""
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240317
N_RESPONDENTS = 2000
HERE = Path(__file__).resolve().parent

DISTRICTS = ["Centre", "Gare", "Les Tilleuls", "Plateau", "Port", "Saint-Roch",
             "Val Fleuri", "Zola"]
QPV = {"Les Tilleuls", "Zola"}
DISTRICT_POPULATION = [9200, 7400, 8100, 6900, 5600, 6100, 4800, 7900]
AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75-84", "85+"]
AGE_SHARE = [0.19, 0.26, 0.25, 0.18, 0.09, 0.03]
# Response propensity: older people and women answer more, QPV districts less.
AGE_PROPENSITY = [0.45, 0.7, 1.0, 1.6, 2.0, 1.4]
SEX_PROPENSITY = {"F": 1.5, "M": 1.0}


def census_cells(rng):
    """Return the joint census counts district x age_band x sex (adults)."""
    rows = []
    for district, pop in zip(DISTRICTS, DISTRICT_POPULATION):
        ages = rng.dirichlet(np.asarray(AGE_SHARE) * 400)
        for age, share in zip(AGE_BANDS, ages):
            women = 0.5 + 0.04 * AGE_BANDS.index(age) / 5  # women live longer
            for sex, s_share in (("F", women), ("M", 1 - women)):
                rows.append((district, age, sex, int(round(pop * share * s_share))))
    return pd.DataFrame(rows, columns=["district", "age_band", "sex", "count"])


def draw_respondents(rng, cells):
    """Sample respondents from the census cells with a skewed propensity."""
    propensity = (
        cells["age_band"].map(dict(zip(AGE_BANDS, AGE_PROPENSITY)))
        * cells["sex"].map(SEX_PROPENSITY)
        * np.where(cells["district"].isin(sorted(QPV)), 0.7, 1.0)
    )
    p = cells["count"] * propensity
    picks = rng.choice(len(cells), size=N_RESPONDENTS, p=(p / p.sum()).to_numpy())
    sample = cells.iloc[picks][["district", "age_band", "sex"]].reset_index(drop=True)
    return sample


def answer_questions(rng, sample, population):
    """Add need indicators and a 3-level question whose odds depend on the profile."""
    n = len(sample)
    age_index = sample["age_band"].map({a: i for i, a in enumerate(AGE_BANDS)}).to_numpy()
    qpv = sample["district"].isin(sorted(QPV)).to_numpy()
    woman = (sample["sex"] == "F").to_numpy()

    def binary(intercept, age_slope, qpv_effect, woman_effect):
        eta = intercept + age_slope * age_index + qpv_effect * qpv + woman_effect * woman
        return (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)

    out = sample.copy()
    out.insert(0, "response_id", np.arange(1, n + 1))
    out["qpv"] = np.where(qpv, "QPV", "hors QPV")
    out["base_weight"] = population / n  # equal design weight, as if a simple random sample
    # sans_medecin_traitant: 1 = no regular GP. Young and QPV residents lack one more.
    out["sans_medecin_traitant"] = binary(-1.2, -0.15, 0.8, -0.1)
    # renoncement_soins: gave up care for cost or delay; coded oui / non / nsp.
    renonce = binary(-1.0, 0.05, 0.6, 0.3)
    dont_know = rng.random(n) < 0.06
    out["renoncement_soins"] = np.where(dont_know, "nsp",
                                        np.where(renonce == 1, "oui", "non"))
    # isolement: feels isolated; some item non-response (empty cell in the CSV).
    isolement = binary(-2.0, 0.35, 0.4, 0.2).astype(float)
    isolement[rng.random(n) < 0.05] = np.nan
    out["isolement"] = isolement
    # acces_soins: ease of access to care, 3 levels.
    eta = -0.3 + 0.9 * qpv + 0.1 * age_index + rng.logistic(size=n)
    out["acces_soins"] = np.select([eta < 0.2, eta < 1.6], ["facile", "difficile"],
                                   "tres difficile")
    return out


def main():
    """Write the survey and the census files next to this script."""
    rng = np.random.default_rng(SEED)
    cells = census_cells(rng)
    survey = answer_questions(rng, draw_respondents(rng, cells), int(cells["count"].sum()))
    margins = pd.concat(
        [
            cells.groupby(var, sort=True)["count"].sum().reset_index()
            .rename(columns={var: "category"}).assign(variable=var)
            for var in ("district", "age_band", "sex")
        ]
    )[["variable", "category", "count"]]
    joint = cells.groupby(["age_band", "sex"], sort=True)["count"].sum().reset_index()
    survey.to_csv(HERE / "town_survey.csv", index=False)
    margins.to_csv(HERE / "town_census_margins.csv", index=False)
    joint.to_csv(HERE / "town_census_cells.csv", index=False)


if __name__ == "__main__":
    main()
