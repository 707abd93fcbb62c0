"""Benchmark: 200 residents completing the resident questionnaire at once, through gunicorn.

What is measured
----------------
``RESIDENTS`` = 200 simulated residents (threads in 4 load-generator processes, spawn) each
complete the whole resident questionnaire (information page, start, the 9 pages the answers
of ``tests/survey/helpers.py`` lead through, review, send) against gunicorn with 4 gthread
workers × 4 threads on loopback, on SQLite (a file in a temporary folder) and on PostgreSQL
(a database created on 127.0.0.1:5432 for the run and dropped after it, even on failure).
The residents arrive within 2 s and read each page for a think time drawn uniformly in
``THINK`` = [1 s, 3 s] (seeded), so all 200 are answering at the same time.

Reported per page: p50 and p99 of a submission (POST of the page, its 302, the GET of the
next page), the pages per second achieved, errors (any answer other than the 302 to the next
page, a 5xx, a reset or a timeout) and the check of ``_load_common.verify``: every response in
the database read back and compared with what its resident was acknowledged (every page
answered by a 302 to the next one stored; every draft holding the answers after a whole page;
every send acknowledged stored as complete).

Baseline in the same run: the bare Flask app of ``survey_bare_app.py`` (parse the form, 302,
a page of the same size), served the same way (4 workers × 4 threads), driven by the same 200
residents with the same think times, the same fields and the same number of pages. Printed:
``RATIO`` = survey p99 / bare p99 (and the same for p50).

Run: ``.venv/bin/python bench/bench_load.py`` (``BENCH_QUICK=1``: 50 residents, shorter think
times). Writes ``bench/RESULTS_load.md`` (full run). Loopback only; every process started here
is stopped by its PID; exit status 1 when an error occurred or anything acknowledged is lost.
"""
from __future__ import annotations

import datetime
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

from _load_common import (PG_ADMIN, QUICK, ROOT, Load, load_average, make_plan, page_latencies, percentile,  # noqa: E402
                          prepare_database, serve, server_cpu, server_env, stop, summary, verify)

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "50" if QUICK else "200"))
THINK = (0.5, 1.5) if QUICK else (1.0, 3.0)
DURATION = 120.0 if QUICK else 240.0  # at most, per phase: residents not done by then are errors
SEED = 20261201


def run_phase(name: str, spec: str, env: dict, kind: str, plan, workdir: Path, url: str | None = None) -> dict:
    log = workdir / f"gunicorn-{name}.log"
    probe = "/info" if kind == "bare" else "/enquete/charge/resident"
    proc, base = serve(spec, env, cwd=str(BENCH if kind == "bare" else ROOT), probe=probe, log=log)
    load_before = load_average()
    database = url.rsplit("/", 1)[1] if url and url.startswith("postgresql") else None
    try:
        cpu0 = server_cpu(proc.pid, database)
        load = Load(base, kind, plan, RESIDENTS, think=THINK, seed=SEED, duration=DURATION).start()
        outcomes = load.finish()
        cpu1 = server_cpu(proc.pid, database)
    finally:
        stop(proc)
    result = {"name": name, "summary": summary(outcomes), "by_page": page_latencies(outcomes), "wall": load.wall,
              "load": (load_before, load_average())}
    result["all"] = [x for values in result["by_page"].values() for x in values]
    # every request of the run (start, pages, review, send) over the pages submitted
    result["cpu_ms"] = tuple((b - a) / max(1, len(result["all"])) * 1000 for a, b in zip(cpu0, cpu1))
    if url is not None:
        result["check"] = verify(url, plan, outcomes)
    trace = log.read_text(errors="replace") if log.exists() else ""
    result["tracebacks"] = trace.count("Traceback")
    return result


def describe(r: dict) -> str:
    s = r["summary"]
    text = (f"{r['name']}: {s['residents']} residents, {s['sent']} sent, {s['finished']} finished in {r['wall']:.0f} s; "
            f"pages {len(r['all'])}, p50 {percentile(r['all'], .5):.0f} ms, p99 {percentile(r['all'], .99):.0f} ms; "
            f"errors {s['errors']} (cut-offs {s['cutoffs']}, 5xx {s['status_500'] + s['status_503']}); "
            f"server CPU {r['cpu_ms'][0]:.1f} ms/page" + (f" + PostgreSQL {r['cpu_ms'][1]:.1f}" if r['cpu_ms'][1] else "")
            + "; "
            f"load {r['load'][0]} -> {r['load'][1]}")
    if "check" in r:
        c = r["check"]
        text += (f"\n  database: {c['responses']} responses ({c['complete']} complete), acknowledged pages "
                 f"{c['acknowledged_pages']}, stored {c['pages_stored']}, lost {c['lost']}, corrupted {c['corrupted']}, "
                 f"duplicates {c['duplicates']}; server tracebacks {r['tracebacks']}")
        for problem in c["problems"][:5]:
            text += f"\n  ! {problem}"
    for sample in s["samples"]:
        text += f"\n  error: {sample}"
    for sample in s["cut_samples"]:
        text += f"\n  cut off: {sample}"
    return text


