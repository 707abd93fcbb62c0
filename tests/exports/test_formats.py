"""Each export format re-read (pandas, openpyxl, pyreadstat) and compared, value by value and
label by label, with the responses as stored; refusals change nothing."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from tests.collection.world import HOSTILE, world_fixture

world = world_fixture(weights=True)


@pytest.fixture(scope="module")
def stored(app, world):
    """The analysed responses of the residents' questionnaire as stored, read without the export code."""
    from survey_app.campaigns import questionnaires
    from survey_app.extensions import db
    from survey_app.findings.weights import current_weights
    from survey_app.models import Campaign, Response, ResponseStatus

    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_id)
        version = questionnaires.current_version(db.session, campaign, "resident")
        definition = questionnaires.definition_of(version)
        responses = db.session.scalars(select(Response).where(
            Response.questionnaire_version_id == version.id,
            Response.status.in_([ResponseStatus.COMPLETE, ResponseStatus.VALIDATED])).order_by(Response.id)).all()
        found = {r.id: {"answers": r.answers_dict(), "channel": r.channel.value, "status": r.status.value,
                        "day": r.submitted_on or r.created_on} for r in responses}
        weights = current_weights(db.session, campaign).to_dict()
        districts = {d.code: d.name for d in campaign.districts}
        db.session.remove()
    return {"responses": found, "definition": definition, "weights": weights, "districts": districts}


def _export(app, world, fmt, tmp_path, **options):
    from survey_app.exports import formats
    from survey_app.extensions import db
    from survey_app.models import Campaign

    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_id)
        out = tmp_path / f"export.{fmt}"
        result = formats.export(db.session, campaign, fmt, out, **options)
        db.session.remove()
    return out, result


def _expected_cells(stored, response_id, *, labels=False):
    """``{export column: expected value}`` for one response: codes (or labels), 0/1, numbers, texts."""
    from survey_app.infra.spreadsheet import safe_cell

    definition = stored["definition"]
    answers = stored["responses"][response_id]["answers"]
    district_q = definition.question_for_role("district").id
    cells = {}
    for question in definition.questions.values():
        value = answers.get(question.id)
        options = {o.code: o.label("fr") for o in question.options}
        name = "district" if question.id == district_q else question.id
        if question.type == "note":
            continue
        if question.type == "multiple":
            for code in question.codes:
                cells[f"{question.id}.{code}"] = None if value is None else int(code in value)
        elif question.type == "matrix":
            for row in question.row_ids:
                code = (value or {}).get(row)
                cells[f"{question.id}.{row}"] = options.get(code, code) if labels and code else code
        elif question.type == "ranking":
            for rank in range(1, (question.rank_count or len(question.codes)) + 1):
                code = value[rank - 1] if value and len(value) >= rank else None
                cells[f"{question.id}.rang{rank}"] = options.get(code, code) if labels and code else code
        elif question.type == "district":
            cells[name] = stored["districts"].get(value, "Je ne sais pas" if value == "nsp" else value) if labels and value else value
        elif question.type in ("single", "yesno"):
            cells[name] = options.get(value, value) if labels and value else value
        elif isinstance(value, str):
            cells[name] = safe_cell(value)
        else:
            cells[name] = value
        if question.other_option is not None:
            cells[f"{question.id}.autre_texte"] = safe_cell(answers.get(question.id + "__autre"))
    return cells


def _same(got, expected):
    if expected is None:
        return got is None or got == "" or (isinstance(got, float) and math.isnan(got))
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return got is not None and got != "" and float(str(got).replace(",", ".")) == pytest.approx(float(expected))
    return str(got) == str(expected)


def test_csv_value_by_value(app, world, stored, tmp_path):
    import pandas as pd

    out, result = _export(app, world, "csv", tmp_path)
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    frame = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False, decimal=",")
    assert result.rows == len(frame) == len(stored["responses"])
    assert list(frame["response_id"].astype(int)) == sorted(stored["responses"])
    for _, row in frame.iterrows():
        rid = int(row["response_id"])
        meta = stored["responses"][rid]
        assert row["channel"] == meta["channel"] and row["status"] == meta["status"]
        assert row["day"] == meta["day"].isoformat()
        assert float(row["poids"].replace(",", ".")) == pytest.approx(stored["weights"][rid], rel=1e-9)
        for column, expected in _expected_cells(stored, rid).items():
            if (rid, column) in {(world.marked_id, "district")}:
                continue
            got = row[column]
            if rid == world.marked_id and column in (world.age, world.sex):
                assert got == {world.age: "illisible", world.sex: "non renseigné"}[column]
                continue
            assert _same(got or None, expected), (rid, column, got, expected)
    hostile = frame.loc[frame["response_id"].astype(int) == world.hostile_id, world.text_question].iloc[0]
    assert hostile == "'" + HOSTILE
    assert world.excluded_id not in set(frame["response_id"].astype(int))


