"""Benchmark: a resident's page submission (validate, store, render the next page).

Served by gunicorn (2 workers) on SQLite and on PostgreSQL, against a bare Flask
endpoint served the same way in the same run (same POST → redirect → GET of a page
of the same size). 50 concurrent clients (threads with ``requests.Session``) on the
loopback, each answering the first three pages of the resident questionnaire and
starting a new draft, for a bounded time. Reported: throughput ratio, p50 and p99 of
one page submission (POST + the GET of the next page), errors, and the number of
acknowledged pages versus the answer rows found in the database afterwards.

Run: ``.venv/bin/python bench/bench_survey.py`` (``BENCH_QUICK=1`` for a short run).
Writes bench/RESULTS_survey.md. PostgreSQL: 127.0.0.1:5432, user postgres (trust);
a temporary database is created and dropped.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("BENCH_QUICK") == "1"
CLIENTS = 50
DURATION = 6.0 if QUICK else 20.0
WARMUP = 1.0 if QUICK else 3.0
PG_ADMIN = os.environ.get("CLS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

#: The pages each client answers, with the rows each acknowledged page stores.
PAGES = [
    ("profil", {"age": "35_49", "sexe": "f", "quartier": "centre", "foyer": "seul", "langues": "francais",
                "etat_sante": "2", "limitation": "non"}, 7),
    ("acces_soins", {"medecin_traitant": "oui_commune", "mt_depart": "non", "delai_generaliste": "jour",
                     "renoncement": "non", "urgences": "0"}, 5),
    ("bien_etre", {"who5.calme": "3", "stress": "5", "solitude": "jamais", "besoin_psy": "non"}, 4),
]

BARE_APP = '''
from flask import Flask, redirect, request
app = Flask(__name__)
BODY = "<!doctype html><html><body>" + "<p>" + "x" * 90 + "</p>" * 1 + ("<div class=q>" + "y" * 200 + "</div>") * 80 + "</body></html>"
@app.post("/page")
def page():
    dict(request.form)
    return redirect("/next")
@app.get("/next")
def next_page():
    return BODY
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app_spec: str, env: dict, cwd: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [GUNICORN, "-w", "2", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}", "--backlog", "256", "--log-level", "warning", app_spec],
        cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            requests.get(url + "/", timeout=10)
            requests.get(url + "/", timeout=10)  # both workers (or at least one) warmed up
            return proc, url
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def prepare_database(url: str) -> None:
    import flask_migrate

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus
    from survey_app.services import campaigns, questionnaires

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


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.acknowledged_rows = 0
        self.acknowledged_pages = 0
        self.error_samples: list[str] = []

    def error(self, what: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(what)


def survey_client(base: str, stats: Stats, measuring: threading.Event, stopping: threading.Event) -> None:
    token_re = re.compile(r'name="csrf_token" value="([^"]+)"')
    version_re = re.compile(r'name="version_id" value="(\d+)"')
    while not stopping.is_set():
        session = requests.Session()  # each draft from a new device (no cookie)
        try:
            info = session.get(f"{base}/enquete/bench/resident", timeout=30)
            reply = session.post(f"{base}/enquete/bench/resident/commencer",
                                 data={"csrf_token": token_re.search(info.text).group(1)}, timeout=30)
            page = reply.text
        except Exception as error:  # noqa: BLE001 - counted as an error
            stats.error(f"start: {error!r}")
            time.sleep(0.5)
            continue
        for section, answers, rows in PAGES:
            if stopping.is_set():
                break
            data = {"csrf_token": token_re.search(page).group(1), "version_id": version_re.search(page).group(1),
                    "section_id": section, "action": "next", **answers}
            started = time.perf_counter()
            try:
                reply = session.post(f"{base}/enquete/bench/resident/page/{section}", data=data, timeout=30)
            except Exception as error:  # noqa: BLE001
                stats.error(f"{section}: {error!r}")
                break
            elapsed = time.perf_counter() - started
            ok = reply.status_code == 200 and len(reply.history) == 1 and reply.history[0].status_code == 302
            if not ok:
                stats.error(f"{section}: HTTP {reply.status_code}")
                break
            with stats.lock:
                stats.acknowledged_pages += 1
                stats.acknowledged_rows += rows
                if measuring.is_set():
                    stats.latencies.append(elapsed)
            page = reply.text


def bare_client(base: str, stats: Stats, measuring: threading.Event, stopping: threading.Event) -> None:
    session = requests.Session()
    while not stopping.is_set():
        started = time.perf_counter()
        try:
            reply = session.post(f"{base}/page", data={"section_id": "profil", **PAGES[0][1]}, timeout=30)
        except Exception as error:  # noqa: BLE001
            stats.error(repr(error))
            continue
        elapsed = time.perf_counter() - started
        if reply.status_code != 200:
            stats.error(f"HTTP {reply.status_code}")
            continue
        with stats.lock:
            stats.acknowledged_pages += 1
            if measuring.is_set():
                stats.latencies.append(elapsed)


def load(base: str, client) -> dict:
    stats, measuring, stopping = Stats(), threading.Event(), threading.Event()
    threads = [threading.Thread(target=client, args=(base, stats, measuring, stopping)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(WARMUP)
    measuring.set()
    time.sleep(DURATION)
    measuring.clear()
    stopping.set()
    for thread in threads:
        thread.join(60)
    lat = sorted(stats.latencies)
    return {
        "throughput": len(lat) / DURATION,
        "p50": statistics.median(lat) * 1000 if lat else float("nan"),
        "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan"),
        "errors": stats.errors,
        "error_samples": stats.error_samples,
        "pages": stats.acknowledged_pages,
        "rows_expected": stats.acknowledged_rows,
    }


def stored_rows(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("select count(*) from answer")).scalar_one()
    engine.dispose()
    return rows


def run_backend(name: str, url: str, workdir: str) -> dict:
    prepare_database(url)
    env = {"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "bench-" + secrets.token_hex(8)}
    proc, base = serve("survey_app:create_app()", env, str(ROOT))
    try:
        result = load(base, survey_client)
    finally:
        stop(proc)
    result["rows_stored"] = stored_rows(url)
    result["backend"] = name
    return result


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="bench-survey-")
    Path(workdir, "bare_app.py").write_text(BARE_APP)
    proc, base = serve("bare_app:app", {}, workdir)
    try:
        bare = load(base, bare_client)
    finally:
        stop(proc)
    print(f"bare Flask: {bare['throughput']:.0f} pages/s, p50 {bare['p50']:.1f} ms, p99 {bare['p99']:.1f} ms, errors {bare['errors']}")
    results = [run_backend("SQLite", f"sqlite:///{workdir}/bench.sqlite3", workdir)]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"cls_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        pg_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        results.append(run_backend("PostgreSQL", pg_url, workdir))
    except Exception as error:  # noqa: BLE001 - a missing server is reported, not fatal
        print(f"PostgreSQL skipped: {error!r}"[:300])
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    ok = True
    lines = []
    for r in results:
        ratio = r["throughput"] / bare["throughput"]
        lost = r["rows_expected"] - r["rows_stored"]
        passed = ratio >= 0.5 and r["p99"] < 150 and r["errors"] == 0 and lost == 0
        ok &= passed
        print(f"ratio {r['backend']}: {ratio:.2f} (survey {r['throughput']:.0f} pages/s vs bare {bare['throughput']:.0f}); "
              f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms; errors {r['errors']}; "
              f"acknowledged pages {r['pages']}, rows expected {r['rows_expected']}, rows stored {r['rows_stored']}"
              + ("" if passed else "  [target missed]"))
        if r["error_samples"]:
            print("  errors:", r["error_samples"])
        lines.append(f"| {r['backend']} | {r['throughput']:.0f} | {ratio:.2f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} "
                     f"| {r['pages']} | {r['rows_expected']} | {r['rows_stored']} |")
    write_results(bare, lines)
    return 0 if ok else 1


def write_results(bare: dict, lines: list[str]) -> None:
    cpus = os.cpu_count()
    text_out = f"""# Survey page submission benchmark (bench/bench_survey.py)

