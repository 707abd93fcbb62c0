"""Our questionnaire sent to KoboToolbox as an XLSForm, its data export brought back."""
import csv

from sqlalchemy import select

from survey_app.imports import kobo
from survey_app.models import Response
from survey_app.questionnaire import generate_responses, load_definition
from survey_app.questionnaire.xlsform import workbook_rows

from ..questionnaire.conftest import QUESTIONNAIRES


def _kobo_columns(definition):
    """The columns Kobo's export has for our XLSForm: group/…/name, in form order."""
    columns, groups = [], []
    for row in workbook_rows(definition)["survey"]:
        kind = row["type"]
        if kind == "begin_group":
            groups.append(row["name"])
        elif kind == "end_group":
            groups.pop()
        elif kind != "note":
            columns.append(("/".join(groups + [row["name"]]), row["name"]))
    return columns


def _cell(definition, name, answers):
    if "__" in name and name.split("__")[0] in definition.questions \
            and definition.questions[name.split("__")[0]].type == "matrix":
        question, row = name.split("__", 1)
        return (answers.get(question) or {}).get(row, "")
    value = answers.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def test_resident_answers_come_back_unchanged(db_session, create_campaign, tmp_path):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("aller-retour")
    questionnaires.load_file(db_session, campaign, QUESTIONNAIRES / "resident.yaml")
    db_session.commit()
    definition = load_definition(QUESTIONNAIRES / "resident.yaml")
    districts = [{"code": "nord", "name": "Nord", "qpv": False},
                 {"code": "sud", "name": "Sud", "qpv": True}]
    generated = generate_responses(definition, districts=districts, n=40, seed=3)
    columns = _kobo_columns(definition)
    path = tmp_path / "kobo.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow([header for header, _ in columns] + ["_uuid", "_submission_time"])
        for n, answers in enumerate(generated):
            writer.writerow([_cell(definition, name, answers) for _, name in columns]
                            + [f"uuid-{n}", "2025-02-03T10:00:00+01:00"])
    report = kobo.import_responses(db_session, campaign, path)
    db_session.commit()
    assert report.skipped == [] and report.imported == 40, report.lines()
    assert report.ignored == []
    stored = [r.answers_dict() for r in db_session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id))]
    assert stored == [{k: v for k, v in a.items() if v not in (None, [], {})} for a in generated]
