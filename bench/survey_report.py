"""The benchmark's report: lines printed while it runs, RESULTS_survey.md at the end."""
from __future__ import annotations

import datetime as dt
import os

from survey_settings import (LAT_DURATION, LAT_THREADS_PER_PROC, QUICK, RESIDENTS, ROOT, SAT_CLIENTS, SAT_DURATION,
                             SAT_THREADS_PER_PROC, THINK, THREADS, WARMUP, WORKER_CLASS, WORKERS)


def describe(label: str, r: dict) -> str:
    p, s = r["paced"], r["saturated"]
    line = (f"{label}: paced {p['pages_per_s']:.1f} pages/s, p50 {p['p50']:.1f} ms, p99 {p['p99']:.1f} ms | "
            f"saturated {s['pages_per_s']:.0f} pages/s (p50 {s['p50']:.1f} ms) | errors {r['errors']} | "
            f"server CPU {s['server_ms_per_page']:.2f} ms/page")
    if r["samples"]:
        line += f"\n  error samples: {r['samples']}"
    return line


def render_table(bare: dict, results: list[dict]) -> str:
    head = ("| server | paced pages/s | paced p50 (ms) | paced p99 (ms) | saturated pages/s | ratio to bare "
            "| server CPU ms/page | CPU-cost ratio | errors | pages acknowledged | answer rows acknowledged | answer rows stored "
            "| targets |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = [f"| bare Flask | {bare['paced']['pages_per_s']:.1f} | {bare['paced']['p50']:.1f} | {bare['paced']['p99']:.1f} "
            f"| {bare['saturated']['pages_per_s']:.0f} | 1 | {bare['saturated']['server_ms_per_page']:.2f} | 1 "
            f"| {bare['errors']} | {bare['pages']} | – | – | – |"]
    for r in results:
        rows.append(
            f"| survey, {r['backend']} | {r['paced']['pages_per_s']:.1f} | {r['paced']['p50']:.1f} "
            f"| {r['paced']['p99']:.1f} | {r['saturated']['pages_per_s']:.0f} | **{r['ratio']:.2f}** "
            f"| {r['saturated']['server_ms_per_page']:.2f} "
            f"| {bare['saturated']['server_ms_per_page'] / r['saturated']['server_ms_per_page']:.2f} | {r['errors']} | {r['pages']} | {r['rows_expected']} "
            f"| {r['rows_stored']} | {'met' if r['passed'] else 'missed'} |")
        for key, label in (("floor", "bare Flask + the survey's SQL"), ("floor_fewest", "same writes, fewest round trips")):
            f = r.get(key)
            if f is None:
                continue
            rows.append(
                f"| floor, {r['backend']} ({label}) | {f['paced']['pages_per_s']:.1f} "
                f"| {f['paced']['p50']:.1f} | {f['paced']['p99']:.1f} | {f['saturated']['pages_per_s']:.0f} "
                f"| {f['ratio']:.2f} | {f['saturated']['server_ms_per_page']:.2f} "
                f"| {bare['saturated']['server_ms_per_page'] / f['saturated']['server_ms_per_page']:.2f} | {f['errors']} "
                f"| {f['pages']} | {f['rows_expected']} | {f['rows_stored']} | – |")
    return head + "\n" + "\n".join(rows)


def cpu_table(bare: dict, results: list[dict]) -> str:
    lines = ["| server | phase | pages measured | mean next-page size (bytes) | gunicorn CPU (% of a core) "
             "| PostgreSQL CPU | client CPU | kernel irq/softirq (loopback) | other processes |",
             "|---|---|---|---|---|---|---|---|---|"]
    servers = [("bare Flask", bare)]
    for x in results:
        servers += [(f"survey, {x['backend']}", x), (f"floor, {x['backend']}", x["floor"])]
        if "floor_fewest" in x:
            servers.append((f"floor with the fewest round trips, {x['backend']}", x["floor_fewest"]))
    for label, r in servers:
        for phase in ("paced", "saturated"):
            p = r[phase]
            lines.append(f"| {label} | {phase} | {p['n']} | {p['page_bytes']:.0f} | {p['server_cpu']:.0f} % "
                         f"| {p['db_cpu']:.0f} % | {p['client_cpu']:.0f} % | {p['irq_cpu']:.0f} % | {p['other_cpu']:.0f} % |")
    return "\n".join(lines)


