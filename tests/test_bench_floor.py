"""The benchmark's floor app stores what it acknowledges, on both databases (bench/survey_floor_app.py)."""
from __future__ import annotations

import importlib.util
import secrets
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select

from survey_app.models import Answer, CampaignStatus, Response
from survey_app.campaigns import services as campaigns, questionnaires

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import bench_survey  # noqa: E402


def _floor_app(tmp_path, monkeypatch, database_url: str, campaign_id: int, version_id: int, fewest: bool):
    if database_url.startswith("sqlite"):
        database = "sqlite:" + database_url.split("sqlite:///", 1)[1]
    else:
        url = make_url(database_url)
        database = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    monkeypatch.setenv("FLOOR_DB", database)
    monkeypatch.setenv("FLOOR_CAMPAIGN", str(campaign_id))
    monkeypatch.setenv("FLOOR_VERSION", str(version_id))
    monkeypatch.setenv("FLOOR_FEWEST", "1" if fewest else "0")
    monkeypatch.setenv("BARE_DIVS", "2")
    name = f"floor_app_{secrets.token_hex(4)}"  # a fresh module: it reads its settings when imported
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "survey_floor_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("committed_db")  # the floor app reads and writes on its own connections
@pytest.mark.parametrize("fewest", [False, True])
def test_the_floor_app_stores_every_acknowledged_page(db_session, database_url, tmp_path, monkeypatch, fewest):
    campaign = campaigns.create_campaign(db_session, "bench", "Bench", organisation="Ville", status=CampaignStatus.OPEN,
                                         districts=[{"code": "centre", "name": "Centre"}])
    version = questionnaires.load_file(db_session, campaign, ROOT / "questionnaires" / "resident.yaml")
    db_session.commit()
    module = _floor_app(tmp_path, monkeypatch, database_url, campaign.id, version.id, fewest)
    client = module.app.test_client()
    try:
        assert client.get("/info").status_code == 200
        started = client.post("/start", data={"consent": "1"})
        assert started.status_code == 302 and started.headers["Location"] == "/next"
        assert client.get("/next").status_code == 200
        expected = 0
        for section, answers, rows in bench_survey.PAGES:
            reply = client.post("/page", data={"section_id": section, "action": "next", **answers})
            assert reply.status_code == 302 and reply.headers["Location"] == "/next"
            expected += rows
        db_session.expire_all()
        assert db_session.scalar(select(func.count()).select_from(Answer)) == expected
        draft = db_session.scalar(select(Response))
        assert draft.current_section == bench_survey.PAGES[-1][0]
    finally:
        conn = getattr(module.local, "conn", None)
        if conn is not None:
            conn.close()
