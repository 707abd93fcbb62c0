"""Benchmark: exports of 100,000 responses in each format, and the collection dashboard.

Run from the project root::

    .venv/bin/python bench/bench_exports.py              # 100,000 responses, SQLite
    BENCH_QUICK=1 .venv/bin/python bench/bench_exports.py  # 10,000, smoke test
    BENCH_ROWS=50000 .venv/bin/python bench/bench_exports.py  # another count (results printed, not written)

The residents' questionnaire of ``questionnaires/resident.yaml`` (about 130 columns once
multiple choices are spread into 0/1 columns); 2,000 synthetic answer sets from the
questionnaire's own generator, cycled to 100,000 complete responses over 60 days and
stored through ``survey.bulk.bulk_store`` into a fresh SQLite file, with a weight each.

Timed, each in the same process one after the other:

- ``exports.formats.export`` to a file in CSV, XLSX, SPSS (.sav) and Stata (.dta): the
  whole service (reading the responses from the database, coding, labels, writing);
- the floor, on the same frame in the same run: ``pandas.DataFrame.to_csv`` of the
  export's table (already in memory), and ``pyreadstat.write_sav`` of the same numeric
  frame with the same labels — what writing alone costs;
- the dashboard page (GET ``/collecte/``, signed in, through the Flask test client) and
  each of its chart images.

Each step: wall seconds, CPU seconds of the process (``time.process_time``: less
inflated than the wall time when other jobs share the cores) and peak memory. Peak
memory is the process's peak resident set during each step above its resident set
when the step began (Linux ``VmHWM``, reset before each step through
``/proc/self/clear_refs``). Results: ``bench/RESULTS_exports.md`` (full run only).
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
N = int(os.environ.get("BENCH_ROWS") or (10_000 if QUICK else 100_000))
PASSWORD = "tortue-violette-mesure-7"


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


class Measure:
    """Seconds and peak resident memory above the start of a step."""

    def __enter__(self):
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        self.rss = _status("VmRSS")
        self.start, self.cpu_start = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start
        self.peak = max(_status("VmHWM") - self.rss, 0)
        return False


def build(folder: Path):
    import flask_migrate
    from sqlalchemy import select

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo, questionnaires, services as campaigns
    from survey_app.extensions import db
    from survey_app.models import Channel, Response, ResponseStatus, WeightingRun
    from survey_app.questionnaire import generate_responses
    from survey_app.survey import bulk

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False}, environ={})
    with app.app_context():
        flask_migrate.upgrade()
        setup = demo.setup_demo(db.session, responses=0, questionnaires_dir=ROOT / "questionnaires")
        campaign = setup.campaign
        user = users.create_user(db.session, "mesures@ville.test", PASSWORD, "coordinator", display_name="Banc")
        campaigns.add_member(db.session, campaign, user)
        version = questionnaires.current_version(db.session, campaign, "resident")
        definition = questionnaires.definition_of(version)
        districts = [{"code": d.code, "name": d.name, "qpv": d.qpv} for d in campaign.districts]
        pool = generate_responses(definition, districts=districts, n=2000, seed=3)
        start = dt.date.today() - dt.timedelta(days=60)
        answers = [pool[i % len(pool)] for i in range(N)]
        days = [start + dt.timedelta(days=i % 60) for i in range(N)]
        bulk.bulk_store(db.session, campaign, version, answers, channel=Channel.WEB, status=ResponseStatus.COMPLETE,
                        days=days)
        from survey_app.findings.weights import set_run_weights

        run = WeightingRun(campaign_id=campaign.id, method="rake", diagnostics={})
        ids = list(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)))
        set_run_weights(run, ids, [1 + (r % 9) / 4 for r in ids])
        db.session.add(run)
        db.session.commit()
        campaign_id = campaign.id
        db.session.remove()
    return app, campaign_id


def run() -> dict:
    import pandas as pd
    import pyreadstat

    from survey_app.exports import formats, spreadsheets, statistical
    from survey_app.extensions import db
    from survey_app.models import Campaign

    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    t0 = time.perf_counter()
    app, campaign_id = build(folder)
    results = {"build_seconds": time.perf_counter() - t0, "rows": N, "steps": []}
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for fmt in ("csv", "xlsx", "sav", "dta"):
            out = folder / f"export.{fmt}"
            with Measure() as m:
                result = formats.export(db.session, campaign, fmt, out, key="resident")
            results["steps"].append({"step": f"export {fmt}", "seconds": m.seconds, "cpu": m.cpu, "peak": m.peak,
                                     "bytes": out.stat().st_size, "rows": result.rows})
            db.session.expire_all()
        with Measure() as m:
            table = formats.build_table(db.session, campaign, "resident")
        results["steps"].append({"step": "reading and coding the table alone (build_table)", "seconds": m.seconds,
                                 "cpu": m.cpu, "peak": m.peak, "bytes": 0, "rows": table.rows})
        results["columns"] = len(table.variables)
        frame = spreadsheets._text_frame(table, False)
        with Measure() as m:
            frame.to_csv(folder / "floor.csv", index=False, sep=";", encoding="utf-8-sig")
        results["steps"].append({"step": "floor: pandas to_csv of the same frame", "seconds": m.seconds,
                                 "cpu": m.cpu, "peak": m.peak, "bytes": (folder / "floor.csv").stat().st_size, "rows": len(frame)})
        names = formats.spss_names([v.name for v in table.variables])
        numeric, _ = statistical._numeric_frame(table, names, statistical.SAV_MISSING)
        column_labels, value_labels = statistical._labels(table, names, statistical.SPSS_VALUE_LABEL_BYTES)
        with Measure() as m:
            pyreadstat.write_sav(numeric, str(folder / "floor.sav"), column_labels=column_labels,
                                 variable_value_labels=value_labels)
        results["steps"].append({"step": "floor: pyreadstat.write_sav of the same frame", "seconds": m.seconds,
                                 "cpu": m.cpu, "peak": m.peak, "bytes": (folder / "floor.sav").stat().st_size, "rows": len(numeric)})
        del frame, numeric, table
        db.session.remove()
    client = app.test_client()
    assert client.post("/connexion", data={"email": "mesures@ville.test", "password": PASSWORD}).status_code == 302
    client.get("/espace/campagnes/demo/collecte/")  # first request: templates compiled
    for path, label in (("collecte/", "dashboard page (7 aggregate queries)"),
                        ("collecte/graphique-quartiers.svg", "chart: districts and targets"),
                        ("collecte/graphique-jours.svg", "chart: responses per day"),
                        ("collecte/graphique-structure.svg?quartier=centre", "chart: age and sex beside the census"),
                        ("collecte/reponses", "responses list, first page"),
                        ("collecte/reponses?quartier=plateau&page=20", "responses list, a district, page 20")):
        with Measure() as m:
            reply = client.get(f"/espace/campagnes/demo/{path}")
        assert reply.status_code == 200, (path, reply.status_code)
        results["steps"].append({"step": label, "seconds": m.seconds, "cpu": m.cpu, "peak": m.peak, "bytes": len(reply.data), "rows": N})
    return results


def write(results: dict) -> None:
    lines = [
        "# Exports and the collection dashboard: measured",
        "",
        f"Run of `bench/bench_exports.py` on {dt.date.today():%Y-%m-%d}: {results['rows']:,} complete responses to the"
        f" residents' questionnaire ({results['columns']} columns in the export, weights stored), SQLite file; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores shared with other work "
        f"(load average {os.getloadavg()[0]:.1f} at the end). Building the database took {results['build_seconds']:.0f} s"
        " (not timed below).",
        "",
        "Peak memory: the process's peak resident set during the step above its resident set at the start of the step.",
        "",
        "| step | seconds | CPU seconds | peak memory (MB) | file (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for step in results["steps"]:
        size = f"{step['bytes'] / 1e6:.1f}" if step["bytes"] else "–"
        lines.append(f"| {step['step']} | {step['seconds']:.2f} | {step['cpu']:.2f} | {step['peak'] / 1e6:.0f} | {size} |")
    steps = {s["step"]: s for s in results["steps"]}
    csv, floor_csv = steps["export csv"], steps["floor: pandas to_csv of the same frame"]
    sav, floor_sav = steps["export sav"], steps["floor: pyreadstat.write_sav of the same frame"]
    table = steps["reading and coding the table alone (build_table)"]
    lines += [
        "",
        f"CSV: {csv['seconds'] / floor_csv['seconds']:.1f}× pandas' `to_csv` of the frame already in memory; SPSS:"
        f" {sav['seconds'] / floor_sav['seconds']:.1f}× `pyreadstat.write_sav`. Reading and coding the"
        f" {results['rows']:,} responses from the database, which the floor does not do, is the `build_table` line"
        f" ({table['seconds']:.1f} s).",
        "",
        "The dashboard page runs one aggregate query per figure; its chart images are separate requests"
        " (one query and one matplotlib drawing each).",
    ]
    (ROOT / "bench" / "RESULTS_exports.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    results = run()
    for step in results["steps"]:
        print(f"{step['step']:<60} {step['seconds']:8.2f} s {step['cpu']:8.2f} s CPU {step['peak'] / 1e6:8.0f} MB")
    if not QUICK and N == 100_000:
        write(results)


if __name__ == "__main__":
    main()