def test_csv_labels_and_commas(app, world, stored, tmp_path):
    import pandas as pd

    out, _ = _export(app, world, "csv", tmp_path, labels=True, delimiter=",")
    frame = pd.read_csv(out, sep=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for _, row in frame.head(25).iterrows():
        rid = int(row["response_id"])
        for column, expected in _expected_cells(stored, rid, labels=True).items():
            if rid == world.marked_id and column in (world.age, world.sex):
                continue
            assert _same(row[column] or None, expected), (rid, column, row[column], expected)
    assert set(frame["channel"]) <= {"internet", "papier", "import"}


def test_all_statuses_includes_drafts_and_excluded(app, world, tmp_path):
    import pandas as pd

    out, result = _export(app, world, "csv", tmp_path, all_statuses=True)
    frame = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert {"draft", "excluded", "complete"} <= set(frame["status"])
    assert world.excluded_id in set(frame["response_id"].astype(int))


def test_xlsx_codebook_and_sheets(app, world, stored, tmp_path):
    import openpyxl

    out, result = _export(app, world, "xlsx", tmp_path)
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["codebook", "professional", "resident"]
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[0] == ("questionnaire", "variable", "question", "libellé", "type", "codes")
    rows = list(book["resident"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(stored["responses"])
    resident_vars = [r[1] for r in codebook[1:] if r[0] == "resident"]
    assert list(header) == resident_vars
    by_name = {r[1]: r for r in codebook[1:] if r[0] == "resident"}
    first_single = next(q for q in stored["definition"].questions.values() if q.type == "single")
    assert "1 = " in by_name[first_single.id][5] or " = " in by_name[first_single.id][5]
    index = {name: i for i, name in enumerate(header)}
    for row in body:
        rid = int(row[index["response_id"]])
        for column, expected in _expected_cells(stored, rid).items():
            if rid == world.marked_id and column in (world.age, world.sex):
                assert row[index[column]] in ("illisible", "non renseigné")
                continue
            assert _same(row[index[column]], expected), (rid, column, row[index[column]], expected)
    hostile_row = next(r for r in body if int(r[index["response_id"]]) == world.hostile_id)
    assert hostile_row[index[world.text_question]] == "'" + HOSTILE


def _reread_labels(stored, frame, meta, names):
    """Integer codes mapped back through the file's own value labels equal the stored answers' labels."""
    definition = stored["definition"]
    district_q = definition.question_for_role("district").id
    checked = 0
    for position, rid in enumerate(frame[names["response_id"]].astype(int)):
        expected = _expected_cells(stored, rid, labels=True)
        for question in definition.questions.values():
            if question.type not in ("single", "yesno", "district") or (rid == world_ids.marked and question.id in world_ids.marked_qs):
                continue
            name = names["district" if question.id == district_q else question.id]
            value = frame[name].iloc[position]
            want = expected["district" if question.id == district_q else question.id]
            if want is None:
                assert value is None or (isinstance(value, float) and math.isnan(value))
            else:
                assert meta.variable_value_labels[name][value] == want, (rid, question.id)
                checked += 1
    assert checked > 100


class world_ids:  # filled by the tests below (the marked response and its marked questions)
    marked = None
    marked_qs = ()


def test_sav_labels_codes_and_user_missing(app, world, stored, tmp_path):
    import pyreadstat

    from survey_app.exports.statistical import _truncate_bytes, spss_names

    out, result = _export(app, world, "sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert len(frame) == len(stored["responses"])
    from survey_app.exports import dictionary
    from survey_app.models import Campaign
    from survey_app.extensions import db

    with app.app_context():
        variables = dictionary.export_variables(db.session.get(Campaign, world.campaign_id), stored["definition"], weighted=True)
        db.session.remove()
    names = spss_names([v.name for v in variables])
    assert list(frame.columns) == [names[v.name] for v in variables]
    labels = dict(zip(meta.column_names, meta.column_labels))
    for variable in variables:
        assert labels[names[variable.name]] == _truncate_bytes(variable.label, 256).rstrip()
    world_ids.marked, world_ids.marked_qs = world.marked_id, (world.age, world.sex)
    _reread_labels(stored, frame, meta, names)
    row = frame.index[frame["response_id"] == world.marked_id][0]
    assert frame.at[row, names[world.age]] == -2 and frame.at[row, names[world.sex]] == -1
    assert {m["lo"] for m in meta.missing_ranges[names[world.age]]} == {-1, -2}
    assert meta.variable_value_labels[names[world.age]][-2] == "illisible"
    assert frame["poids"].tolist() == pytest.approx([stored["weights"][int(r)] for r in frame["response_id"]])
    multiple = next(q for q in stored["definition"].questions.values() if q.type == "multiple")
    column = names[f"{multiple.id}.{multiple.codes[0]}"]
    assert meta.variable_value_labels[column] == {0: "non", 1: "oui"}
    for position, rid in enumerate(frame["response_id"].astype(int)):
        want = _expected_cells(stored, rid)[f"{multiple.id}.{multiple.codes[0]}"]
        assert _same(frame[column].iloc[position], want)


def test_dta_labels_codes_and_missing(app, world, stored, tmp_path):
    import pyreadstat

    from survey_app.exports import dictionary
    from survey_app.exports.formats import stata_names
    from survey_app.extensions import db
    from survey_app.models import Campaign

    out, result = _export(app, world, "dta", tmp_path)
    frame, meta = pyreadstat.read_dta(str(out), user_missing=True)
    with app.app_context():
        variables = dictionary.export_variables(db.session.get(Campaign, world.campaign_id), stored["definition"], weighted=True)
        db.session.remove()
    names = stata_names([v.name for v in variables], {v.name for v in variables if v.kind in ("labelled", "binary")})
    assert list(frame.columns) == [names[v.name] for v in variables]
    assert all(len(n) <= 32 and "." not in n for n in frame.columns)
    labels = dict(zip(meta.column_names, meta.column_labels))
    for variable in variables:
        assert labels[names[variable.name]] == variable.label[:80].rstrip()
    world_ids.marked, world_ids.marked_qs = world.marked_id, (world.age, world.sex)
    _reread_labels(stored, frame, meta, names)
    row = frame.index[frame["response_id"] == world.marked_id][0]
    assert frame.at[row, names[world.age]] == "b" and frame.at[row, names[world.sex]] == "a"
    for position, rid in enumerate(frame["response_id"].astype(int)):
        assert str(frame["day"].iloc[position]) == stored["responses"][rid]["day"].isoformat()


def test_names_within_limits():
    from survey_app.exports.formats import spss_names, stata_names

    long = ["q_" + "x" * 80 + ".a", "q_" + "x" * 80 + ".b", "1abc", "in", "with", "a.b."]
    stata = stata_names(long, {long[0]})
    assert all(len(v) <= 32 for v in stata.values()) and len(set(stata.values())) == len(long)
    assert len(stata[long[0]]) <= 28 and stata["1abc"][0].isalpha() and stata["in"] != "in"
    spss = spss_names(long)
    assert all(len(v.encode()) <= 64 and not v.endswith(".") for v in spss.values())
    assert len({v.lower() for v in spss.values()}) == len(long) and spss["with"] != "with"


def test_empty_campaign_and_unknown_format_refused(app, world, tmp_path):
    from survey_app.domain import ServiceError
    from survey_app.exports import formats
    from survey_app.extensions import db
    from survey_app.models import Campaign

    with app.app_context():
        empty = db.session.get(Campaign, world.empty_id)
        for fmt in formats.FORMATS:
            with pytest.raises(ServiceError, match="Rien à exporter"):
                formats.export(db.session, empty, fmt, tmp_path / f"vide.{fmt}")
        with pytest.raises(ServiceError, match="Format d'export inconnu : « pdf »"):
            formats.export(db.session, empty, "pdf", tmp_path / "x.pdf")
        db.session.remove()
    assert list(tmp_path.iterdir()) == []


def test_flask_export_command(app, world, tmp_path):
    import pyreadstat

    runner = app.test_cli_runner()
    out = tmp_path / "cli.sav"
    with app.app_context():
        result = runner.invoke(args=["export", "--campaign", world.slug, "--format", "sav", "--out", str(out)])
        bad = runner.invoke(args=["export", "--campaign", world.slug, "--format", "odt", "--out", str(tmp_path / "x")])
        empty = runner.invoke(args=["export", "--campaign", "vide", "--format", "csv", "--out", str(tmp_path / "v.csv")])
    assert result.exit_code == 0, result.output
    frame, _ = pyreadstat.read_sav(str(out))
    assert f"{len(frame)} réponses complètes ou validées" in result.output
    assert bad.exit_code == 1 and "Format d'export inconnu" in bad.output
    assert empty.exit_code == 1 and "Rien à exporter" in empty.output and not (tmp_path / "v.csv").exists()


def test_dictionary_csv_matches_the_export_columns(app, world, stored, tmp_path):
    import csv
    import io

    from survey_app.exports import dictionary
    from survey_app.extensions import db
    from survey_app.models import Campaign

    out, _ = _export(app, world, "csv", tmp_path)
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    with app.app_context():
        variables = dictionary.export_variables(db.session.get(Campaign, world.campaign_id), stored["definition"], weighted=True)
        db.session.remove()
    rows = list(csv.reader(io.StringIO(dictionary.dictionary_csv(variables).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == dictionary.DICTIONARY_COLUMNS
    assert [r[0] for r in rows[1:]] == header
