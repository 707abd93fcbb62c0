"""Margins import and weighting as a job, on the demo campaign, on SQLite and PostgreSQL."""
import pandas as pd
import pytest
from sqlalchemy import func, select

from survey_app.campaigns import margins
from survey_app.domain import ServiceError
from survey_app.findings import frame as exports, weights
from survey_app.jobs import JobState
from survey_app.models import Job, Margin, WeightingRun
from survey_app.weighting import services

from .conftest import margins_csv


def _margins(db_session, campaign):
    return sorted(map(tuple, margins.margins_frame(db_session, campaign).values.tolist()))


def test_good_margins_replace_all_the_campaign_margins(db_session, demo, coordinator):
    before = _margins(db_session, demo)
    text = margins_csv(demo, db_session, changes={("district", "centre"): "4 300"}, drop={("sex", "h")})
    text += "sex;h;12100\n"
    outcome = services.import_margins(db_session, demo, text.encode("utf-8"), actor=coordinator)
    db_session.commit()
    after = _margins(db_session, demo)
    assert outcome.rows == len(before)
    assert ("district", "centre", 4300.0) in after and ("sex", "h", 12100.0) in after
    assert outcome.notices and "légèrement différents" in outcome.notices[0]  # 100 more in district than sex


@pytest.mark.parametrize(
    "changes, extra, drop, words",
    [
        ({}, [("district", "lune", 10)], (), "catégorie inconnue « lune » pour « district »"),
        ({}, [], {("district", "parc")}, "quartiers absents des marges : parc"),
        ({("age_band", "18_24"): "-5"}, [], (), "effectif invalide « -5 »"),
        ({("age_band", "18_24"): "beaucoup"}, [], (), "effectif « beaucoup » non numérique"),
        ({("district", "centre"): "9000"}, [], (), "ne décrivent pas la même population"),
        ({}, [("revenu", "bas", 10)], (), "variable inconnue « revenu »"),
        ({}, [("sex", "f", 10)], (), "apparaît deux fois"),
    ],
)
def test_bad_margins_are_refused_and_nothing_changes(db_session, demo, changes, extra, drop, words):
    before = _margins(db_session, demo)
    with pytest.raises(ServiceError, match=words):
        services.import_margins(db_session, demo, margins_csv(demo, db_session, changes=changes, extra=extra, drop=drop))
    db_session.rollback()
    assert _margins(db_session, demo) == before


def test_every_problem_is_listed_at_once(db_session, demo):
    text = margins_csv(demo, db_session, changes={("age_band", "18_24"): "-5", ("sex", "f"): "x"},
                       extra=[("district", "lune", 10)], drop={("district", "parc")})
    with pytest.raises(ServiceError) as caught:
        services.import_margins(db_session, demo, text)
    message = str(caught.value)
    for words in ("« lune »", "parc", "« -5 »", "« x » non numérique", "rien n'a été changé"):
        assert words in message
    assert message.count("\n- ") >= 4


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "n'est pas un fichier CSV"),
        (b"PK\x03\x04xlsx", "n'est pas un fichier CSV"),
        (b"", "vide"),
        (b"var,cat,n\nsex,f,3\n", "Colonnes manquantes"),
    ],
)
def test_a_file_that_is_not_a_margins_csv_is_refused(db_session, demo, data, words):
    before = _margins(db_session, demo)
    with pytest.raises(ServiceError, match=words):
        services.import_margins(db_session, demo, data)
    db_session.rollback()
    assert _margins(db_session, demo) == before


def _independent_rake(db_session, demo):
    """The same raking straight from ``analysis``, on the tidy responses (everyone kept)."""
    from analysis import rake, weight_diagnostics

    table, definition = exports.tidy_responses(db_session, demo, "resident")
    census = margins.margins_frame(db_session, demo)
    frame = weights.weighting_frame(table, definition, list(dict.fromkeys(census["variable"])))
    result = rake(frame, census)
    return result, weight_diagnostics(result.design.weights)


