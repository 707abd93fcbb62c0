"""Benchmark: a resident's page submission (validate, store, render the next page).

What is measured
----------------
One *page submission* = the POST of a questionnaire page (CSRF check, validation,
conditions, atomic save, 302) plus the GET of the next page it redirects to. The survey
app is served by gunicorn (2 workers, gthread with 4 threads each) on SQLite and on
PostgreSQL (a temporary database, created and dropped). The baseline is a bare Flask
app served the same way in the same run, doing the same HTTP work: POST of the same
form (parsed) → 302 → GET of a page of about the size of a questionnaire page.

The floor: for each database, the bare app again, now doing the survey's database work
for each request with the raw driver (same tables, statements, transactions and answer
rows; no validation, rendering, CSRF, signed session or ORM), on the same database right
after the survey. Its ratio bounds what any Python code around those statements can reach.

Every client imitates a resident on a new device: a new ``Browser`` (a small
``http.client`` client with keep-alive, cookies and one redirect followed; no cookie,
new connection), the start of a draft (GET of the information page, POST "commencer"
→ 302 → GET of the first page: three requests, not timed), then the first three
pages of the questionnaire (profil, acces_soins, bien_etre), each one timed. Then the
next resident starts on the same thread. The bare client does exactly the same
requests against the bare app (GET /info, POST /start → 302 → GET /next, then three
POST /page → 302 → GET /next).

Two phases per server (bare, SQLite, PostgreSQL), on the same warm server:

1. **Latency under realistic load.** ``RESIDENTS`` = 50 concurrent residents (threads)
   each *read* the page they were shown for a think time drawn uniformly in
   [0.5 s, 1.5 s] (seeded ``random.Random``) before submitting it; the start of the
   threads is staggered over the first 1.5 s. Offered load ≈ 50 × 3 pages / (3 × 1 s)
   ≈ 50 pages/s (a little less: the service time adds to the cycle). Reported: p50
   and p99 of a page submission, and the pages/s actually achieved (if the server
   cannot keep up, the achieved rate falls below the offered one, and latency grows).
2. **Throughput at saturation.** Closed loop without think time, ``SAT_CLIENTS`` = 16
   clients for the bare app and for the survey app alike. 16 = twice the server's
   8 request slots (2 workers × 4 threads), so a slot never waits for a client, while
   staying far below the 50 clients that made the client's own CPU use dominate
   (8, 16 and 32 clients gave 250, 305 and 243 bare pages/s on 2026-11-22).
   Ratio = survey pages/s ÷ bare pages/s, both at saturation.

The load generator runs in separate processes (``multiprocessing``, spawn), a few
threads each (10 per process in phase 1, 4 in phase 2), so no client GIL caps the
load, and the clients use ``http.client`` rather than ``requests`` (which cost more
CPU per page than the bare Flask server itself). The machine has 2 cores shared by the
server and the clients: the CPU used by gunicorn, PostgreSQL, the client processes,
the kernel (irq/softirq) and anything else is measured over each window (/proc) and
reported, with the server CPU per page (a cost that does not depend on the client).

gthread with 4 threads, not sync workers: a submission waits on the database (commit
and fsync on PostgreSQL, the write lock on SQLite); 2 sync workers leave the CPU idle
during those waits and close every connection (``BENCH_WORKER_CLASS=sync`` to compare:
about half the saturated throughput on 2026-11-22). Timed windows: ``WARMUP`` s of warm-up then
``LAT_DURATION`` / ``SAT_DURATION`` s measured; submissions completing in the window
are counted. Errors (exceptions, timeouts, unexpected status, or a redirect to any
page other than the next one — e.g. a stale or expired page) are counted in both
phases. Acknowledged pages (saved and redirected to the next page) over the whole run
are counted client side with the answer rows each stores, and compared with the rows
found in the database afterwards (nothing lost).

Targets (issue): ratio ≥ 0.5, p99 < 150 ms, no error, nothing lost.

Files: the bare app ``survey_bare_app.py``, the floor ``survey_floor_app.py``, the load
generator ``survey_clients.py``, the report ``survey_report.py``, the settings
``survey_settings.py``, and ``survey_variants.py``: the survey served again, saturated,
without one of its caches (or without Flask-Limiter's request-level check) in the same
run, for the rule of ``survey_app/infra/caches.py`` (``BENCH_VARIANTS``, comma-separated;
empty to skip).

Run: ``.venv/bin/python bench/bench_survey.py`` (``BENCH_QUICK=1`` for a short run;
``BENCH_THREADS`` and ``BENCH_WORKER_CLASS`` change gunicorn's threads and worker class,
for both apps alike).
Writes bench/RESULTS_survey.md. PostgreSQL: 127.0.0.1:5432, user postgres (trust);
``CLS_BENCH_POSTGRES_URL`` overrides. Loopback only. Every process started here
(gunicorn masters, client processes) is stopped by its PID.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

from survey_clients import Browser, client_process  # noqa: E402
from survey_cpu import database_cpu, system_busy, tree_cpu  # noqa: E402
from survey_report import describe, render_table, variants_table, write_results  # noqa: E402
from survey_settings import (BARE_DIVS, GUNICORN, LAT_DURATION, LAT_THREADS_PER_PROC, PAGES, PG_ADMIN,  # noqa: E402,F401
                             RESIDENTS, ROOT, SAT_CLIENTS, SAT_DURATION, SAT_THREADS_PER_PROC, SEED, THINK, THREADS,
                             TIMEOUT, VARIANTS, WARMUP, WORKER_CLASS, WORKERS)


# --------------------------------------------------------------------------- phases

def run_phase(kind: str, base: str, server_pid: int, *, clients: int, per_proc: int, think, duration: float,
              seed: int) -> dict:
    ctx = mp.get_context("spawn")
    ready, results, go, t0 = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    sizes = [per_proc] * (clients // per_proc) + ([clients % per_proc] if clients % per_proc else [])
    procs = [ctx.Process(target=client_process, daemon=True,
                         args=(kind, base, n, think, seed + 100 * i, ready, go, t0, WARMUP, duration, results))
             for i, n in enumerate(sizes)]
    outs = []
    try:
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=60)
        t0.value = time.time() + 0.2
        go.set()
        start_w = t0.value + WARMUP
        time.sleep(max(0.0, start_w - time.time()))
        server0, db0, system0 = tree_cpu(server_pid), database_cpu(), system_busy()
        time.sleep(max(0.0, start_w + duration - time.time()))
        system1 = system_busy()
        server_cpu = tree_cpu(server_pid) - server0
        system_cpu, irq_cpu = system1[0] - system0[0], system1[1] - system0[1]
        # backends that exited during the window are not counted (their CPU is gone from /proc)
        db_cpu = sum(max(0.0, cpu - db0.get(pid, 0.0)) for pid, cpu in database_cpu().items())
        for _ in procs:
            outs.append(results.get(timeout=TIMEOUT + 30))
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
                proc.join(5)
    lat = sorted(x for out in outs for x in out["latencies"])
    client_cpu = sum(out["cpu"] for out in outs)

    def pct(q: float) -> float:
        return lat[max(0, math.ceil(q * len(lat)) - 1)] * 1000 if lat else float("nan")

    return {
        "pages_per_s": len(lat) / duration,
        "p50": pct(0.50), "p99": pct(0.99), "n": len(lat),
        "errors": sum(out["errors"] for out in outs),
        "samples": [s for out in outs for s in out["samples"]][:5],
        "pages": sum(out["pages"] for out in outs),
        "rows": sum(out["rows"] for out in outs),
        "page_bytes": sum(out["bytes"] for out in outs) / len(lat) if lat else 0,
        "server_cpu": server_cpu / duration * 100,  # % of one core
        "client_cpu": client_cpu / duration * 100,
        "db_cpu": db_cpu / duration * 100,
        "irq_cpu": irq_cpu / duration * 100,
        "other_cpu": max(0.0, system_cpu - irq_cpu - server_cpu - client_cpu - db_cpu) / duration * 100,
        "server_ms_per_page": server_cpu / len(lat) * 1000 if lat else float("nan"),
    }


def measure(kind: str, base: str, server_pid: int) -> dict:
    paced = run_phase(kind, base, server_pid, clients=RESIDENTS, per_proc=LAT_THREADS_PER_PROC, think=THINK,
                      duration=LAT_DURATION, seed=SEED)
    time.sleep(1.0)
    saturated = run_phase(kind, base, server_pid, clients=SAT_CLIENTS, per_proc=SAT_THREADS_PER_PROC, think=None,
                          duration=SAT_DURATION, seed=SEED + 1)
    return {"paced": paced, "saturated": saturated,
            "errors": paced["errors"] + saturated["errors"],
            "samples": (paced["samples"] + saturated["samples"])[:5],
            "pages": paced["pages"] + saturated["pages"],
            "rows_expected": paced["rows"] + saturated["rows"]}


# --------------------------------------------------------------------------- servers and databases

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app_spec: str, env: dict, cwd: str, probe: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [GUNICORN, "-w", str(WORKERS), "-k", WORKER_CLASS, "-b", f"127.0.0.1:{port}", "--backlog", "256",
            "--log-level", "warning", app_spec]
    if WORKER_CLASS == "gthread":
        args[5:5] = ["--threads", str(THREADS)]
    proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            for _ in range(4):  # warm both workers
                browser = Browser(url)
                status = browser.fetch("GET", probe).status
                browser.close()
                if status != 200:
                    raise RuntimeError(f"{probe}: HTTP {status}")
            return proc, url
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"gunicorn did not start ({app_spec})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)


def prepare_database(url: str) -> None:
    import flask_migrate

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus
    from survey_app.campaigns import services as campaigns, questionnaires

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, environ={})
    with app.app_context():
        flask_migrate.upgrade()
        campaign = campaigns.create_campaign(
            db.session, "bench", "Bench", organisation="Ville", status=CampaignStatus.OPEN,
            districts=[{"code": "centre", "name": "Centre"}, {"code": "nord", "name": "Nord"}],
        )
        questionnaires.load_file(db.session, campaign, ROOT / "questionnaires" / "resident.yaml")
        db.session.commit()
        db.engine.dispose()


def stored_rows(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("select count(*) from answer")).scalar_one()
    engine.dispose()
    return rows


def run_backend(name: str, url: str, workdir: str) -> dict:
    prepare_database(url)
    env = {"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "bench-" + secrets.token_hex(8)}
    proc, base = serve("survey_app:create_app()", env, str(ROOT), "/enquete/bench/resident")
    try:
        result = measure("survey", base, proc.pid)
    finally:
        stop(proc)
    result["rows_stored"] = stored_rows(url)
    result["backend"] = name
    if url.startswith("sqlite"):
        result["variants"] = run_variants(url, env)
        result["rows_after_variants"] = stored_rows(url)
    result["floor"] = run_floor(url, workdir, result.get("rows_after_variants", result["rows_stored"]))
    if not url.startswith("sqlite"):
        result["floor_fewest"] = run_floor(url, workdir, result["rows_stored"] + result["floor"]["rows_stored"],
                                           fewest=True)
    return result


def run_variants(url: str, env: dict) -> list[dict]:
    """The survey served again for each of VARIANTS (``survey_variants.create``), saturated
    only, on the same database right after the survey's own run."""
    found = []
    for variant in VARIANTS:
        spec = f"survey_variants:create({variant!r})"
        proc, base = serve(spec, {**env, "PYTHONPATH": f"{BENCH}:{ROOT}"}, str(ROOT), "/enquete/bench/resident")
        try:
            saturated = run_phase("survey", base, proc.pid, clients=SAT_CLIENTS, per_proc=SAT_THREADS_PER_PROC,
                                  think=None, duration=SAT_DURATION, seed=SEED + 2)
        finally:
            stop(proc)
        found.append({"variant": variant, "saturated": saturated})
        print(f"variant {variant}: saturated {saturated['pages_per_s']:.0f} pages/s, errors {saturated['errors']}, "
              f"server CPU {saturated['server_ms_per_page']:.2f} ms/page", flush=True)
    return found