def busy_note(bare: dict, results: list[dict]) -> str:
    worst = max(r[phase]["other_cpu"] for r in [bare, *results, *(x[k] for x in results for k in ("floor", "floor_fewest") if k in x)]
                for phase in ("paced", "saturated"))
    if worst <= 25:
        return "Other processes used at most {:.0f} % of a core during the measured windows.".format(worst)
    return (f"**The machine was shared with other work** (up to {worst:.0f} % of a core used by other\n"
            "processes during a measured window, see below): pages/s are lower bounds and latency includes\n"
            "that contention. The server CPU per page, and the CPU-cost ratio (bare ms/page ÷ survey\n"
            "ms/page, the ratio the two apps would reach if CPU-bound), are much less affected.")


def write_results(bare: dict, results: list[dict], table: str, elapsed: float) -> None:
    offered = RESIDENTS / ((THINK[0] + THINK[1]) / 2)
    samples = "".join(f"\nError samples, {r['backend']}: {r['samples']}" for r in results if r["samples"])
    threads = f" with {THREADS} threads each" if WORKER_CLASS == "gthread" else ""
    text_out = f"""# Survey page submission benchmark (bench/bench_survey.py)

Run on {dt.datetime.now().strftime("%Y-%m-%d %H:%M")}, {os.cpu_count()} CPU(s), {"quick mode (BENCH_QUICK=1)" if QUICK else "full mode"}, {elapsed:.0f} s in all.
gunicorn: {WORKERS} workers, {WORKER_CLASS}{threads}, on 127.0.0.1. Load generator on the same
machine: threads in separate processes (multiprocessing, spawn), each thread a small
`http.client` browser (keep-alive, cookies, one redirect followed).

## Results

{table}

Targets: ratio ≥ 0.5 (saturated), p99 < 150 ms (paced, 50 residents), no error, answer rows
stored = answer rows acknowledged.

{busy_note(bare, results)}
{samples}
## Method

* **Page submission** (the unit timed): POST of a resident page (CSRF check, validation,
  conditions, atomic save, 302) + GET of the next page. Each client is a resident on a new
  device: GET of the information page, POST "commencer" → 302 → GET of page 1 (not timed),
  then pages profil, acces_soins, bien_etre (timed), then the next resident on that thread.
* **Baseline**: a bare Flask app served the same way, in the same run, receiving the same
  requests: GET /info, POST /start → 302 → GET /next, then three POST /page (the same form,
  parsed) → 302 → GET /next of a page about the size of a questionnaire page (sizes below).
* **Floor**: the bare app doing, for each request, the survey's database work and nothing
  else, with the raw driver (sqlite3, psycopg) and one connection per thread: the same
  tables and answer rows, the same statements and transactions (start: campaign state +
  insert of the draft; page: draft and answers read with a row lock, one multi-row insert,
  the draft's position updated, commit; next page: draft and answers read without a
  transaction). Run on the same database right after the survey. Its ratio is what the
  survey would reach if validation, conditions, rendering, CSRF, the signed session and
  SQLAlchemy cost nothing: the part of the gap that Python code can still close.
  On PostgreSQL, a second floor does the same writes in the fewest round trips: no
  transaction blocks, the draft inserted by one statement that checks the campaign, a page
  written by one statement (the draft's update and the answers' insert in one `WITH`), reads
  in autocommit: about 4 statements per page instead of 7.7.
* **Latency (paced)**: {RESIDENTS} concurrent residents (threads, {LAT_THREADS_PER_PROC} per process), each
  reading every page for a think time uniform in [{THINK[0]}, {THINK[1]}] s (seeded) before submitting it;
  arrivals staggered over the first {THINK[1]} s. Offered load ≈ {offered:.0f} pages/s (a little less: the
  service time adds to each cycle); a server that cannot keep up shows fewer pages/s achieved and
  latency that grows with the queue. p50/p99 of a page submission completed in the {LAT_DURATION:.0f} s window
  after {WARMUP:.0f} s of warm-up. Same pacing and seed for the bare app and the survey app.
* **Throughput (saturated)**: closed loop, no think time, {SAT_CLIENTS} clients ({SAT_THREADS_PER_PROC} threads per
  process) for both apps, {SAT_DURATION:.0f} s after {WARMUP:.0f} s of warm-up. {SAT_CLIENTS} = twice the server's
  {WORKERS * THREADS} request slots, so no slot waits for a client, and far fewer than the 50 closed-loop
  threads of the previous method, in which the clients' CPU dominated (bare app, 2026-11-22:
  8, 16, 32 clients → 250, 305, 243 pages/s). **Ratio = survey pages/s ÷ bare pages/s, both saturated.**
  The clients use `http.client`: with `requests` they used more CPU per page than the bare server.
* **Why gthread with 4 threads**: a submission waits on the database (commit and fsync on
  PostgreSQL, the write lock on SQLite); with 2 sync workers only 2 requests are in the server
  at a time and the CPU idles during those waits. Quick runs on 2026-11-22: survey saturated
  32 (SQLite) / 19 (PostgreSQL) pages/s with gthread vs 16 / 16 with sync workers, gunicorn
  using about 60 % of a core with sync vs 80–110 % with gthread.
* **Errors**: exceptions, timeouts (30 s), an unexpected status, or a redirect to anything but the
  next page (stale or expired page), in both phases. **Nothing lost**: the answer rows of every
  acknowledged page (both phases; 7, 5 and 4 rows for the three pages) counted client side vs
  `select count(*) from answer` after the server is stopped.
* **CPU** (/proc, over each measured window, % of one core, 200 % = the whole machine): gunicorn
  master + workers, PostgreSQL processes (the whole server, other databases included; backends
  that exit during the window are missed), client processes, kernel irq/softirq (loopback TCP)
  and everything else. Server CPU ms/page = gunicorn CPU ÷ pages in the saturated window (the start of
  each draft included, one for three pages, as in the bare app). CPU-cost ratio = bare server
  ms/page ÷ survey server ms/page: a cross-check of the throughput ratio that shared CPU hardly skews.
* Bounded: every window is fixed, every request has a timeout; the temporary PostgreSQL database
  is dropped; gunicorn masters and client processes are stopped by their PID.

### CPU during the measured windows

{cpu_table(bare, results)}
"""
    (ROOT / "bench" / "RESULTS_survey.md").write_text(text_out, encoding="utf-8")


def variants_table(bare: dict, results: list[dict]) -> str:
    """Saturated throughput of the survey without each cache (same run, same database)."""
    rows = [(r["backend"], v) for r in results for v in r.get("variants", [])]
    if not rows:
        return ""
    reference = {backend: v["saturated"]["pages_per_s"] for backend, v in rows if v["variant"] == "none"}
    lines = ["", "", "| survey served | saturated pages/s | ratio to bare | vs. nothing removed | errors |",
             "|---|---|---|---|---|"]
    for backend, v in rows:
        rate = v["saturated"]["pages_per_s"]
        base = reference.get(backend)
        change = f"{(rate / base - 1) * 100:+.1f} %" if base else "–"
        label = "as shipped" if v["variant"] == "none" else f"without `{v['variant']}`"
        if v["variant"].startswith("+"):
            label = f"with `{v['variant'][1:]}` added back"
        lines.append(f"| {backend}, {label} | {rate:.0f} | {rate / bare['saturated']['pages_per_s']:.2f} | {change} "
                     f"| {v['saturated']['errors']} |")
    return "\n".join(lines)
