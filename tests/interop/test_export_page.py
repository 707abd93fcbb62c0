"""Any questionnaire of the campaign downloaded as an XLSForm that pyxform converts."""
from __future__ import annotations

import io

import pytest

pyxform = pytest.importorskip("pyxform.xls2xform", reason="pyxform is a test dependency")

RESIDENT = "questionnaires/resident.yaml"


def test_each_questionnaire_downloads_as_an_xlsform_pyxform_converts(client, login, db_session, world, tmp_path):
    from survey_app.campaigns import questionnaires
    from survey_app.questionnaire.xlsform import import_xlsform

    from tests.conftest import PROJECT_ROOT

    questionnaires.load_file(db_session, world["campaign"], PROJECT_ROOT / RESIDENT)
    db_session.commit()
    login(world["coordinator"])
    page = client.get("/espace/campagnes/ville/kobo-odk/").get_data(as_text=True)
    for key in ("kobo_test", "resident"):
        url = f"/espace/campagnes/ville/kobo-odk/xlsform/export/{key}.xlsx"
        assert url in page
        reply = client.get(url)
        assert reply.status_code == 200
        assert reply.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert f'filename="ville-{key}-v1-xlsform.xlsx"' in reply.headers["Content-Disposition"]
        path = tmp_path / f"{key}.xlsx"
        path.write_bytes(reply.data)
        result = pyxform.convert(xlsform=str(path))
        assert "<h:html" in result.xform
        # and it comes back as the same questionnaire, with the campaign's districts
        back = import_xlsform(path)
        assert back.usable, back.report_lines()[:10]
        version = questionnaires.current_version(db_session, world["campaign"], key)
        assert list(back.definition.questions) == list(questionnaires.definition_of(version).questions)
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client.get(
        "/espace/campagnes/ville/kobo-odk/xlsform/export/kobo_test.xlsx").data))
    choices = [[c.value for c in row] for row in book["choices"].iter_rows()]
    assert any("nord" in row and "Nord" in row for row in choices)


def test_a_label_that_looks_like_a_formula_stays_text(client, login, db_session, world, tmp_path):
    import openpyxl

    from survey_app.campaigns import questionnaires

    path = tmp_path / "formule.yaml"
    path.write_text("""
id: formule
title: {fr: "Formule"}
languages: [fr]
sections:
  - id: s
    title: {fr: "S"}
    questions:
      - id: q
        type: text
        label: {fr: '=HYPERLINK("http://exemple.test","cliquez")'}
""", encoding="utf-8")
    questionnaires.load_file(db_session, world["campaign"], path)
    db_session.commit()
    login(world["coordinator"])
    reply = client.get("/espace/campagnes/ville/kobo-odk/xlsform/export/formule.xlsx")
    assert reply.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(reply.data))["survey"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_export_access(client, login, world):
    url = "/espace/campagnes/ville/kobo-odk/xlsform/export/kobo_test.xlsx"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(world["agent"])
    assert client.get(url).status_code == 403
    client.post("/deconnexion")
    login(world["other"])
    assert client.get(url).status_code == 404
    assert client.get("/espace/campagnes/autre-ville/kobo-odk/xlsform/export/kobo_test.xlsx").status_code == 404
    client.post("/deconnexion")
    login(world["coordinator"])
    assert client.get("/espace/campagnes/ville/kobo-odk/xlsform/export/inconnu.xlsx").status_code == 404