Run on {dt.date.today().isoformat()}, {cpus} CPU(s), {"quick mode" if QUICK else "full mode"}:
{CLIENTS} concurrent clients (Python threads, `requests.Session`, loopback) for {DURATION:.0f} s after
{WARMUP:.0f} s of warm-up; gunicorn with 2 workers (gthread, 4 threads each); the clients share the machine.
One operation = POST of a resident page (CSRF check, validation, conditions, atomic save)
plus the GET of the next page it redirects to. The baseline is a bare Flask app served
the same way: POST (form parsed) → redirect → GET of a ~20 KB page.

Bare Flask: {bare['throughput']:.0f} pages/s, p50 {bare['p50']:.1f} ms, p99 {bare['p99']:.1f} ms, errors {bare['errors']}.

| database | pages/s | ratio to bare Flask | p50 (ms) | p99 (ms) | errors | acknowledged pages | answer rows expected | answer rows stored |
|---|---|---|---|---|---|---|---|---|
""" + "\n".join(lines) + """

Targets: ratio ≥ 0.5, p99 < 150 ms, no error, rows stored = rows acknowledged.
With 50 clients in closed loop and no think time, latency is queueing: p99 ≈ 50 /
throughput. The acknowledged rows are counted client-side from each page saved
(302 then 200); the stored rows are counted in the database after the run.
"""
    (ROOT / "bench" / "RESULTS_survey.md").write_text(text_out, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
