"""Benchmark: from the database to the diagnostic report, for a town-sized campaign.

Run from the project root::

    .venv/bin/python bench/bench_report.py                 # 5,000 residents, 200 professionals
    BENCH_QUICK=1 .venv/bin/python bench/bench_report.py   # 1,000 and 40, smoke test

Set-up (not timed): a fresh SQLite database migrated with Alembic, the demo campaign's
districts and census margins, and synthetic complete responses (residents with their
free-text answers, professionals) stored through the service that stores paper forms.
Timed, in one process, each stage as the coordinator would run it:

1. weights: raking on the margins and storing the weights;
2. themes: unsupervised themes of the free-text answers (lemmatisation of every answer,
   lemmas cached in the database, NMF with automatic k);
3. coding: the codebook coding of every answer (from the cached lemmas) and the weighted
   share of respondents per theme;
4. priorities: the evidence of the candidate priorities (weights, indicators and district
   comparisons, coded themes, the residents' ranking, the professionals), as the job
   "priorities" builds it;
5. report: every figure of the report (weights, indicators and district comparisons,
   themes, professionals, the candidate priorities of the workspace with the decisions,
   tris à plat), then the HTML page and the tagged PDF.

Target: all five under 60 s on 2 cores. Peak memory is the process's maximum resident
set size (``resource.getrusage``). The full run writes ``bench/RESULTS_report.md``.
"""
from __future__ import annotations

import datetime
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
RESIDENTS = 1_000 if QUICK else 5_000
PROFESSIONALS = 40 if QUICK else 200
TARGET_S = 60.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    def __init__(self):
        self.rows = []

    def run(self, name, func):
        wall, cpu = time.perf_counter(), time.process_time()
        value = func()
        self.rows.append((name, time.perf_counter() - wall, time.process_time() - cpu, peak_mb()))
        print(f"  {name:<10} {self.rows[-1][1]:7.2f} s (CPU {self.rows[-1][2]:6.2f} s), peak {self.rows[-1][3]:6.0f} MB",
              flush=True)
        return value


def main() -> int:
    import flask_migrate

    from survey_app import create_app
    from survey_app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://"}, environ={})
    with app.app_context():
        flask_migrate.upgrade()
        from survey_app.campaigns.demo import seed_responses, setup_demo

        started = time.perf_counter()
        setup = setup_demo(db.session, questionnaires_dir=ROOT / "questionnaires", responses=0)
        campaign = setup.campaign
        seed_responses(db.session, campaign, "resident", RESIDENTS, seed=2026)
        seed_responses(db.session, campaign, "professional", PROFESSIONALS, seed=2027)
        db.session.commit()
        print(f"set-up: {RESIDENTS} residents, {PROFESSIONALS} professionals stored in "
              f"{time.perf_counter() - started:.1f} s (not timed below)", flush=True)
        load_before = os.getloadavg()
        stages = Stages()

        def weights():
            from survey_app.findings.weights import store_weights, weight_sample

            store_weights(db.session, campaign, weight_sample(db.session, campaign))
            db.session.commit()

        def themes():
            from survey_app.findings.themes import campaign_themes

            run = campaign_themes(db.session, campaign)
            db.session.commit()  # the lemma cache
            return run.analysis.counts

        def coding():
            from survey_app.coding.results import theme_shares

            shares = theme_shares(db.session, campaign)
            db.session.commit()
            return len(shares.overall)

        def priorities():
            # what the job "priorities" computes (kept per process, as the job does): the report's list of
            # candidate priorities is the workspace's, read from it
            from survey_app.priorities.evidence import campaign_evidence

            found = campaign_evidence(db.session, campaign)
            db.session.commit()
            return len(found.indicators)

        def report():
            from survey_app.report.build import render_html, render_pdf
            from survey_app.report.gather import gather_report

            data = gather_report(db.session, campaign)
            html = render_html(data)
            pdf = render_pdf(data)
            (folder / "rapport.pdf").write_bytes(pdf)
            return data, len(html), len(pdf)

        stages.run("weights", weights)
        counts = stages.run("themes", themes)
        stages.run("coding", coding)
        stages.run("priorities", priorities)
        data, html_size, pdf_size = stages.run("report", report)
        load_after = os.getloadavg()
    total = sum(r[1] for r in stages.rows)
    total_cpu = sum(r[2] for r in stages.rows)
    from pypdf import PdfReader

    pages = len(PdfReader(str(folder / "rapport.pdf")).pages)
    met = total < TARGET_S * (RESIDENTS / 5_000 if QUICK else 1)
    print(f"total {total:.1f} s (CPU {total_cpu:.1f} s), target < {TARGET_S:.0f} s: {'met' if met else 'NOT met'}; "
          f"peak memory {peak_mb():.0f} MB; PDF {pages} pages, {pdf_size // 1024} KB; HTML {html_size // 1024} KB")
    if not QUICK:
        write_results(stages.rows, total, total_cpu, met, pages, pdf_size, html_size, counts, data,
                      load_before, load_after)
    return 0 if met else 1


def write_results(rows, total, total_cpu, met, pages, pdf_size, html_size, counts, data, load_before, load_after):
    lines = [
        "# Report benchmark", "",
        f"Run of {datetime.datetime.now():%Y-%m-%d %H:%M} by `bench/bench_report.py`: {RESIDENTS:,} residents and "
        f"{PROFESSIONALS} professionals in a fresh SQLite database, demo campaign's districts and margins. "
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (other engineers' jobs shared the machine).", "",
        "| stage | wall (s) | CPU (s) | peak memory (MB) |", "|---|---|---|---|",
    ]
    lines += [f"| {name} | {wall:.2f} | {cpu:.2f} | {mem:.0f} |" for name, wall, cpu, mem in rows]
    lines += [f"| **total** | **{total:.1f}** | {total_cpu:.1f} | {max(r[3] for r in rows):.0f} |", "",
              f"Target: under {TARGET_S:.0f} s in all — **{'met' if met else 'not met'}**. "
              f"PDF: {pages} pages, {pdf_size // 1024} KB; HTML page {html_size // 1024} KB; "
              f"{len(data.findings)} key findings, {len(data.priorities['items'])} candidate priorities, "
              f"{len(data.charts)} charts, {len(data.annexes['flat'])} tris à plat.", "",
              f"Free-text answers analysed for themes: {dict(counts)}.", "",
              "CPU is the process's own time: when the machine is shared it is the better guide to what the "
              "report costs, the wall time to what the coordinator waits.", ""]
    (ROOT / "bench" / "RESULTS_report.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
