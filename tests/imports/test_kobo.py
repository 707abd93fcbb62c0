"""KoboToolbox / ODK Central exports imported as responses (SQLite and PostgreSQL)."""
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.imports import kobo
from survey_app.models import Channel, Response

QUESTIONNAIRE = (Path(__file__).resolve().parents[1] / "data" / "kobo_test.yaml").read_text(encoding="utf-8")


META = ["start", "end", "meta/instanceID", "_id", "_uuid", "_submission_time",
        "_validation_status", "_index", "__version__"]


def _meta(n, day):
    return ["2024-03-01T09:00:00", "2024-03-01T09:20:00", f"uuid:u-{n}", str(n), f"u-{n}",
            f"{day}T10:22:33", "", str(n), "vAbc"]


@pytest.fixture()
def campaign(db_session, create_campaign, tmp_path):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("import-kobo")
    path = tmp_path / "kobo_test.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    questionnaires.load_file(db_session, campaign, path)
    db_session.commit()
    return campaign


def _csv(path, rows):
    """Kobo's CSV: ';'-delimited, every cell quoted, XML names with group/question."""
    def line(cells):
        return ";".join('"' + str(c).replace('"', '""') + '"' for c in cells)
    path.write_text("\n".join(line(r) for r in rows) + "\n", encoding="utf-8")
    return path


NAME_HEADERS = ["profil/quartier", "profil/age", "profil/fume", "profil/cigarettes",
                "profil/sports", "profil/sports__autre"] + META


def _name_rows():
    return [
        NAME_HEADERS,
        ["nord", "34", "oui", "10", "marche velo", ""] + _meta(1, "2024-03-01"),
        ["sud", "70", "non", "", "autre", "Natation"] + _meta(2, "2024-03-02"),
        ["nord", "200", "non", "", "", ""] + _meta(3, "2024-03-02"),  # age out of bounds
        ["nord", "40", "oui", "95", "marche", ""] + _meta(4, "2024-03-03"),  # the rule
        ["sud", "50", "non", "5", "ski", ""] + _meta(5, "2024-03-03"),  # unknown code
        ["sud", "52", "non", "5", "velo", ""] + _meta(6, "2024-03-04"),  # hidden answer
    ]


def _stored(db_session, campaign):
    responses = db_session.scalars(select(Response).where(Response.campaign_id == campaign.id)
                                   .order_by(Response.created_on, Response.id)).all()
    return [(r.channel, r.created_on, r.answers_dict()) for r in responses]


def test_csv_with_xml_names_and_space_separated_choices(db_session, campaign, tmp_path):
    path = _csv(tmp_path / "export.csv", _name_rows())
    report = kobo.import_responses(db_session, campaign, path)
    db_session.commit()
    assert (report.rows, report.imported, report.already) == (6, 3, 0)
    skipped = dict(report.skipped)
    assert sorted(skipped) == [4, 5, 6]
    assert "« age »" in skipped[4]
    assert "Trop de cigarettes" in skipped[5]
    assert "ski" in skipped[6]
    assert report.pruned == 1
    assert set(report.meta_columns) == set(META)
    assert not any(column in report.mapped for column in META)
    assert report.mapped["profil/sports"] == "sports"
    stored = _stored(db_session, campaign)
    assert stored == [
        (Channel.IMPORT, dt.date(2024, 3, 1),
         {"quartier": "nord", "age": 34, "fume": "oui", "cigarettes": 10,
          "sports": ["marche", "velo"]}),
        (Channel.IMPORT, dt.date(2024, 3, 2),
         {"quartier": "sud", "age": 70, "fume": "non", "sports": ["autre"],
          "sports__autre": "Natation"}),
        (Channel.IMPORT, dt.date(2024, 3, 4),
         {"quartier": "sud", "age": 52, "fume": "non", "sports": ["velo"]}),
    ]
    # nothing identifying is kept: a hash of the submission id, the day only
    serials = db_session.scalars(select(Response.paper_serial)).all()
    assert all(s.startswith("kobo:") and "u-1" not in s and len(s) <= 40 for s in serials)

    again = kobo.import_responses(db_session, campaign, path)
    db_session.commit()
    assert (again.imported, again.already) == (0, 3)
    assert db_session.scalar(select(func.count()).select_from(Response)) == 3


