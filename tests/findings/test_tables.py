"""Result tables: the figures are the library's, small cells are blanked, bad input is refused."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest

from survey_app.domain import ServiceError

from .conftest import THIN


def _library_tables(db_session, campaign):
    """What analysis/ gives for the same weighted responses, called directly."""
    from analysis import benjamini_hochberg, compare_domains, indicator_tables

    from survey_app.findings import indicators, tables

    sample, _run = tables.weighted_sample(db_session, campaign)
    frame = sample.table
    profiles = indicators.add_profiles(frame, sample.definition, campaign)
    specs = indicators.indicator_columns(frame, sample.definition)
    expected = indicator_tables(frame, sample.design, specs, by=profiles)
    published = expected[(expected["variable"] == "district") & ~expected["suppressed"].astype(bool)]
    keys = set(zip(published["indicator"], published["group"].astype(str)))
    comparisons = []
    for name, column, need in specs:
        result = compare_domains(frame, sample.design, column, need=list(need), domain="district")
        for group, difference, p in zip(result["district"].astype(str), result["difference"], result["p_value"]):
            if (name, group) in keys and group != "nsp":
                comparisons.append((name, group, difference, p))
    q = benjamini_hochberg(np.array([c[3] for c in comparisons]))
    return expected, {(c[0], c[1]): (c[2], qv) for c, qv in zip(comparisons, q)}


def test_indicator_figures_are_the_library_results(weighted, db_session):
    from survey_app.findings import tables

    result = tables.compute_indicators(db_session, weighted.campaign)
    expected, compared = _library_tables(db_session, weighted.campaign)
    assert len(result["rows"]) == len(expected)
    shown = {(r["indicator"], r["variable"], r["group"]): r for r in result["rows"]}
    checked = 0
    for row in expected.to_dict("records"):
        mine = shown[(row["indicator"], row["variable"], str(row["group"]))]
        assert mine["suppressed"] == bool(row["suppressed"])
        if row["suppressed"]:
            continue
        for name in ("estimate", "se", "ci_low", "ci_high"):
            assert mine[name] == pytest.approx(float(row[name]), rel=1e-12, abs=1e-15)
        assert mine["n_cell"] == int(row["n_cell"])
        assert mine["n"] in (None, int(row["n"]))  # a size is blanked with a blanked one (below)
        checked += 1
    assert checked > 100
    flagged = 0
    for (indicator, group), (difference, q) in compared.items():
        mine = shown[(indicator, "district", group)]
        assert mine["difference"] == pytest.approx(difference, rel=1e-12)
        assert mine["q_value"] == pytest.approx(q, rel=1e-12)
        assert mine["flag"] == (None if q >= 0.05 else ("higher" if difference > 0 else "lower"))
        flagged += mine["flag"] is not None
    assert {r["variable"] for r in result["rows"]} == {"town", "district", "qpv", "age_band", "sex"}
    assert result["indicators"] and all(i["axis_label"] for i in result["indicators"])


def test_a_thin_district_is_blanked_in_every_indicator(weighted, db_session):
    from survey_app.findings import tables

    result = tables.compute_indicators(db_session, weighted.campaign)
    thin = [r for r in result["rows"] if r["variable"] == "district" and r["group"] == THIN]
    assert len(thin) == len(result["indicators"])
    for row in thin:
        assert row["suppressed"] is True and row["group_label"] == "L'Îlot"
        assert all(row[name] is None for name in ("estimate", "se", "ci_low", "ci_high", "n", "n_cell", "difference",
                                                  "q_value", "flag"))
    for row in result["rows"]:
        if not row["suppressed"]:
            assert row["n_cell"] >= 11 and row["n"] is None or row["n"] >= 11
    # the thin district's size is not the town's minus the others': another size is blanked with it
    for indicator in result["indicators"]:
        districts = [r for r in result["rows"] if r["indicator"] == indicator["name"] and r["variable"] == "district"]
        assert sum(r["n"] is None for r in districts) >= 2


def test_a_lone_blanked_group_size_takes_the_smallest_other_with_it():
    from survey_app.findings.tables import protect_group_sizes

    assert protect_group_sizes({"a": None, "b": 40, "c": 25}) == {"a", "c"}
    assert protect_group_sizes({"a": None, "b": None, "c": 25}) == {"a", "b"}
    assert protect_group_sizes({"a": 12, "b": 40}) == set()


def test_indicator_views_filter_by_axis_and_sort(weighted, db_session):
    from survey_app.findings import tables

    result = tables.compute_indicators(db_session, weighted.campaign)
    axis = result["indicators"][0]["axis"]
    views = tables.indicator_views(result, axis=axis)
    assert views and {v.axis for v in views} == {axis}
    by_town = tables.indicator_views(result, sort="ville", descending=True)
    values = [v.town["estimate"] for v in by_town if v.town["estimate"] is not None]
    assert values == sorted(values, reverse=True)
    by_label = tables.indicator_views(result, sort="libelle")
    assert [v.label.casefold() for v in by_label] == sorted(v.label.casefold() for v in by_label)


@pytest.mark.parametrize("statistic", ["F", "Chisq"])
@pytest.mark.parametrize("shares", ["row", "column"])
def test_cross_table_figures_are_the_library_results(weighted, db_session, statistic, shares):
    from analysis import crosstab

    from survey_app.findings import tables

    result = tables.cross_table(db_session, weighted.campaign, "quartier", "medecin_traitant", shares=shares,
                                statistic=statistic)
    sample, _run = tables.weighted_sample(db_session, weighted.campaign)
    frame = sample.table.copy()
    question, profile = ("medecin_traitant", "quartier") if shares == "row" else ("quartier", "medecin_traitant")
    expected = crosstab(frame, sample.design, question, profile, statistic=statistic)
    assert result["test"]["statistic"] == pytest.approx(expected.test.statistic, rel=1e-12)
    assert result["test"]["p_value"] == pytest.approx(expected.test.p_value, rel=1e-12)
    rows = [r["code"] for r in result["rows"]]
    columns = [c["code"] for c in result["columns"]]
    assert THIN in rows
    seen = 0
    for record in expected.table.to_dict("records"):
        r, c = (record[profile], record["category"]) if shares == "row" else (record["category"], record[profile])
        cell = result["cells"][rows.index(str(r))][columns.index(str(c))]
        assert cell["suppressed"] == bool(record["suppressed"])
        if not record["suppressed"]:
            assert cell["estimate"] == pytest.approx(record["estimate"], rel=1e-12)
            assert cell["ci_low"] == pytest.approx(record["ci_low"], rel=1e-12)
            seen += 1
        else:
            assert cell["estimate"] is None and cell["n_cell"] is None
    assert seen
    thin_row = result["cells"][rows.index(THIN)] if shares == "row" else None
    if thin_row is not None:
        assert all(cell["suppressed"] and cell["n"] is None for cell in thin_row)


@pytest.mark.parametrize("row, column, message", [
    ("quartier", "quartier", "deux questions différentes"),
    ("quartier", "problemes_quartier", "réponse libre"),
    ("langues", "quartier", "choix multiples"),
    ("quartier", "foyer_nb", "n'est pas une question fermée"),
    ("quartier", "n_existe_pas", "n'est pas une question de ce questionnaire"),
    ("", "quartier", "Choisissez la question à mettre en lignes"),
])
def test_bad_cross_tables_are_refused_in_french(weighted, db_session, row, column, message):
    from survey_app.findings import tables

    with pytest.raises(ServiceError, match=message):
        tables.cross_table(db_session, weighted.campaign, row, column)


def test_bad_cross_table_options_are_refused(weighted, db_session):
    from survey_app.findings import tables

    with pytest.raises(ServiceError, match="en ligne ou en colonne"):
        tables.cross_table(db_session, weighted.campaign, "quartier", "sexe", shares="diagonale")
    with pytest.raises(ServiceError, match="second ordre"):
        tables.cross_table(db_session, weighted.campaign, "quartier", "sexe", statistic="G")


def test_tables_need_weights_first(db_session, create_campaign, app):
    from pathlib import Path

    from survey_app.campaigns import questionnaires
    from survey_app.findings import tables

    campaign = create_campaign("sans-poids")
    questionnaires.load_file(db_session, campaign, Path(app.config["CLS_QUESTIONNAIRES_DIR"]) / "resident.yaml")
    with pytest.raises(ServiceError, match="pas encore été pondérées"):
        tables.compute_indicators(db_session, campaign)
    with pytest.raises(ServiceError, match="pas encore été pondérées"):
        tables.start_indicators(db_session, campaign, None)


def test_the_job_keeps_the_result_and_says_when_weights_changed(weighted, db_session):
    from survey_app.findings import tables, weights

    job = tables.start_indicators(db_session, weighted.campaign, weighted.coordinator)
    assert job.state.value == "done", job.error
    state = tables.indicator_state(db_session, weighted.campaign)
    assert state.result["rows"] and state.finished_at is not None and not state.stale
    again = tables.start_indicators(db_session, weighted.campaign, weighted.coordinator)
    assert again.id != job.id  # the first one had finished: a new one
    weights.store_weights(db_session, weighted.campaign, weights.weight_sample(db_session, weighted.campaign))
    db_session.commit()
    assert tables.indicator_state(db_session, weighted.campaign).stale


def test_downloads_neutralise_formulas_and_keep_numbers():
    from openpyxl import load_workbook

    from survey_app.findings import downloads

    for text in ("=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert downloads.neutralise(text) == "'" + text
    assert downloads.neutralise("Nord") == "Nord" and downloads.neutralise(-0.5) == -0.5
    sheet = downloads.Sheet("Essai", ["a", "=b"], [["=HYPERLINK(\"x\")", 0.25, None, 3]], note="règle")
    body = downloads.to_csv(sheet)
    assert body.startswith("\ufeff".encode("utf-8"))
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1] == "a;'=b"
    assert lines[2].startswith("\"'=HYPERLINK(\"\"x\"\")\";0,25;;3")
    book = load_workbook(io.BytesIO(downloads.to_xlsx(sheet)))
    page = book.active
    assert page.cell(3, 1).value == "'=HYPERLINK(\"x\")" and page.cell(3, 1).data_type == "s"
    assert page.cell(3, 2).value == 0.25 and page.cell(3, 3).value is None
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in page.iter_rows() for c in row)


def test_indicator_sheet_has_no_figure_of_a_blanked_cell(weighted, db_session):
    from survey_app.findings import downloads, tables

    sheet = downloads.indicator_sheet(tables.compute_indicators(db_session, weighted.campaign))
    thin = [row for row in sheet.rows if row[4] == "L'Îlot"]
    assert thin and all(row[5:11] == [None] * 6 and row[13:15] == [None, None] for row in thin)
    assert all(not (isinstance(v, float) and math.isnan(v)) for row in sheet.rows for v in row)
