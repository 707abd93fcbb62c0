"""A KoboToolbox / ODK data export imported from the browser: trial run, report, import,
no duplicates on a second import (the jobs run at once in tests)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from survey_app.models import Channel, Response

from .conftest import upload, xlsx_bytes

UPLOAD = "/espace/campagnes/ville/kobo-odk/reponses"
META = ["start", "end", "meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status",
        "_index", "__version__"]


def _meta(n, day):
    return ["2024-03-01T09:00:00", "2024-03-01T09:20:00", f"uuid:u-{n}", str(n), f"u-{n}",
            f"{day}T10:22:33", "", str(n), "vAbc"]


def _rows(separator="/"):
    headers = [f"profil{separator}{name}" for name in ("quartier", "age", "fume", "cigarettes", "sports")]
    return [
        headers + META,
        ["nord", "34", "oui", "10", "marche velo"] + _meta(1, "2024-03-01"),
        ["sud", "70", "non", "", "velo"] + _meta(2, "2024-03-02"),
        ["nord", "200", "non", "", ""] + _meta(3, "2024-03-02"),  # age out of bounds
        ["sud", "50", "non", "", "ski"] + _meta(4, "2024-03-03"),  # unknown code
    ]


def _csv(rows) -> bytes:
    """Kobo's CSV: ';'-delimited, every cell quoted."""
    return ("\n".join(";".join('"' + str(c).replace('"', '""') + '"' for c in r) for r in rows) + "\n").encode()


def _imported(db_session, campaign):
    return db_session.scalar(select(func.count()).select_from(Response).where(
        Response.campaign_id == campaign.id, Response.channel == Channel.IMPORT))


def _figure(html, name):
    return int(re.search(rf'id="chiffre-{name}">(\d+)<', html).group(1))


def _trial(client, files, data=None):
    reply = upload(client, UPLOAD, "file", files, data={"separator": "/", "questionnaire": "", **(data or {})})
    assert reply.status_code == 303, reply.get_data(as_text=True)[:3000]
    url = reply.headers["Location"]
    return url, client.get(url)


def test_trial_then_import_then_the_same_file_again(client, login, db_session, world):
    login(world["coordinator"])
    campaign = world["campaign"]
    url, page = _trial(client, [("export Kobo.csv", _csv(_rows()))])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Rapport de l'essai (rien n'a été enregistré)" in html
    assert (_figure(html, "importees"), _figure(html, "deja"), _figure(html, "ecartees")) == (2, 0, 2)
    assert re.search(r"<td>4</td><td>« age » : ", html)  # file row 4, and why
    assert re.search(r"<td>5</td><td>[^<]*ski", html)
    for column in ("_uuid", "_submission_time", "_validation_status", "__version__"):
        assert f"<code>{column}</code>" in html
    assert "<td>profil/age</td><td><code>age</code></td>" in html
    assert _imported(db_session, campaign) == 0  # a trial writes nothing
    confirm = re.search(r'action="([^"]+/importer)"', html).group(1)
    done = client.post(confirm, data={})
    assert done.status_code == 303
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Rapport de l'import" in html and _figure(html, "importees") == 2
    assert _imported(db_session, campaign) == 2
    stored = db_session.scalars(select(Response).where(Response.campaign_id == campaign.id)
                                .order_by(Response.created_on)).all()
    assert [r.answers_dict() for r in stored] == [
        {"quartier": "nord", "age": 34, "fume": "oui", "cigarettes": 10, "sports": ["marche", "velo"]},
        {"quartier": "sud", "age": 70, "fume": "non", "sports": ["velo"]},
    ]
    # confirming twice imports nothing more; the data file is gone once imported
    assert client.post(confirm, data={}).status_code == 303
    assert _imported(db_session, campaign) == 2
    assert [p.name for p in world["uploads"].rglob("*.csv")] == []
    # the same export again: already there, nothing to import
    url, page = _trial(client, [("export Kobo.csv", _csv(_rows()))])
    html = page.get_data(as_text=True)
    assert (_figure(html, "importees"), _figure(html, "deja")) == (0, 2)
    assert "importer-reponses" not in html and "Rien à importer" in html
    assert _imported(db_session, campaign) == 2
    assert [p.name for p in world["uploads"].rglob("*.csv")] == []  # not kept when nothing is imported


def test_xlsx_with_a_repeat_sheet_and_another_group_separator(client, login, db_session, world):
    login(world["coordinator"])
    rows = _rows(".")
    book = xlsx_bytes({"export": rows,
                       "enfants": [["prenom", "_index", "_parent_index"], ["A", "1", "1"], ["B", "2", "1"],
                                   ["C", "3", "2"]]})
    url, page = _trial(client, [("export.xlsx", book)], data={"separator": "."})
    html = page.get_data(as_text=True)
    assert _figure(html, "importees") == 2
    assert "<td>enfants</td><td>3</td>" in html  # repeat group: listed with its rows, not imported
    assert "séparateur des groupes « . »" in html
    # with the default separator, the same headers do not match
    url, page = _trial(client, [("export.xlsx", book)], data={"separator": "/", "questionnaire": "kobo_test"})
    assert page.status_code == 422  # no column matched: the trial failed, with the reason
    assert "vérifiez le séparateur de groupes (« / »)" in page.get_data(as_text=True)


