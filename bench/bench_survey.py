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

Run: ``.venv/bin/python bench/bench_survey.py`` (``BENCH_QUICK=1`` for a short run;
``BENCH_THREADS`` and ``BENCH_WORKER_CLASS`` change gunicorn's threads and worker class,
for both apps alike).
Writes bench/RESULTS_survey.md. PostgreSQL: 127.0.0.1:5432, user postgres (trust);
``CLS_BENCH_POSTGRES_URL`` overrides. Loopback only. Every process started here
(gunicorn masters, client processes) is stopped by its PID.
"""
from __future__ import annotations

import datetime as dt
import math
import multiprocessing as mp
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import http.client
import select
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("BENCH_QUICK") == "1"
RESIDENTS = 50
THINK = (0.5, 1.5)
SEED = 20261122
LAT_THREADS_PER_PROC = 10
SAT_CLIENTS = int(os.environ.get("BENCH_SAT_CLIENTS", "16"))
SAT_THREADS_PER_PROC = 4
WARMUP = 1.5 if QUICK else 3.0
LAT_DURATION = 6.0 if QUICK else 20.0
SAT_DURATION = 5.0 if QUICK else 15.0
TIMEOUT = 30
WORKERS = 2
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # "sync" to compare
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
PG_ADMIN = os.environ.get("CLS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TICK = os.sysconf("SC_CLK_TCK")

#: The pages each client answers, with the answer rows each acknowledged page stores.
PAGES = [
    ("profil", {"age": "35_49", "sexe": "f", "quartier": "centre", "foyer": "seul", "langues": "francais",
                "etat_sante": "2", "limitation": "non"}, 7),
    ("acces_soins", {"medecin_traitant": "oui_commune", "mt_depart": "non", "delai_generaliste": "jour",
                     "renoncement": "non", "urgences": "0"}, 5),
    ("bien_etre", {"who5.calme": "3", "stress": "5", "solitude": "jamais", "besoin_psy": "non"}, 4),
]

#: About the size of a questionnaire page (the sizes received are reported).
BARE_APP = '''
from flask import Flask, redirect, request
app = Flask(__name__)
BODY = ("<!doctype html><html><body><p>" + "x" * 90 + "</p>"
        + ("<div class=q>" + "y" * 200 + "</div>") * int(__import__("os").environ.get("BARE_DIVS", "80"))
        + "</body></html>")
@app.get("/info")
def info():
    return BODY
@app.post("/start")
def start():
    dict(request.form)
    return redirect("/next")
@app.post("/page")
def page():
    dict(request.form)
    return redirect("/next")
# The fewest round trips to PostgreSQL: no transaction blocks, each write one statement.
def start_fewest():
    dict(request.form)
    token = secrets.token_hex(6)
    cur = connection(True).cursor()
    cur.execute("INSERT INTO response (campaign_id, questionnaire_version_id, channel, status, created_on, language, "
                "current_section, resume_token_hash) SELECT id, %s, 'web', 'draft', current_date, 'fr', 'profil', %s "
                "FROM campaign WHERE id = %s AND status = 'open' RETURNING id",
                (VERSION, hashlib.sha256(token.encode()).hexdigest(), CAMPAIGN))
    cur.fetchall()
    cur.close()
    reply = make_response(redirect("/next"))
    reply.set_cookie("t", token, httponly=True, samesite="Lax")
    return reply

def page_fewest():
    form = dict(request.form)
    conn = connection(True)
    rows = draft(conn)
    answers = [(k, v) for k, v in form.items() if k not in ("section_id", "action")]
    cur = conn.cursor()
    cur.execute("WITH d AS (UPDATE response SET language = 'fr', current_section = %s WHERE id = %s "
                "AND status = 'draft' RETURNING id) INSERT INTO answer (response_id, question_id, value_text, value_kind) "
                "SELECT d.id, v.q, v.t, 'text' FROM d, (VALUES " + ", ".join(["(%s, %s)"] * len(answers)) + ") AS v(q, t)",
                [form.get("section_id"), rows[0][0]] + [x for row in answers for x in row])
    cur.close()
    return redirect("/next")

@app.get("/next")
def next_page():
    return BODY
'''
BARE_DIVS = 80

#: The floor: the bare app above doing the survey's database work for each request, with
#: the raw driver and no other logic (no validation, conditions, rendering, CSRF, signed
#: session, ORM): same tables, same statements, same transactions, same answer rows.
#: What the survey cannot go below while storing every page as it does.
FLOOR_APP = BARE_APP.split('@app.post("/start")')[0] + '''
import hashlib, os, secrets, threading
from flask import make_response
DB = os.environ["FLOOR_DB"]
PG = not DB.startswith("sqlite:")
CAMPAIGN, VERSION = int(os.environ["FLOOR_CAMPAIGN"]), int(os.environ["FLOOR_VERSION"])
P = "%s" if PG else "?"
READ = ("SELECT r.id, r.campaign_id, r.questionnaire_version_id, r.channel, r.status, r.created_on, r.language, "
        "r.current_section, r.resume_token_hash, c.status, c.opens_on, c.closes_on, a.question_id, a.value_text, "
        "a.value_number, a.value_json, a.value_kind FROM response r JOIN campaign c ON c.id = r.campaign_id "
        "LEFT OUTER JOIN answer a ON a.response_id = r.id WHERE r.resume_token_hash = " + P)
local = threading.local()

def connection(autocommit):
    conn = getattr(local, "conn", None)
    if conn is None:
        if PG:
            import psycopg
            conn = psycopg.connect(DB)
        else:
            import sqlite3
            conn = sqlite3.connect(DB[len("sqlite:"):], timeout=15, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "busy_timeout=15000", "foreign_keys=ON", "synchronous=NORMAL"):
                conn.execute("PRAGMA " + pragma)
        local.conn = conn
    if PG:
        conn.autocommit = autocommit
    return conn

def draft(conn, for_update=False):
    token = request.cookies.get("t", "")
    cur = conn.cursor()
    cur.execute(READ + (" FOR UPDATE OF r" if PG and for_update else ""), (hashlib.sha256(token.encode()).hexdigest(),))
    rows = cur.fetchall()
    cur.close()
    return rows

FEWEST = PG and os.environ.get("FLOOR_FEWEST") == "1"

@app.post("/start")
def start():
    if FEWEST:
        return start_fewest()
    dict(request.form)
    conn = connection(False)
    token = secrets.token_hex(6)
    cur = conn.cursor()
    cur.execute("SELECT status, opens_on, closes_on FROM campaign WHERE id = " + P, (CAMPAIGN,))
    cur.fetchall()
    cur.execute("INSERT INTO response (campaign_id, questionnaire_version_id, channel, status, created_on, language, "
                "current_section, resume_token_hash) VALUES (" + ", ".join([P] * 8) + ") RETURNING id",
                (CAMPAIGN, VERSION, "web", "draft", "2026-11-22", "fr", "profil", hashlib.sha256(token.encode()).hexdigest()))
    cur.fetchall()
    cur.close()
    conn.commit()
    reply = make_response(redirect("/next"))
    reply.set_cookie("t", token, httponly=True, samesite="Lax")
    return reply

@app.post("/page")
def page():
    if FEWEST:
        return page_fewest()
    form = dict(request.form)
    conn = connection(False)
    rows = draft(conn, for_update=True)
    answers = [(rows[0][0], k, v, None, None, "text") for k, v in form.items() if k not in ("section_id", "action")]
    cur = conn.cursor()
    cur.execute("INSERT INTO answer (response_id, question_id, value_text, value_number, value_json, value_kind) VALUES "
                + ", ".join(["(" + ", ".join([P] * 6) + ")"] * len(answers)), [x for row in answers for x in row])
    cur.execute("UPDATE response SET language = " + P + ", current_section = " + P + " WHERE id = " + P,
                ("fr", form.get("section_id"), rows[0][0]))
    cur.close()
    conn.commit()
    return redirect("/next")

# The fewest round trips to PostgreSQL: no transaction blocks, each write one statement.
def start_fewest():
    dict(request.form)
    token = secrets.token_hex(6)
    cur = connection(True).cursor()
    cur.execute("INSERT INTO response (campaign_id, questionnaire_version_id, channel, status, created_on, language, "
                "current_section, resume_token_hash) SELECT id, %s, 'web', 'draft', current_date, 'fr', 'profil', %s "
                "FROM campaign WHERE id = %s AND status = 'open' RETURNING id",
                (VERSION, hashlib.sha256(token.encode()).hexdigest(), CAMPAIGN))
    cur.fetchall()
    cur.close()
    reply = make_response(redirect("/next"))
    reply.set_cookie("t", token, httponly=True, samesite="Lax")
    return reply

def page_fewest():
    form = dict(request.form)
    conn = connection(True)
    rows = draft(conn)
    answers = [(k, v) for k, v in form.items() if k not in ("section_id", "action")]
    cur = conn.cursor()
    cur.execute("WITH d AS (UPDATE response SET language = 'fr', current_section = %s WHERE id = %s "
                "AND status = 'draft' RETURNING id) INSERT INTO answer (response_id, question_id, value_text, value_kind) "
                "SELECT d.id, v.q, v.t, 'text' FROM d, (VALUES " + ", ".join(["(%s, %s)"] * len(answers)) + ") AS v(q, t)",
                [form.get("section_id"), rows[0][0]] + [x for row in answers for x in row])
    cur.close()
    return redirect("/next")

@app.get("/next")
def next_page():
    draft(connection(True))
    return BODY
'''


# --------------------------------------------------------------------------- clients

class Reply(NamedTuple):
    first: int  # status of the first response (302 when redirected)
    status: int  # status of the final response
    url: str  # final path
    text: str


class Browser:
    """A minimal browser over ``http.client``: one keep-alive connection, cookies, one redirect.

    Much cheaper in CPU than ``requests`` (the clients share 2 cores with the server).
    """

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is not None and self.conn.sock is not None:
            if select.select([self.conn.sock], [], [], 0)[0]:  # closed by the server while idle
                self.conn.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.conn

    def _request(self, method: str, path: str, data: dict | None) -> tuple[int, str | None, bytes]:
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        content = response.read()
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content

    def fetch(self, method: str, path: str, data: dict | None = None) -> Reply:
        status, location, content = self._request(method, path, data)
        if status in (301, 302, 303) and location:
            target = urlsplit(location)
            path = target.path + (f"?{target.query}" if target.query else "")
            final, _, content = self._request("GET", path, None)
            return Reply(status, final, path, content.decode("utf-8", "replace"))
        return Reply(status, status, path, content.decode("utf-8", "replace"))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Flow:
    """One resident's requests against one app: ``start`` then ``submit`` of each page."""

    token_re = re.compile(r'name="csrf_token" value="([^"]+)"')
    version_re = re.compile(r'name="version_id" value="(\d+)"')

    def __init__(self, kind: str):
        self.kind = kind

    def start(self, browser: Browser) -> str:
        if self.kind in ("bare", "floor"):
            info = browser.fetch("GET", "/info")
            reply = browser.fetch("POST", "/start", {"consent": "1"})
        else:
            info = browser.fetch("GET", "/enquete/bench/resident")
            token = self.token_re.search(info.text) if info.status == 200 else None
            if token is None:
                raise RuntimeError(f"info: HTTP {info.status}")
            reply = browser.fetch("POST", "/enquete/bench/resident/commencer", {"csrf_token": token.group(1)})
        if info.status != 200 or reply.first != 302 or reply.status != 200:
            raise RuntimeError(f"start: HTTP {info.status}, {reply.first} -> {reply.status}")
        return reply.text

    def submit(self, browser: Browser, index: int, page: str) -> Reply:
        section, answers, _rows = PAGES[index]
        if self.kind in ("bare", "floor"):
            return browser.fetch("POST", "/page", {"section_id": section, "action": "next", **answers})
        data = {"csrf_token": self.token_re.search(page).group(1), "version_id": self.version_re.search(page).group(1),
                "section_id": section, "action": "next", **answers}
        return browser.fetch("POST", f"/enquete/bench/resident/page/{section}", data)

    @staticmethod
    def acknowledged(index: int, reply: Reply, kind: str) -> bool:
        """Saved and sent on to the next page (a stale or expired page redirects elsewhere)."""
        if reply.first != 302 or reply.status != 200:
            return False
        if kind in ("bare", "floor"):
            return reply.url == "/next"
        if index + 1 < len(PAGES):
            return reply.url.endswith(f"/page/{PAGES[index + 1][0]}")
        return "/page/" in reply.url and not reply.url.endswith(f"/page/{PAGES[index][0]}")


