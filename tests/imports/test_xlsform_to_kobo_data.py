"""The whole journey: a KoboToolbox form brought in, then the data collected with it."""
import yaml
from sqlalchemy import select

from survey_app.imports import kobo
from survey_app.models import Response
from survey_app.questionnaire.xlsform import import_xlsform

from ..questionnaire.xlsform.test_bad_input import write_form

SURVEY = [
    ["type", "name", "label::English (en)", "label::French (fr)", "constraint", "relevant"],
    ["start", "start", "", "", "", ""],
    ["begin_group", "hh", "Household", "Ménage", "", ""],
    ["integer", "HH_size", "People", "Personnes", ". > 0 and . < 30", ""],
    ["select_one portions", "water", "Water a day", "Eau par jour", "", ""],
    ["select_multiple needs", "needs", "Needs", "Besoins",
     "not(selected(., 'none') and count-selected(.) > 1)", "${HH_size} > 1"],
    ["calculate", "per_head", "", "", "", ""],
    ["begin_repeat", "member", "Member", "Membre", "", ""],
    ["integer", "member_age", "Age", "Âge", "", ""],
    ["end_repeat", "", "", "", "", ""],
    ["end_group", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)"],
    ["portions", "0.5", "Half", "Moitié"], ["portions", "1", "One", "Un"],
    ["needs", "food", "Food", "Nourriture"], ["needs", "health", "Health", "Santé"],
    ["needs", "none", "None", "Aucun"],
]


def test_form_then_data(db_session, create_campaign, tmp_path):
    from survey_app.campaigns import questionnaires

    result = import_xlsform(write_form(tmp_path / "household.xlsx", SURVEY, CHOICES))
    assert result.usable, result.report_lines()
    definition = result.definition
    assert list(definition.questions) == ["hh_size", "water", "needs"]
    size = definition.questions["hh_size"]
    assert (size.min, size.max) == (1, 29)
    assert [o.code for o in definition.questions["water"].options] == ["0_5", "1"]
    assert definition.questions["needs"].option("none").exclusive
    assert definition.questions["needs"].show_if == "hh_size > 1"
    rows = {n.name: n.row for n in result.notes}
    assert rows["start"] == 2 and rows["per_head"] == 7 and rows["member"] == 8

    path = tmp_path / "household.yaml"
    path.write_text(yaml.safe_dump(result.data, allow_unicode=True), encoding="utf-8")
    campaign = create_campaign("menages")
    questionnaires.load_file(db_session, campaign, path)
    db_session.commit()

    export = tmp_path / "data.csv"
    export.write_text(
        "hh/HH_size;hh/water;hh/needs;hh/needs/food;hh/needs/health;hh/needs/none;_uuid;"
        "_submission_time;_index\n"
        "4;0.5;food health;1;1;0;a1;2025-01-10T12:00:00;1\n"
        "1;1;;0;0;0;a2;2025-01-11T12:00:00;2\n"
        "3;1;food none;1;0;1;a3;2025-01-11T13:00:00;3\n", encoding="utf-8")
    report = kobo.import_responses(db_session, campaign, export)
    db_session.commit()
    assert report.imported == 2, report.lines()
    assert [row for row, _ in report.skipped] == [4]  # "none" with another need
    answers = [r.answers_dict() for r in db_session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id))]
    assert answers == [{"hh_size": 4, "water": "0_5", "needs": ["food", "health"]},
                       {"hh_size": 1, "water": "1"}]