def run_floor(url: str, workdir: str, rows_before: int, *, fewest: bool = False) -> dict:
    """The floor app on the same database (after the survey's run), counted the same way.

    ``fewest``: on PostgreSQL, the same work in the fewest round trips (see survey_floor_app.py)."""
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(url)
    with engine.connect() as connection:
        campaign, version = connection.execute(text(
            "select c.id, v.id from campaign c join questionnaire_version v on v.campaign_id = c.id "
            "where c.slug = 'bench' and v.key = 'resident'")).one()
    engine.dispose()
    if url.startswith("sqlite"):
        database = "sqlite:" + url.split("sqlite:///", 1)[1]
    else:
        parts = make_url(url)
        database = f"host={parts.host} port={parts.port or 5432} user={parts.username} dbname={parts.database}"
    env = {"BARE_DIVS": str(BARE_DIVS), "FLOOR_DB": database, "FLOOR_CAMPAIGN": str(campaign),
           "FLOOR_VERSION": str(version), "FLOOR_FEWEST": "1" if fewest else "0"}
    proc, base = serve("survey_floor_app:app", env, str(BENCH), "/info")
    try:
        result = measure("floor", base, proc.pid)
    finally:
        stop(proc)
    result["rows_stored"] = stored_rows(url) - rows_before
    return result