def client_thread(flow: Flow, base: str, think: tuple[float, float] | None, seed: int, window: tuple[float, float],
                  stopping: threading.Event, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    start_w, end_w = window
    if think:
        stopping.wait(rng.uniform(0, think[1]))  # stagger the arrivals
    while not stopping.is_set():
        browser = Browser(base)  # a new device: no cookie, new connection
        try:
            page = flow.start(browser)
        except Exception as error:  # noqa: BLE001 - counted
            with lock:
                out["errors"] += 1
                if len(out["samples"]) < 5:
                    out["samples"].append(f"start: {error!r}"[:200])
            browser.close()
            stopping.wait(0.5)
            continue
        for index, (section, _answers, rows) in enumerate(PAGES):
            if think and stopping.wait(rng.uniform(*think)):  # reading the page
                break
            if stopping.is_set():
                break
            started = time.perf_counter()
            try:
                reply = flow.submit(browser, index, page)
                ok = flow.acknowledged(index, reply, flow.kind)
                what = f"{section}: HTTP {reply.first} -> {reply.status} {reply.url}"
            except Exception as error:  # noqa: BLE001 - counted
                ok, what = False, f"{section}: {error!r}"[:200]
            finished = time.time()
            elapsed = time.perf_counter() - started
            with lock:
                if not ok:
                    out["errors"] += 1
                    if len(out["samples"]) < 5:
                        out["samples"].append(what)
                else:
                    out["pages"] += 1
                    out["rows"] += rows
                    if start_w <= finished < end_w:
                        out["latencies"].append(elapsed)
                        out["bytes"] += len(reply.text)
            if not ok:
                break
            page = reply.text
        browser.close()


def client_process(kind: str, base: str, threads: int, think, seed: int, ready, go, t0, warmup: float,
                   duration: float, results) -> None:
    """A load-generator process: ``threads`` clients, its CPU time over the window."""
    flow = Flow(kind)
    out = {"latencies": [], "errors": 0, "samples": [], "pages": 0, "rows": 0, "bytes": 0, "cpu": 0.0}
    lock, stopping = threading.Lock(), threading.Event()
    ready.put(os.getpid())
    go.wait(60)
    start_w = t0.value + warmup
    end_w = start_w + duration
    pool = [threading.Thread(target=client_thread, daemon=True,
                             args=(flow, base, think, seed * 1000 + i, (start_w, end_w), stopping, out, lock))
            for i in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(max(0.0, start_w - time.time()))
    cpu0 = sum(os.times()[:2])
    time.sleep(max(0.0, end_w - time.time()))
    out["cpu"] = sum(os.times()[:2]) - cpu0
    stopping.set()
    for thread in pool:
        thread.join(TIMEOUT + 5)
    with lock:
        results.put(out)


# --------------------------------------------------------------------------- CPU accounting

def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def tree_cpu(master: int) -> float:
    """CPU seconds of a gunicorn master and its live workers."""
    total = proc_cpu(master)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == master:
                total += proc_cpu(int(entry.name))
    return total


def database_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL server process (none when serving SQLite: in-process)."""
    cpu = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    cpu[int(entry.name)] = proc_cpu(int(entry.name))
            except OSError:
                continue
    return cpu


def system_busy() -> tuple[float, float]:
    """CPU seconds spent busy by the whole machine since boot (all cores), and of it in irq/softirq."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK, (fields[5] + fields[6]) / TICK


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
    result["floor"] = run_floor(url, workdir, result["rows_stored"])
    if not url.startswith("sqlite"):
        result["floor_fewest"] = run_floor(url, workdir, result["rows_stored"] + result["floor"]["rows_stored"],
                                           fewest=True)
    return result


def run_floor(url: str, workdir: str, rows_before: int, *, fewest: bool = False) -> dict:
    """The floor app on the same database (after the survey's run), counted the same way.

    ``fewest``: on PostgreSQL, the same work in the fewest round trips (see FLOOR_APP)."""
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
    Path(workdir, "floor_app.py").write_text(FLOOR_APP)
    env = {"BARE_DIVS": str(BARE_DIVS), "FLOOR_DB": database, "FLOOR_CAMPAIGN": str(campaign),
           "FLOOR_VERSION": str(version), "FLOOR_FEWEST": "1" if fewest else "0"}
    proc, base = serve("floor_app:app", env, workdir, "/info")
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
    Path(workdir, "bare_app.py").write_text(BARE_APP)
    proc, base = serve("bare_app:app", {"BARE_DIVS": str(BARE_DIVS)}, workdir, "/info")
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
    table = render_table(bare, results)
    print()
    print(table)
    write_results(bare, results, table, time.time() - started)
    return 0 if ok else 1


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


if __name__ == "__main__":
    sys.exit(main())
