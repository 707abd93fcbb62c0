"""``flask analysis weights`` and ``flask analysis tables`` on the demo campaign."""
import pandas as pd
import pytest
from sqlalchemy import func, select

from survey_app.models import Campaign, WeightingRun
from survey_app.campaigns import margins
from survey_app.findings import weights


@pytest.fixture()
def demo(runner, db_session):
    result = runner.invoke(args=["demo", "setup", "--responses", "400", "--seed", "11"])
    assert result.exit_code == 0, result.output
    return db_session.scalar(select(Campaign).where(Campaign.slug == "demo"))


def test_weights_reproduce_every_census_margin_and_are_stored(runner, demo, db_session):
    result = runner.invoke(args=["analysis", "weights", "--campaign", "demo"])
    assert result.exit_code == 0, result.output
    assert "effet de plan de Kish" in result.output and "convergence              : oui" in result.output
    run = db_session.scalar(select(WeightingRun).where(WeightingRun.is_current.is_(True)))
    stored = weights.current_weights(db_session, demo)
    assert len(stored) == run.diagnostics["weights"]["n"] == len(weights.run_weights(db_session, run)[0])
    sample = weights.weight_sample(db_session, demo)
    table = sample.table.assign(weight=sample.design.weights)
    census = margins.margins_frame(db_session, demo)
    # Respondents outside a variable's census categories are kept and raked on the other
    # margins (analysis.rake's rule): among those inside, every census share is reproduced,
    # and the weights add up to the population.
    for variable, rows in census.groupby("variable"):
        inside = table[variable].astype(str).isin(set(rows["category"]))
        weighted = table[inside].groupby(table.loc[inside, variable].astype(str))["weight"].sum()
        for category, count in zip(rows["category"], rows["count"]):
            assert weighted[category] / weighted.sum() == pytest.approx(count / rows["count"].sum(), rel=1e-6)
    assert stored.sum() == pytest.approx(census.loc[census["variable"] == "district", "count"].sum())
    assert len(stored) == len(table)  # nobody left unweighted


def test_weights_keep_residents_outside_the_census_categories(runner, demo, db_session):
    result = runner.invoke(args=["analysis", "weights", "--campaign", "demo"])
    assert result.exit_code == 0, result.output
    assert "réponses non pondérées" not in result.output
    sample = weights.weight_sample(db_session, demo)
    assert sample.result.n_unmatched > 0
    assert "gardées hors recensement" in result.output
    stored = weights.current_weights(db_session, demo)
    assert (stored > 0).all() and stored.notna().all()


def test_trimming_bounds_the_weights(runner, demo, db_session):
    result = runner.invoke(args=["analysis", "weights", "--campaign", "demo", "--trim", "3"])
    assert result.exit_code == 0, result.output
    stored = weights.current_weights(db_session, demo)
    assert stored.max() <= 3 * stored.mean() * (1 + 1e-9)
    assert db_session.scalar(select(func.count()).select_from(WeightingRun).where(WeightingRun.is_current.is_(True))) == 1


def test_a_census_category_without_respondent_is_a_clear_french_error(runner, demo, db_session):
    margins.set_margins(db_session, demo, [
        {"variable": "district", "category": d.code, "count": 1000} for d in demo.districts
    ] + [{"variable": "district", "category": "zone-vide", "count": 500}])
    db_session.commit()
    result = runner.invoke(args=["analysis", "weights", "--campaign", "demo"])
    assert result.exit_code == 1
    assert "aucun répondant dans la catégorie « zone-vide »" in result.output


def test_campaign_without_margins_is_refused(runner, create_campaign):
    create_campaign("sans-marges")
    result = runner.invoke(args=["analysis", "weights", "--campaign", "sans-marges"])
    assert result.exit_code == 1 and "pas de marges" in result.output


def test_tables_write_one_csv_per_indicator_with_small_cells_blanked(runner, demo, tmp_path):
    result = runner.invoke(args=["analysis", "tables", "--campaign", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.csv"))
    assert len(files) >= 10
    frame = pd.concat(pd.read_csv(f) for f in files)
    assert {"ensemble", "district", "qpv", "age_band", "sex"} <= set(frame["variable"])
    hidden = frame[frame["suppressed"]]
    assert len(hidden) and hidden["estimate"].isna().all() and hidden["n_cell"].isna().all()
    shown = frame[~frame["suppressed"]]
    assert (shown["n_cell"] >= 11).all()
    assert shown["estimate"].between(0, 1).all() and (shown["ci_low"] <= shown["estimate"]).all()