def test_weights_computed_by_the_job_equal_the_library_and_become_current(db_session, demo, coordinator):
    assert services.current_weighting(db_session, demo) is None
    job = services.start_weighting(db_session, demo, services.weighting_params("rake"), actor=coordinator)
    assert job.state is JobState.DONE, job.error
    current = services.current_weighting(db_session, demo)
    assert current.run.id == job.result["run_id"] and current.computed_at.tzinfo is not None
    result, expected = _independent_rake(db_session, demo)
    stored = current.run.diagnostics
    assert stored["weights"]["kish_deff"] == pytest.approx(expected.kish_deff, rel=1e-12)
    assert stored["weights"]["effective_n"] == pytest.approx(expected.effective_n, rel=1e-12)
    assert stored["weights"]["n"] == expected.n == len(exports.tidy_responses(db_session, demo, "resident")[0])
    assert stored["excluded"] == 0 and stored["imputed"] == result.n_unmatched > 0  # « autre », « je ne sais pas » kept
    assert current.run.converged is result.converged and current.run.iterations == result.iterations
    assert sum(b["count"] for b in stored["distribution"]["bins"]) == expected.n
    assert len(stored["to_collapse"]) == len(result.to_collapse)
    assert sum(r["respondents"] for r in stored["unmatched"]) == int(result.unmatched["respondents"].sum())
    structure = pd.DataFrame(stored["structure"])
    assert set(structure["variable"]) == {"district", "age_band", "sex"}
    assert structure["weighted_share"].to_numpy() == pytest.approx(structure["population_share"].to_numpy(), abs=1e-6)
    assert len(weights.run_weights(db_session, current.run)[0]) == expected.n
    # the job reads only the profile questions the margins name: each response's weight is
    # the one the raking of the whole tidy table gives
    table = exports.tidy_responses(db_session, demo, "resident")[0]
    independent = pd.Series(result.design.weights, index=table["response_id"].to_numpy())
    by_job = weights.current_weights(db_session, demo)
    assert by_job.sort_index().to_numpy() == pytest.approx(independent.sort_index().to_numpy(), rel=1e-12)
    assert list(by_job.sort_index().index) == sorted(independent.index)
    # computing again: the new run is the current one, the old one is kept but not used
    again = services.start_weighting(db_session, demo, services.weighting_params("rake", trim_upper=2.5))
    assert again.state is JobState.DONE and again.id != job.id
    latest = services.current_weighting(db_session, demo)
    assert latest.run.id == again.result["run_id"] and latest.computed_at >= current.computed_at
    assert db_session.scalar(select(func.count()).select_from(WeightingRun).where(WeightingRun.is_current.is_(True))) == 1
    stored = weights.current_weights(db_session, demo)
    assert stored.max() <= 2.5 * stored.mean() * (1 + 1e-9)


def test_post_stratification_reproduces_the_district_counts(db_session, demo):
    job = services.start_weighting(db_session, demo, services.weighting_params("poststratify", cells="district"))
    assert job.state is JobState.DONE, job.error
    run = services.current_weighting(db_session, demo).run
    assert run.method == "poststratify" and run.diagnostics["settings"]["variables"] == ["district"]
    table, _definition = exports.tidy_responses(db_session, demo, "resident")
    w = weights.current_weights(db_session, demo)
    weighted = table.set_index("response_id").loc[w.index, "quartier"].to_frame().assign(w=w.to_numpy()).groupby("quartier")["w"].sum()
    census = margins.margins_frame(db_session, demo)
    for code, count in census.loc[census["variable"] == "district", ["category", "count"]].itertuples(index=False):
        assert weighted[code] == pytest.approx(count, rel=1e-9)


def test_thin_categories_collapsed_on_request_are_reported(db_session, demo):
    job = services.start_weighting(db_session, demo, services.weighting_params("rake", min_respondents=60))
    assert job.state is JobState.DONE, job.error
    run = services.current_weighting(db_session, demo).run
    assert run.diagnostics["collapsed"], run.diagnostics
    assert run.diagnostics["settings"]["min_respondents"] == 60


