"""XLSForm import from the browser: upload, report and preview, confirmation; bad files."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey_app.models import QuestionnaireVersion

from .conftest import upload, xlsx_bytes

PAGE = "/espace/campagnes/ville/kobo-odk/"
UPLOAD = "/espace/campagnes/ville/kobo-odk/xlsform/import"


def _versions(db_session, campaign, key=None):
    query = select(QuestionnaireVersion).where(QuestionnaireVersion.campaign_id == campaign.id)
    if key:
        query = query.where(QuestionnaireVersion.key == key)
    return db_session.scalars(query.order_by(QuestionnaireVersion.id)).all()


def _leftovers(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture()
def forms(shared_testdata):
    return shared_testdata / "xlsform"


def test_a_real_form_is_reported_previewed_then_loaded(client, login, db_session, world, forms):
    from survey_app.questionnaire.xlsform import import_xlsform

    login(world["coordinator"])
    path = forms / "impact_cleaningtools_form_en_ar.xlsx"
    reply = upload(client, UPLOAD, "files", [(path.name, path.read_bytes())])
    assert reply.status_code == 303, reply.get_data(as_text=True)[:2000]
    report_url = reply.headers["Location"]
    assert "/xlsform/import/" in report_url
    # nothing is loaded before the confirmation
    assert [v.key for v in _versions(db_session, world["campaign"])] == ["kobo_test"]
    page = client.get(report_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    expected = import_xlsform(path).definition
    assert f"<dd>{len(expected.questions)}</dd>" in html
    assert "fr, en, ar" in html
    conditions = sum(1 for q in expected.questions.values() if q.show_if) + \
        sum(1 for s in expected.sections if s.show_if)
    assert conditions > 0 and f"<dd>{conditions}</dd>" in html
    # what was not kept, with its sheet and row, in French
    assert re.search(r"<td>survey</td><td>\d+</td><td>deviceid</td><td>métadonnée « deviceid » non reprise", html)
    assert "<td>77</td>" in html and "« 0.5 » récrit « 0_5 »" in html
    # the preview shows the questions, their conditions and their Arabic labels
    assert "<code>will_to_response_r</code>" in html
    assert 'selected(hhh_r, &#34;no&#34;)' in html or "selected(hhh_r, &quot;no&quot;)" in html
    assert 'lang="ar"' in html
    assert "Nouveau questionnaire" in html
    confirm = re.search(r'action="([^"]+/charger)"', html).group(1)
    done = client.post(confirm, data={})
    assert done.status_code == 302, done.get_data(as_text=True)[:1000]
    loaded = _versions(db_session, world["campaign"], expected.id)
    assert [(v.version, v.is_current, v.source_name) for v in loaded] == [(1, True, path.name)]
    assert loaded[0].content_hash == expected.content_hash
    assert [q["id"] for s in loaded[0].definition["sections"] for q in s["questions"]] == list(expected.questions)
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"version 1 chargée dans la campagne : {len(expected.questions)} questions" in after
    assert f"/xlsform/export/{expected.id}.xlsx" in after
    # the upload is gone, and its report with it
    assert _leftovers(world["uploads"]) == []
    assert client.get(report_url).status_code == 404


def test_the_same_form_again_is_unchanged_and_a_changed_one_a_new_version(client, login, db_session, world):
    login(world["coordinator"])
    survey = [["type", "name", "label::Français (fr)"], ["integer", "age", "Votre âge"]]
    settings = [["form_id", "form_title"], ["mon_form", "Mon formulaire"]]
    first = xlsx_bytes({"survey": survey, "settings": settings})
    url = upload(client, UPLOAD, "files", [("form.xlsx", first)]).headers["Location"]
    client.post(url + "/charger", data={})
    again = upload(client, UPLOAD, "files", [("form.xlsx", first)]).headers["Location"]
    html = client.get(again).get_data(as_text=True)
    assert "identique à la version 1" in html and "charger-xlsform" not in html
    changed = xlsx_bytes({"survey": survey + [["text", "ville", "Votre ville"]], "settings": settings})
    url = upload(client, UPLOAD, "files", [("form.xlsx", changed)]).headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "en sera la version 2" in html and "question ajoutée : ville" in html
    assert client.post(url + "/charger", data={}).status_code == 302
    loaded = _versions(db_session, world["campaign"], "mon_form")
    assert [(v.version, v.is_current) for v in loaded] == [(1, False), (2, True)]
    # a French-only form: its stored definition is read back (the survey pages do)
    from survey_app.campaigns.questionnaires import definition_of

    assert list(definition_of(loaded[1]).questions) == ["age", "ville"]


def _problems(reply):
    html = reply.get_data(as_text=True)
    return html, re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)


BAD_FORMS = {
    "no_survey_sheet": {"choices": [["list_name", "name", "label"], ["yn", "yes", "Oui"]]},
    "bad_relevant": {"survey": [["type", "name", "label", "relevant"],
                                ["integer", "age", "Âge", ""],
                                ["text", "why", "Pourquoi", "${age} >>> 3 and ("]]},
    "missing_choice_list": {"survey": [["type", "name", "label"], ["select_one couleurs", "couleur", "Couleur"]],
                            "choices": [["list_name", "name", "label"], ["yn", "yes", "Oui"]]},
    "duplicate_names": {"survey": [["type", "name", "label"], ["integer", "age", "Âge"], ["text", "age", "Âge encore"]]},
}


@pytest.mark.parametrize("case", sorted(BAD_FORMS))
def test_a_bad_form_lists_its_problems_and_loads_nothing(client, login, db_session, world, case):
    login(world["coordinator"])
    before = len(_versions(db_session, world["campaign"]))
    reply = upload(client, UPLOAD, "files", [(f"{case}.xlsx", xlsx_bytes(BAD_FORMS[case]))])
    assert reply.status_code == 422
    html, rows = _problems(reply)
    assert "Rien n'a été chargé" in html
    assert rows, html
    if case == "no_survey_sheet":
        assert any("survey" in message for _s, _r, _n, message in rows)
    if case == "bad_relevant":
        assert ("survey", "3", "why") == rows[0][:3] and "illisible" in rows[0][3]
    if case == "missing_choice_list":
        assert rows[0][:3] == ("survey", "2", "couleur") and "couleurs" in rows[0][3]
    if case == "duplicate_names":
        assert rows[0][:3] == ("survey", "3", "age") and "nom en double" in rows[0][3]
    assert len(_versions(db_session, world["campaign"])) == before
    assert _leftovers(world["uploads"]) == []


def test_csv_sibling_files_are_read_together(client, login, db_session, world, forms):
    """The French household survey as Kobo's CSV pair: its duplicate name (row 62) is listed."""
    login(world["coordinator"])
    files = [(name, (forms / name).read_bytes()) for name in
             ("epfl_wash_health_abidjan_2022_fr.survey.csv", "epfl_wash_health_abidjan_2022_fr.choices.csv")]
    reply = upload(client, UPLOAD, "files", files)
    assert reply.status_code == 422
    _html, rows = _problems(reply)
    assert ("survey", "62", "HandWashHabits1") in [r[:3] for r in rows]
    assert len(_versions(db_session, world["campaign"])) == 1