def page_table(results: list[dict], bare: dict) -> str:
    pages = list(bare["by_page"])
    head = "| page | " + " | ".join(f"{r['name']} p50 / p99 (ms)" for r in [bare] + results) + " |"
    lines = [head, "|---" * (len(results) + 2) + "|"]
    for page in pages:
        cells = [f"{percentile(r['by_page'].get(page, []), .5):.0f} / {percentile(r['by_page'].get(page, []), .99):.0f}"
                 for r in [bare] + results]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    cells = [f"**{percentile(r['all'], .5):.0f} / {percentile(r['all'], .99):.0f}**" for r in [bare] + results]
    lines.append("| all pages | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    from sqlalchemy import create_engine, text

    started = time.time()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"bench_load: {RESIDENTS} residents, think {THINK[0]}-{THINK[1]} s, gunicorn 4 workers x 4 threads; "
          f"load average {load_average()}", flush=True)
    results, ok = [], True
    try:
        plan = make_plan(workdir)
        print(f"plan: {len(plan.pages)} pages ({', '.join(s for s, _f in plan.pages)}), then review and send", flush=True)
        bare = run_phase("bare Flask", "survey_bare_app:app", {"BARE_DIVS": "80"}, "bare", plan, workdir)
        print(describe(bare), flush=True)

        sqlite_url = f"sqlite:///{workdir / 'load.sqlite3'}"
        prepare_database(sqlite_url)
        results.append(run_phase("SQLite", "survey_app:create_app()", server_env(sqlite_url), "survey", plan, workdir,
                                 sqlite_url))
        print(describe(results[-1]), flush=True)

        name = "cls_bench_load_" + secrets.token_hex(4)
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            pg_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
            prepare_database(pg_url)
            results.append(run_phase("PostgreSQL", "survey_app:create_app()", server_env(pg_url), "survey", plan,
                                     workdir, pg_url))
            print(describe(results[-1]), flush=True)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    for r in results:
        s, c = r["summary"], r["check"]
        passed = (s["errors"] == 0 and s["cutoffs"] == 0 and s["sent"] == RESIDENTS and c["lost"] == 0
                  and c["corrupted"] == 0 and c["duplicates"] == 0 and r["tracebacks"] == 0)
        r["passed"] = passed
        ok &= passed
        print(f"RATIO {r['name']}: p99 {percentile(r['all'], .99) / percentile(bare['all'], .99):.1f}x the bare app's "
              f"({percentile(r['all'], .99):.0f} / {percentile(bare['all'], .99):.0f} ms), p50 "
              f"{percentile(r['all'], .5) / percentile(bare['all'], .5):.1f}x; {s['sent']}/{RESIDENTS} sent, "
              f"errors {s['errors'] + s['cutoffs']}; acknowledged pages {c['acknowledged_pages']}, stored "
              f"{c['pages_stored']}, lost {c['lost']}" + ("  [no error, nothing lost]" if passed else "  [FAILED]"))
    table = page_table(results, bare)
    print()
    print(table)
    if not QUICK and results:
        write_results(bare, results, table, time.time() - started)
    return 0 if ok else 1


def write_results(bare, results, table, elapsed):
    lines = ["# Load benchmark: 200 residents at once", "",
             f"Run of {datetime.datetime.now():%Y-%m-%d %H:%M} by `bench/bench_load.py` ({elapsed:.0f} s): {RESIDENTS} "
             f"residents completing the resident questionnaire ({len(bare['by_page'])} pages, review, send), think time "
             f"{THINK[0]}–{THINK[1]} s, gunicorn 4 gthread workers × 4 threads on loopback. Machine: {os.cpu_count()} "
             "cores shared with six other engineers' jobs this session; load average (1, 5, 15 min) at the start and "
             "end of each phase below.", "",
             "| phase | load average | residents sent | wall (s) | pages/s | server CPU ms/page (+ PostgreSQL) | errors | acknowledged pages | stored | lost | corrupted drafts |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in [bare] + results:
        s, c = r["summary"], r.get("check")
        lines.append(f"| {r['name']} | {r['load'][0]} → {r['load'][1]} | {s['sent']}/{s['residents']} | {r['wall']:.0f} | "
                     f"{len(r['all']) / r['wall']:.1f} | {r['cpu_ms'][0]:.1f}"
                     + (f" (+ {r['cpu_ms'][1]:.1f})" if r['cpu_ms'][1] else "") + f" | {s['errors'] + s['cutoffs']} | "
                     + (f"{c['acknowledged_pages']} | {c['pages_stored']} | {c['lost']} | {c['corrupted']} |" if c else
                        "– | – | – | – |"))
    lines += ["", "Submission of each page (POST, 302, GET of the next page), p50 / p99 in ms:", "", table, "",
              "Ratio of p99 against the bare app in the same run: " + "; ".join(
                  f"{r['name']} {percentile(r['all'], .99) / percentile(bare['all'], .99):.1f}×" for r in results), ""]
    (BENCH / "RESULTS_load.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    # a SIGTERM (make interrupted) unwinds like an exception: servers stopped, databases dropped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
