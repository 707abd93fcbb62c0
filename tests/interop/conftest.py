"""Fixtures of the exchange pages: a campaign with one questionnaire, its coordinator,
uploads kept in a temporary folder."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

QUESTIONNAIRE = (Path(__file__).resolve().parents[1] / "data" / "kobo_test.yaml").read_text(encoding="utf-8")


@pytest.fixture()
def uploads_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "interop-uploads"
    monkeypatch.setitem(app.config, "CLS_INTEROP_UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture()
def world(db_session, create_user, create_campaign, uploads_dir, tmp_path):
    """Campaign ``ville`` (questionnaire ``kobo_test``) with its coordinator and agent; another
    campaign with its own coordinator."""
    from survey_app.campaigns import questionnaires

    coordinator = create_user("coordinator")
    agent = create_user("agent")
    other = create_user("coordinator")
    admin = create_user("admin")
    campaign = create_campaign("ville", members=[coordinator, agent])
    create_campaign("autre-ville", members=[other])
    path = tmp_path / "kobo_test.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    questionnaires.load_file(db_session, campaign, path)
    db_session.commit()
    return {"campaign": campaign, "coordinator": coordinator, "agent": agent, "other": other, "admin": admin,
            "uploads": uploads_dir}


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets (first row: headers)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, url, field, files, data=None):
    """POST files (name, bytes) as multipart form data."""
    payload = dict(data or {})
    payload[field] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(url, data=payload, content_type="multipart/form-data")