@pytest.mark.parametrize("name,content,status,message", [
    ("form.xlsx", b"just some text, not a workbook", 400, "pas un classeur .xlsx"),
    ("form.pdf", b"%PDF-1.4", 400, "extension acceptée"),
    ("form.csv", b"\xff\xfe\x00\x00binary", 400, "CSV en UTF-8"),
    ("form.xlsx", b"PK\x03\x04not really a zip", 422, "pas un classeur XLSForm"),
    ("form.csv", b"", 400, "est vide"),
])
def test_files_that_are_not_spreadsheets(client, login, db_session, world, name, content, status, message):
    login(world["coordinator"])
    reply = upload(client, UPLOAD, "files", [(name, content)])
    assert reply.status_code == status
    assert message in reply.get_data(as_text=True)
    assert len(_versions(db_session, world["campaign"])) == 1
    assert _leftovers(world["uploads"]) == []


def test_no_file_and_too_large(client, login, world, app, monkeypatch):
    login(world["coordinator"])
    reply = client.post(UPLOAD, data={}, content_type="multipart/form-data")
    assert reply.status_code == 400 and "Choisissez le fichier XLSForm" in reply.get_data(as_text=True)
    monkeypatch.setitem(app.config, "CLS_INTEROP_MAX_BYTES", 1000)
    big = xlsx_bytes({"survey": [["type", "name", "label"]] + [["text", f"q{i}", "x" * 50] for i in range(200)]})
    reply = upload(client, UPLOAD, "files", [("big.xlsx", big)])
    assert reply.status_code == 413 and "dépasse la taille acceptée" in reply.get_data(as_text=True)


def test_uploaded_text_is_escaped(client, login, world):
    login(world["coordinator"])
    survey = [["type", "name", "label", "hint"],
              ["integer", "age", "<script>alert('label')</script>", "<img src=x onerror=alert(1)>"]]
    name = "<b>formulaire</b>.xlsx"
    reply = upload(client, UPLOAD, "files", [(name, xlsx_bytes({"survey": survey}))])
    assert reply.status_code == 303
    html = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>formulaire</b>" not in html
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;formulaire&lt;/b&gt;.xlsx" in html
    # a bad form's problems are escaped too
    bad = [["type", "name", "label", "relevant"], ["text", "q", "Q", "<script>x</script> >>>"]]
    html = upload(client, UPLOAD, "files", [("bad.xlsx", xlsx_bytes({"survey": bad}))]).get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_access_is_refused_to_others(client, login, db_session, world):
    survey = xlsx_bytes({"survey": [["type", "name", "label"], ["integer", "age", "Âge"]]})
    # anonymous (a resident): sent to the login page
    assert client.get(PAGE).status_code == 302
    assert upload(client, UPLOAD, "files", [("f.xlsx", survey)]).status_code in (302, 400)
    login(world["coordinator"])
    report = upload(client, UPLOAD, "files", [("f.xlsx", survey)]).headers["Location"]
    client.post("/deconnexion")
    for who, expected in (("agent", 403), ("other", 404)):
        login(world[who])
        assert client.get(PAGE).status_code == expected, who
        assert upload(client, UPLOAD, "files", [("f.xlsx", survey)]).status_code == expected, who
        assert client.get(report).status_code == expected, who
        assert client.post(report + "/charger", data={}).status_code == expected, who
        client.post("/deconnexion")
    login(world["admin"])  # an administrator reaches every campaign
    assert client.get(PAGE).status_code == 200
    assert client.get(report).status_code == 404  # but not another account's upload
    client.post("/deconnexion")
    # the other campaign's coordinator, on their own campaign, with this upload's token
    login(world["other"])
    token = report.rsplit("/", 1)[1]
    assert client.get(f"/espace/campagnes/autre-ville/kobo-odk/xlsform/import/{token}").status_code == 404
    assert client.post(f"/espace/campagnes/autre-ville/kobo-odk/xlsform/import/{token}/charger").status_code == 404
    assert [v.key for v in _versions(db_session, world["campaign"])] == ["kobo_test"]
