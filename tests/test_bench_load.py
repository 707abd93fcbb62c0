"""The load and fault benchmarks' check (bench/_load_common.py) catches a lost page and a half page."""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import _load_common as load  # noqa: E402


def test_the_check_finds_what_was_acknowledged_and_not_stored(tmp_path):
    plan = load.make_plan(tmp_path)  # one resident walked in-process, its response sent
    assert [s for s, _f in plan.pages][:3] == ["profil", "acces_soins", "bien_etre"]
    assert (load.TAG_FIELD, "x1") in plan.fields(0, "x1")
    assert load.Plan.from_json(plan.to_json()) == plan
    url = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    last = len(plan.pages) - 1
    walked = load.Outcome(load.PLACEHOLDER, acked=last, sent=True, done=True)
    report = load.verify(url, plan, [walked])
    assert (report["lost"], report["corrupted"], report["complete"]) == (0, 0, 1)
    assert report["pages_stored"] == report["acknowledged_pages"] == last + 1

    # a resident told its pages were saved, with nothing in the database
    report = load.verify(url, plan, [walked, load.Outcome("nobody", acked=2)])
    assert report["lost"] == 3 and "nobody" in report["problems"][0]

    engine = create_engine(url)
    with engine.begin() as connection:  # back to a draft: the send acknowledged is lost
        connection.execute(text("update response set status = 'draft'"))
    assert load.verify(url, plan, [walked])["lost"] == 1
    with engine.begin() as connection:  # half of the last page gone: no whole-page state
        connection.execute(text("delete from answer where question_id = 'propositions'"))
    report = load.verify(url, plan, [load.Outcome(load.PLACEHOLDER, acked=last - 1)])
    assert report["corrupted"] == 1 and "no whole-page state" in report["problems"][0]
    engine.dispose()