def test_dry_run_writes_nothing(db_session, campaign, tmp_path):
    path = _csv(tmp_path / "export.csv", _name_rows())
    report = kobo.import_responses(db_session, campaign, path, dry_run=True)
    db_session.rollback()
    assert report.imported == 3
    assert any("seraient importées" in line for line in report.lines())
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def _xlsx(path, sheets):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_label_headers_split_columns_and_a_repeat(db_session, campaign, tmp_path):
    headers = ["Profil/Quartier", "Profil/Âge", "Profil/Fumez-vous ?",
               "Profil/Cigarettes par jour", "Profil/Sports pratiqués/Marche",
               "Profil/Sports pratiqués/Vélo", "Profil/Sports pratiqués/Autre"] + META
    main = [headers,
            ["Nord", 34, "Oui", 10, 1, 1, 0] + _meta(11, "2024-04-01"),
            ["Sud", 61, "Non", None, 0, 0, 0] + _meta(12, "2024-04-02"),
            ["Sud", 45, "Non", None, "peut-être", 0, 0] + _meta(13, "2024-04-02")]
    repeat = [["enfant_age", "_index", "_parent_index", "_parent_table_name"],
              [3, 1, 1, "kobo"], [7, 2, 1, "kobo"]]
    path = _xlsx(tmp_path / "export.xlsx", {"kobo": main, "enfants": repeat})
    report = kobo.import_responses(db_session, campaign, path)
    db_session.commit()
    assert report.imported == 2
    assert [row for row, _why in report.skipped] == [4]
    assert "peut-être" in report.skipped[0][1]
    assert report.repeats == [("enfants", 2)]
    assert any("enfants" in line and "non importée" in line for line in report.lines())
    assert _stored(db_session, campaign) == [
        (Channel.IMPORT, dt.date(2024, 4, 1),
         {"quartier": "nord", "age": 34, "fume": "oui", "cigarettes": 10,
          "sports": ["marche", "velo"]}),
        (Channel.IMPORT, dt.date(2024, 4, 2), {"quartier": "sud", "age": 61, "fume": "non"}),
    ]


def test_dotted_split_columns_and_another_separator(db_session, campaign, tmp_path):
    """ODK Central: group-question headers, question.option 0/1 columns, no _uuid."""
    rows = [["SubmissionDate", "profil-quartier", "profil-age", "profil-fume",
             "profil-sports.marche", "profil-sports.velo", "KEY", "ReviewState"],
            ["2024-05-06T08:00:00.000Z", "sud", "29", "non", "0", "1", "uuid:k-1", ""]]
    path = _csv(tmp_path / "central.csv", rows)
    report = kobo.import_responses(db_session, campaign, path, separator="-")
    db_session.commit()
    assert report.imported == 1, report.lines()
    assert set(report.meta_columns) == {"SubmissionDate", "KEY", "ReviewState"}
    assert _stored(db_session, campaign) == [
        (Channel.IMPORT, dt.date(2024, 5, 6),
         {"quartier": "sud", "age": 29, "fume": "non", "sports": ["velo"]})]
    assert kobo.import_responses(db_session, campaign, path, separator="-").already == 1


def test_columns_matching_nothing_are_refused(db_session, campaign, tmp_path):
    from survey_app.domain import ServiceError

    path = _csv(tmp_path / "other.csv", [["foo", "bar"], ["1", "2"]])
    with pytest.raises(ServiceError, match="Aucune colonne"):
        kobo.import_responses(db_session, campaign, path)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82")
    with pytest.raises(ServiceError):
        kobo.import_responses(db_session, campaign, binary)


def test_flask_import_responses(runner, campaign, tmp_path, db_session):
    path = _csv(tmp_path / "export.csv", _name_rows())
    result = runner.invoke(args=["import", "responses", "--campaign", campaign.slug,
                                 str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 réponse(s) seraient importées" in result.output
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    result = runner.invoke(args=["import", "responses", "--campaign", campaign.slug, str(path)])
    assert result.exit_code == 0, result.output
    assert "3 réponse(s) importées" in result.output
    assert "ligne 4 :" in result.output
    assert db_session.scalar(select(func.count()).select_from(Response)) == 3
    result = runner.invoke(args=["import", "responses", "--campaign", "nope", str(path)])
    assert result.exit_code == 1


def test_submissions_refused_upstream_are_not_imported(db_session, campaign, tmp_path):
    rows = _name_rows()[:3]
    rows[1] = rows[1][:12] + ["validation_status_not_approved"] + rows[1][13:]
    path = _csv(tmp_path / "export.csv", rows)
    report = kobo.import_responses(db_session, campaign, path)
    db_session.commit()
    assert report.imported == 1
    assert report.skipped == [(2, "soumission refusée dans KoboToolbox (statut de validation "
                                  "« non approuvé »)")]


def test_a_label_two_questions_share_is_not_guessed(db_session, create_campaign, tmp_path):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("libelles")
    path = tmp_path / "twice.yaml"
    path.write_text(QUESTIONNAIRE.replace('label: {fr: "Cigarettes par jour", en: "Cigarettes a day"}',
                                          'label: {fr: "Âge", en: "Age"}'), encoding="utf-8")
    questionnaires.load_file(db_session, campaign, path)
    db_session.commit()
    export = _csv(tmp_path / "labels.csv", [["Quartier", "Âge", "Fumez-vous ?", "_uuid"],
                                             ["Nord", "30", "Non", "x1"]])
    report = kobo.import_responses(db_session, campaign, export)
    assert report.imported == 1
    assert [column for column, _why in report.ignored] == ["Âge"]
    assert "age, cigarettes" in report.ignored[0][1]