# --------------------------------------------------------------------------- report

def main() -> int:
    from sqlalchemy import create_engine, text

    started = time.time()
    workdir = tempfile.mkdtemp(prefix="bench-survey-")
    proc, base = serve("survey_bare_app:app", {"BARE_DIVS": str(BARE_DIVS)}, str(BENCH), "/info")
    try:
        bare = measure("bare", base, proc.pid)
    finally:
        stop(proc)
    print(describe("bare Flask", bare), flush=True)
    results = [run_backend("SQLite", f"sqlite:///{workdir}/bench.sqlite3", workdir)]
    print(describe("SQLite", results[-1]), flush=True)
    print(describe("floor, SQLite", results[-1]["floor"]), flush=True)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"cls_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        results.append(run_backend("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + "/" + name, workdir))
        print(describe("PostgreSQL", results[-1]), flush=True)
        print(describe("floor, PostgreSQL", results[-1]["floor"]), flush=True)
        print(describe("floor with the fewest round trips, PostgreSQL", results[-1]["floor_fewest"]), flush=True)
    except Exception as error:  # noqa: BLE001 - a missing server is reported, not fatal
        print(f"PostgreSQL skipped: {error!r}"[:300])
    finally:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as error:  # noqa: BLE001
            print(f"could not drop {name}: {error!r}"[:300])
        admin.dispose()

    ok = True
    print()
    for r in results:
        r["ratio"] = r["saturated"]["pages_per_s"] / bare["saturated"]["pages_per_s"]
        r["lost"] = r["rows_expected"] - r["rows_stored"]
        r["passed"] = r["ratio"] >= 0.5 and r["paced"]["p99"] < 150 and r["errors"] == 0 and r["lost"] == 0
        ok &= r["passed"]
        print(f"RATIO {r['backend']}: {r['ratio']:.2f} (saturated, {SAT_CLIENTS} clients: survey "
              f"{r['saturated']['pages_per_s']:.0f} pages/s / bare {bare['saturated']['pages_per_s']:.0f} pages/s); "
              f"paced p50 {r['paced']['p50']:.1f} ms, p99 {r['paced']['p99']:.1f} ms; errors {r['errors']}; "
              f"pages acknowledged {r['pages']}, rows acknowledged {r['rows_expected']}, stored {r['rows_stored']}"
              + ("  [targets met]" if r["passed"] else "  [TARGET MISSED]"))
        for key, what in (("floor", "the same database work with the raw driver and no other logic"),
                          ("floor_fewest", "the same writes in the fewest round trips")):
            f = r.get(key)
            if f is None:
                continue
            f["ratio"] = f["saturated"]["pages_per_s"] / bare["saturated"]["pages_per_s"]
            f["lost"] = f["rows_expected"] - f["rows_stored"]
            print(f"FLOOR {r['backend']}: ratio {f['ratio']:.2f} ({what}: {f['saturated']['pages_per_s']:.0f} pages/s);"
                  f" the survey reaches {r['ratio'] / f['ratio']:.2f} of it; errors {f['errors']}; "
                  f"rows acknowledged {f['rows_expected']}, stored {f['rows_stored']}")
    table = render_table(bare, results) + variants_table(bare, results)
    print()
    print(table)
    write_results(bare, results, table, time.time() - started)
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
