"""flask questionnaires import-xlsform / export-xlsform."""
import yaml

from survey_app.questionnaire import load_definition

from ..conftest import QUESTIONNAIRES
from .test_bad_input import CHOICES, GOOD_SURVEY, write_form


def test_export_then_import(runner, tmp_path):
    xlsx = tmp_path / "resident.xlsx"
    result = runner.invoke(args=["questionnaires", "export-xlsform",
                                 str(QUESTIONNAIRES / "resident.yaml"), "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert xlsx.is_file()
    out = tmp_path / "back.yaml"
    dry = runner.invoke(args=["questionnaires", "import-xlsform", str(xlsx), "--dry-run",
                              "--out", str(out)])
    assert dry.exit_code == 0, dry.output
    assert "rien n'a été écrit" in dry.output and not out.exists()
    result = runner.invoke(args=["questionnaires", "import-xlsform", str(xlsx), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_definition(out) == load_definition(out)  # a valid file of ours
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["id"] == "resident" and data["languages"] == ["fr", "en"]


def test_import_lists_what_is_not_represented(runner, tmp_path):
    path = write_form(tmp_path / "form.xlsx", GOOD_SURVEY, CHOICES)
    result = runner.invoke(args=["questionnaires", "import-xlsform", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "survey:4: [where] position GPS" in result.output


def test_bad_form_exit_1_and_nothing_written(runner, tmp_path):
    survey = [["type", "name", "label", "relevant"], ["integer", "a", "A", ""],
              ["integer", "a", "B", "${a} >"], ["select_one none", "c", "C", ""]]
    path = write_form(tmp_path / "bad.xlsx", survey, CHOICES)
    out = tmp_path / "bad.yaml"
    result = runner.invoke(args=["questionnaires", "import-xlsform", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert "survey:3: [a] nom en double" in result.output
    assert "survey:4: [c] liste de choix inconnue « none »" in result.output
    assert "Rien n'a été écrit" in result.output
    assert not out.exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [", encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "export-xlsform", str(broken), "--out",
                                 str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and not (tmp_path / "x.xlsx").exists()


def test_export_with_the_campaign_districts(runner, create_campaign, tmp_path):
    import openpyxl

    campaign = create_campaign("export-xlsform")
    xlsx = tmp_path / "resident.xlsx"
    result = runner.invoke(args=["questionnaires", "export-xlsform",
                                 str(QUESTIONNAIRES / "resident.yaml"), "--out", str(xlsx),
                                 "--campaign", campaign.slug])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(xlsx, read_only=True)
    rows = list(book["choices"].iter_rows(values_only=True))
    book.close()
    names = [row[1] for row in rows if row[0] == "quartier_options"]
    assert names == ["nord", "sud", "nsp"]