def test_weighting_without_margins_or_responses_is_refused_and_changes_nothing(db_session, create_campaign, demo):
    db_session.execute(Margin.__table__.delete().where(Margin.campaign_id == demo.id))
    db_session.commit()
    with pytest.raises(ServiceError, match="Pas de marges"):
        services.start_weighting(db_session, demo, services.weighting_params())
    empty = create_campaign("vide")
    from survey_app.campaigns import questionnaires

    questionnaires.load_file(db_session, empty, demo_questionnaire())
    margins.set_margins(db_session, empty, [{"variable": "district", "category": "nord", "count": 10},
                                            {"variable": "district", "category": "sud", "count": 10}])
    db_session.commit()
    with pytest.raises(ServiceError, match="Aucune réponse"):
        services.start_weighting(db_session, empty, services.weighting_params())
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0
    assert db_session.scalar(select(func.count()).select_from(WeightingRun)) == 0


def demo_questionnaire():
    from tests.conftest import PROJECT_ROOT

    return PROJECT_ROOT / "questionnaires" / "resident.yaml"


def test_a_weighting_the_library_refuses_fails_the_job_in_french(db_session, demo):
    # a census district nobody answered from: the job fails with the library's reason, in French
    db_session.add(Margin(campaign_id=demo.id, variable="age_band", category="75_plus_bis", count=1))
    db_session.commit()
    job = services.start_weighting(db_session, demo, services.weighting_params())
    assert job.state is JobState.FAILED
    assert "aucun répondant dans la catégorie « 75_plus_bis »" in job.error
    assert services.current_weighting(db_session, demo) is None


def test_post_stratification_on_joint_cells_uploaded_with_the_margins(db_session, demo):
    census = margins.margins_frame(db_session, demo)
    districts = census[census["variable"] == "district"]
    cells = [("district*sex", f"{code}|{sex}", round(count * share))
             for code, count in zip(districts["category"], districts["count"]) for sex, share in (("f", 0.52), ("h", 0.48))]
    text = margins_csv(demo, db_session, extra=cells)
    text_bad = text + "district*sex;centre;5\ndistrict*sex;lune|f;5\n"
    with pytest.raises(ServiceError) as caught:
        services.import_margins(db_session, demo, text_bad)
    assert "2 parties" in str(caught.value) and "« lune » pour « district »" in str(caught.value)
    db_session.rollback()
    services.import_margins(db_session, demo, text)
    db_session.commit()
    job = services.start_weighting(db_session, demo, services.weighting_params("poststratify", cells="district*sex"))
    assert job.state is JobState.DONE, job.error
    run = services.current_weighting(db_session, demo).run
    assert run.diagnostics["settings"]["variables"] == ["district*sex"]
    table, _definition = exports.tidy_responses(db_session, demo, "resident")
    w = weights.current_weights(db_session, demo)
    rows = table.set_index("response_id").loc[w.index]
    weighted = pd.Series(w.to_numpy(), index=rows["quartier"].astype(str) + "|" + rows["sexe"].astype(str)).groupby(level=0).sum()
    for _variable, category, count in cells:
        assert weighted[category] == pytest.approx(count, rel=1e-9)
    # raking, asked next, uses the single variables and leaves the joint cells aside
    assert services.start_weighting(db_session, demo, services.weighting_params("rake")).state is JobState.DONE
    assert services.current_weighting(db_session, demo).run.diagnostics["settings"]["variables"] == ["age_band", "district", "sex"]


def test_margin_labels_name_roles_questions_and_joint_cells(db_session, demo):
    labels = services.margin_labels(db_session, demo)
    centre = next(d.name for d in demo.districts if d.code == "centre")
    assert labels.variable("district") == "Quartier" and labels.category("district", "centre") == centre
    assert labels.category("age_band", "75_plus") == "75 ans ou plus"
    assert labels.variable("age_band*sex") == "Âge × Sexe"
    assert labels.category("age_band*sex", "18_24|f") == "18 à 24 ans × Une femme"
    # a code without a name, a malformed joint cell, no category: shown as they are
    assert labels.variable("inconnue") == "inconnue" and labels.category("district", "lune") == "lune"
    assert labels.category("age_band*sex", "18_24") == "18_24" and labels.category("sex", None) == ""


def test_margin_labels_in_english_for_an_english_page(app, db_session, demo):
    with app.app_context():
        labels = services.margin_labels(db_session, demo, lang="en")
    assert labels.variable("district") == "District" and labels.variable("age_band*sex") == "Age × Sex"
    assert labels.category("age_band*sex", "18_24|f") == "18 to 24 × A woman"
    assert labels.category("district", "centre") == next(d.name for d in demo.districts if d.code == "centre")