def test_bad_files(client, login, db_session, world):
    login(world["coordinator"])
    for name, content, status, text in (
        ("export.csv", b"\x00\x01\xffbinary", 400, "CSV en UTF-8"),
        ("export.xls", b"\xd0\xcf\x11\xe0", 400, "extension accept"),
        ("export.xlsx", b"not a workbook", 400, "pas un classeur .xlsx"),
    ):
        reply = upload(client, UPLOAD, "file", [(name, content)], data={"separator": "/"})
        assert reply.status_code == status, name
        assert text in reply.get_data(as_text=True), name
    # a CSV whose columns match no question: the trial fails with the reason
    url, page = _trial(client, [("autre.csv", b"colonne;autre\n1;2\n")])
    assert page.status_code == 422
    assert "Aucune colonne du fichier ne correspond" in page.get_data(as_text=True)
    assert "importer-reponses" not in page.get_data(as_text=True)
    assert [p.name for p in world["uploads"].rglob("*.csv")] == []  # a failed trial keeps no answers
    reply = upload(client, UPLOAD, "file", [("export.csv", _csv(_rows()))],
                   data={"separator": "/", "questionnaire": "inconnu"})
    assert reply.status_code == 400 and "Questionnaire inconnu" in reply.get_data(as_text=True)
    assert _imported(db_session, world["campaign"]) == 0


def test_uploaded_strings_are_escaped(client, login, world):
    login(world["coordinator"])
    rows = _rows()
    rows[0].append("<script>alert('colonne')</script>")
    rows[1].append("x")
    rows[2][1] = "<img src=x onerror=alert(1)>"
    url, page = _trial(client, [("<i>export</i>.csv", _csv(rows))])
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>export</i>" not in html
    assert "&lt;i&gt;export&lt;/i&gt;.csv" in html
    assert "&lt;script&gt;alert(&#39;colonne&#39;)&lt;/script&gt;" in html


def test_the_upload_limit_is_the_pages_own(client, login, db_session, world, app, monkeypatch):
    """Above the site's usual request size (MAX_CONTENT_LENGTH), below the pages' limit."""
    login(world["coordinator"])
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200_000)
    monkeypatch.setitem(app.config, "CLS_INTEROP_MAX_BYTES", 400_000)
    big = b"colonne;autre\n" + b"1;2\n" * 75_000  # 300 kB
    reply = upload(client, UPLOAD, "file", [("gros.csv", big)], data={"separator": "/"})
    assert reply.status_code == 303  # read, and tried
    monkeypatch.setitem(app.config, "CLS_INTEROP_MAX_BYTES", 250_000)
    reply = upload(client, UPLOAD, "file", [("gros.csv", big)], data={"separator": "/"})
    assert reply.status_code == 413 and "dépasse la taille acceptée" in reply.get_data(as_text=True)
    assert _imported(db_session, world["campaign"]) == 0


def test_access_is_refused_to_others(client, login, db_session, world):
    assert client.get("/espace/campagnes/ville/kobo-odk/").status_code == 302  # anonymous
    login(world["coordinator"])
    url, _page = _trial(client, [("export.csv", _csv(_rows()))])
    client.post("/deconnexion")
    for who, expected in (("agent", 403), ("other", 404)):
        login(world[who])
        assert upload(client, UPLOAD, "file", [("export.csv", _csv(_rows()))],
                      data={"separator": "/"}).status_code == expected, who
        assert client.get(url).status_code == expected, who
        assert client.post(url + "/importer", data={}).status_code == expected, who
        client.post("/deconnexion")
    login(world["other"])
    token = url.rsplit("/", 1)[1]
    assert client.get(f"/espace/campagnes/autre-ville/kobo-odk/reponses/{token}").status_code == 404
    assert client.post(f"/espace/campagnes/autre-ville/kobo-odk/reponses/{token}/importer").status_code == 404
    assert _imported(db_session, world["campaign"]) == 0


def test_the_job_reports_its_progress(db_session, world, app):
    """The import runs as a job: a long file reports how far it got, step by step."""
    from survey_app.interop import responses, uploads

    rows = _rows()[:1] + [["nord", str(20 + n % 60), "non", "", "velo"] + _meta(100 + n, "2024-03-05")
                          for n in range(1200)]
    upload_ = uploads.save(responses.KIND, world["campaign"].id, world["coordinator"].id,
                           [("export.csv", _csv(rows))], original="export.csv", main="export.csv")

    class Handle:
        created_by_id = world["coordinator"].id
        steps: list = []

        def progress(self, fraction, message=None):
            self.steps.append(round(fraction, 2))

    job = Handle()
    result = responses.run_import(db_session, job, world["campaign"].id, token=upload_.token, dry_run=True)
    assert result["imported"] == 1200 and result["dry_run"] is True
    assert len(job.steps) >= 3 and job.steps == sorted(job.steps) and job.steps[-1] > 0.7
    assert _imported(db_session, world["campaign"]) == 0
    result = responses.run_import(db_session, job, world["campaign"].id, token=upload_.token, dry_run=False)
    assert result["imported"] == 1200 and _imported(db_session, world["campaign"]) == 1200
    assert not upload_.has_data  # the answers are in the database, the file is gone
