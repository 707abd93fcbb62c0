"""Benchmark: an agent saves a keyed paper form and the next one is ready.

What is measured
----------------
*Save and next* = the POST of the last page of a paper form (CSRF check, the whole form
read and checked with the questionnaire's rules, the response, its answers, the paper
form and its entry stored in one transaction, 302) plus the GET of the entry screen it
redirects to (the count of forms keyed today, the agent's last entries, the serial field
ready). The service is served by gunicorn (2 workers, gthread with 4 threads each) on
SQLite and on PostgreSQL (a temporary database, created and dropped). Also reported:
*page to page*, the POST of any other page of the form (its section checked, the next
section rendered: no database write).

Baseline, in the same run and served the same way: a bare Flask app answering the same
HTTP exchange (POST of a form of the same size → 302 → GET of a page of the same size).

Load, two phases on the same warm server: one agent alone (the service time without a
queue), then ``AGENTS`` agents at once (threads in ``PROCS`` spawned processes, each a small
``http.client`` browser with keep-alive and cookies), each signed in with its own
account, keying forms one after another: the serial, then each page of the demo's resident
questionnaire, with a think time drawn uniformly in ``THINK`` seconds before each page
(agents key fast: a real agent takes a minute or more per form, so this is many times the
load of ``AGENTS`` real agents). Timed window: ``DURATION`` s after ``WARMUP`` s. Errors
(unexpected status, a page other than the expected one) are counted, and the forms
acknowledged (302 to the entry screen) are compared with the paper forms stored.

Run: ``.venv/bin/python bench/bench_entry.py`` (``BENCH_QUICK=1`` for a short run).
Writes bench/RESULTS_entry.md. PostgreSQL: 127.0.0.1:5432, user postgres (trust);
``CLS_BENCH_POSTGRES_URL`` overrides; skipped (and said so) when unreachable. Every
process started here (gunicorn masters, client processes) is stopped by its PID.
"""
from __future__ import annotations

import datetime as dt
import json
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
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
AGENTS, PROCS = 12, 2
THINK = (0.2, 0.6)
#: One agent alone, keying as fast as a script: the service time with no queue.
ALONE_THINK = (0.05, 0.15)
WARMUP = 4.0 if QUICK else 8.0
DURATION = 10.0 if QUICK else 45.0
WORKERS, THREADS = 2, 4
PASSWORD = "mot-de-passe-du-banc"
PG_ADMIN = os.environ.get("CLS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
#: Measured by tests/browser/test_entry_browser.py (it prints the figures): update with it.
KEYSTROKES = (
    "A scripted agent keys the demo's resident questionnaire in full in Chromium with the keyboard alone "
    "(tests/browser/test_entry_browser.py, 2026-12-01): 72 answers, the serial and Enter, one code per answer "
    "and Enter or Tab to move on, skipped questions jumped over. 215 keys pressed for an ideal of 208 "
    "(one code per answer + one key to move on): **1.03 × the ideal** with the serial, 1.00 × without it "
    "(target ≤ 1.3 ×). No mouse event."
)
#: What the agents type (field -> text); other questions are left empty.
KEYED = {
    "age": "4", "sexe": "f", "quartier": "2", "anciennete": "3", "foyer": "2", "foyer_nb": "2", "occupation": "1",
    "logement": "3", "couverture": "1", "langues": "01", "etat_sante": "2", "limitation": "3",
    "medecin_traitant": "1", "mt_depart": "2", "delai_generaliste": "2", "difficultes_specialistes": "0102",
    "dentiste_dernier": "1", "renoncement": "2", "urgences": "0", "teleconsultation": "5",
    "who5.bonne_humeur": "3", "who5.calme": "4", "stress": "4", "solitude": "2", "besoin_psy": "2",
    "vaccins": "1", "activite_jours": "4", "tabac": "4", "alcool": "2", "aidant": "3", "sources_info": "12",
    "priorites_ville": "010203", "problemes_quartier": "Trop de bruit la nuit", "participation": "2",
}
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(section|state|serial|version_id)" value="([^"]*)"')
FIELD = re.compile(r'name="k-([^"]+)"')


def unescape(text: str) -> str:
    return (text.replace("&#34;", '"').replace("&quot;", '"').replace("&#39;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


# --------------------------------------------------------------------------- the bare baseline

def bare_app():
    """The same HTTP exchange without the service: POST of a form → 302 → GET of a page."""
    from flask import Flask, redirect, request

    app = Flask("bare")
    page = "<!doctype html><html><body>" + "<div>" + "x" * 190 + "</div>" * 1 + "</body></html>"
    body = page.replace("<div>", "<div>" * 1) * 40

    @app.post("/save")
    def save():
        request.form.to_dict()
        return redirect("/next")

    @app.get("/next")
    def next_page():
        return body

    return app


# --------------------------------------------------------------------------- agents

def agent_thread(base, kind, email, index, think, t0, warmup, duration, out):
    from survey_clients import Browser

    rng = random.Random(1000 + index)
    browser = Browser(base)
    saves, pages, errors, forms, samples = [], [], 0, 0, []
    requests = 0
    start_w = t0 + warmup
    end_w = start_w + duration
    try:
        if kind == "bare":
            while time.time() < end_w:
                time.sleep(rng.uniform(*think))
                began = time.perf_counter()
                reply = browser.fetch("POST", "/save", {f"k-{k}": v for k, v in KEYED.items()} | {"state": "x" * 1500})
                elapsed = time.perf_counter() - began
                if reply.first != 302 or reply.status != 200:
                    errors += 1
                elif start_w <= time.time() <= end_w:
                    saves.append(elapsed)
            return
        login = browser.fetch("GET", "/connexion")
        token = TOKEN.search(login.text).group(1)
        reply = browser.fetch("POST", "/connexion", {"csrf_token": token, "email": email, "password": PASSWORD})
        if reply.first != 302:
            raise RuntimeError(f"login failed: {reply.status}")
        screen = browser.fetch("GET", "/saisie/bench/")
        number, prefix = 0, secrets.token_hex(3)  # serials never met before, whatever the phase
        while time.time() < end_w:
            number += 1
            token = TOKEN.search(screen.text).group(1)
            time.sleep(rng.uniform(*think))
            page = browser.fetch("POST", "/saisie/bench/", {"csrf_token": token, "serial": f"{prefix}-{index}-{number}"})
            requests += 1
            if page.status != 200 or "entry-form" not in page.text:
                errors += 1
                samples.append(f"start {page.status}")
                screen = browser.fetch("GET", "/saisie/bench/")
                continue
            while True:
                hidden = {k: unescape(v) for k, v in HIDDEN.findall(page.text)}
                data = dict(hidden, csrf_token=TOKEN.search(page.text).group(1), action="next")
                data.update({f"k-{n}": KEYED[n] for n in set(FIELD.findall(page.text)) if n in KEYED})
                last = "Enregistrer le questionnaire" in page.text
                time.sleep(rng.uniform(*think))
                began = time.perf_counter()
                reply = browser.fetch("POST", "/saisie/bench/questionnaire", data)
                elapsed = time.perf_counter() - began
                requests += 2 if reply.first == 302 else 1
                in_window = start_w <= time.time() <= end_w
                if last:
                    if reply.first == 302 and reply.status == 200 and "enregistré" in reply.text:
                        forms += 1
                        if in_window:
                            saves.append(elapsed)
                    else:
                        errors += 1
                        samples.append(f"save {reply.first} {reply.status}")
                        reply = browser.fetch("GET", "/saisie/bench/")
                    screen = reply
                    break
                if reply.status != 200 or "entry-form" not in reply.text:
                    errors += 1
                    samples.append(f"page {reply.status}")
                    screen = browser.fetch("GET", "/saisie/bench/")
                    break
                if in_window:
                    pages.append(elapsed)
                page = reply
    except Exception as error:  # counted and reported, never hidden
        errors += 1
        samples.append(repr(error)[:200])
    finally:
        browser.close()
        out.append({"saves": saves, "pages": pages, "errors": errors, "forms": forms, "samples": samples[:3],
                    "requests": requests})


def client_process(base, kind, emails, first_index, think, ready, go, t0_value, warmup, duration, results):
    import threading

    out: list = []
    ready.put(1)
    go.wait()
    threads = [threading.Thread(target=agent_thread, args=(base, kind, email, first_index + i, think, t0_value.value,
                                                           warmup, duration, out)) for i, email in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def run_load(base: str, kind: str, emails: list[str], think=THINK) -> dict:
    ctx = mp.get_context("spawn")
    ready, results, go, t0 = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    per = math.ceil(len(emails) / min(PROCS, len(emails)))
    groups = [emails[i:i + per] for i in range(0, len(emails), per)]
    procs = [ctx.Process(target=client_process, daemon=True,
                         args=(base, kind, group, i * per, think, ready, go, t0, WARMUP, DURATION, results))
             for i, group in enumerate(groups)]
    outs = []
    try:
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=60)
        t0.value = time.time() + 0.2
        go.set()
        for _ in procs:
            outs.extend(results.get(timeout=WARMUP + DURATION + 120))
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
                proc.join(5)
    saves = sorted(x for o in outs for x in o["saves"])
    pages = sorted(x for o in outs for x in o["pages"])

    def pct(values, q):
        return values[max(0, math.ceil(q * len(values)) - 1)] * 1000 if values else float("nan")

    return {"saves": len(saves), "save_p50": pct(saves, 0.5), "save_p99": pct(saves, 0.99),
            "pages": len(pages), "page_p50": pct(pages, 0.5), "page_p99": pct(pages, 0.99),
            "errors": sum(o["errors"] for o in outs), "forms": sum(o["forms"] for o in outs),
            "requests": sum(o["requests"] for o in outs),
            "samples": [s for o in outs for s in o["samples"]][:5]}


# --------------------------------------------------------------------------- servers and databases

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(spec: str, env: dict, probe: str) -> tuple[subprocess.Popen, str]:
    from survey_clients import Browser

    port = free_port()
    proc = subprocess.Popen([GUNICORN, "-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS),
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", spec],
                            cwd=str(BENCH if spec.startswith("bench_entry") else ROOT), env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        try:
            for _ in range(4):
                browser = Browser(url)
                browser.fetch("GET", probe)
                browser.close()
            return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"gunicorn did not start ({spec})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)


def prepare(url: str) -> list[str]:
    import flask_migrate

    from survey_app import create_app
    from survey_app.accounts import services as users
    from survey_app.campaigns import questionnaires, services as campaigns
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, environ={})
    emails = []
    with app.app_context():
        flask_migrate.upgrade()
        campaign = campaigns.create_campaign(
            db.session, "bench", "Bench", organisation="Ville", status=CampaignStatus.OPEN,
            districts=[{"code": "centre", "name": "Centre"}, {"code": "nord", "name": "Nord"}])
        questionnaires.load_file(db.session, campaign, ROOT / "questionnaires" / "resident.yaml")
        for n in range(AGENTS):
            user = users.create_user(db.session, f"agent{n}@bench.test", PASSWORD, "agent", display_name=f"Agent {n}")
            campaigns.add_member(db.session, campaign, user)
            emails.append(user.email)
        db.session.commit()
        db.engine.dispose()
    return emails


def stored_forms(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("select count(*) from paper_form")).scalar_one()
    engine.dispose()
    return count


def run_backend(name: str, url: str) -> dict:
    emails = prepare(url)
    env = {"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "bench-" + secrets.token_hex(8),
           "CLS_LOGIN_RATE_LIMIT": "10000 per minute"}
    from survey_cpu import tree_cpu

    proc, base = serve("survey_app:create_app()", env, "/connexion")
    results = []
    try:
        for agents, think in ((1, ALONE_THINK), (AGENTS, THINK)):
            cpu0, wall0 = tree_cpu(proc.pid), time.time()
            result = run_load(base, "entry", emails[:agents], think)
            cpu, wall = tree_cpu(proc.pid) - cpu0, time.time() - wall0
            # server CPU over the whole phase (sign-in and warm-up included), per request served
            result["cpu_ms"] = cpu / (result["requests"] or 1) * 1000
            result["cpu_share"] = cpu / wall * 100
            result["server"] = f"{name}, {agents} agent{'s' if agents > 1 else ''}"
            results.append(result)
    finally:
        stop(proc)
    stored = stored_forms(url)
    results[-1]["stored"] = stored - sum(r["forms"] for r in results[:-1])
    for r in results[:-1]:
        r["stored"] = r["forms"] if stored >= sum(x["forms"] for x in results) else "?"
    return results


def postgres_url() -> tuple[str | None, str | None, object]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"cls_bench_entry_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # reported in the results
        return None, str(error).splitlines()[0], None
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name, admin


def main() -> int:
    from sqlalchemy import text

    began = time.time()
    rows = []
    proc, base = serve("bench_entry:bare_app()", {}, "/next")
    try:
        bare = run_load(base, "bare", [f"bare{n}" for n in range(AGENTS)])
    finally:
        stop(proc)
    bare["server"] = "bare Flask (same POST → 302 → GET)"
    rows.append(bare)
    with tempfile.TemporaryDirectory() as folder:
        rows.extend(run_backend("entry, SQLite", f"sqlite:///{folder}/bench.sqlite3"))
    url, name, admin = postgres_url()
    pg_note = ""
    if url is None:
        pg_note = f"PostgreSQL skipped: {name}"
    else:
        try:
            rows.extend(run_backend("entry, PostgreSQL", url))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    write_results(rows, time.time() - began, pg_note)
    print((BENCH / "RESULTS_entry.md").read_text(encoding="utf-8"))
    entry_rows = [r for r in rows if r["server"].startswith("entry")]
    return 0 if all(r["errors"] == 0 and r["save_p99"] < 150 and r["forms"] == r["stored"] for r in entry_rows) else 1


def write_results(rows: list[dict], seconds: float, pg_note: str) -> None:
    load = os.getloadavg()
    lines = [
        "# Paper entry benchmark: save a form and show the next one (bench/bench_entry.py)",
        "",
        f"Run on {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPU(s), {'quick' if QUICK else 'full'} mode, "
        f"{seconds:.0f} s in all; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(the machine is shared).",
        f"gunicorn: {WORKERS} workers, gthread with {THREADS} threads each, on 127.0.0.1. One agent alone "
        f"(think time {ALONE_THINK[0]}–{ALONE_THINK[1]} s before each page), then {AGENTS} agents keying at once "
        f"(think time {THINK[0]}–{THINK[1]} s) in {PROCS} client processes; each phase {DURATION:.0f} s measured "
        f"after {WARMUP:.0f} s of warm-up.",
        "",
        "| server | save and next: n | p50 (ms) | p99 (ms) | page to page: n | p50 (ms) | p99 (ms) | errors "
        "| forms acknowledged | forms stored | server CPU ms/request | server CPU (% of a core) | target p99 < 150 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        entry = r["server"].startswith("entry")
        page = (f"{r['pages']} | {r['page_p50']:.1f} | {r['page_p99']:.1f}" if entry else "– | – | –")
        target = ("met" if r["save_p99"] < 150 and r["errors"] == 0 else "missed") if entry else "–"
        tail = (f"{r['forms']} | {r['stored']} | {r['cpu_ms']:.1f} | {r['cpu_share']:.0f} | {target}" if entry
                else "– | – | – | – | –")
        lines.append(f"| {r['server']} | {r['saves']} | {r['save_p50']:.1f} | {r['save_p99']:.1f} | {page} | "
                     f"{r['errors']} | {tail} |")
    if pg_note:
        lines += ["", pg_note]
    samples = [s for r in rows for s in r["samples"]]
    if samples:
        lines += ["", "Error samples: " + "; ".join(samples[:5])]
    lines += [
        "",
        "Targets: save and next p99 < 150 ms, no error, every acknowledged form stored. The bare app's p99 shows",
        "what the machine alone adds: the server CPU per request is the figure that does not depend on the other",
        "jobs sharing the two cores (sign-in and warm-up requests included in it).",
        "",
        "## Keystrokes",
        "",
        KEYSTROKES,
        "",
    ]
    (BENCH / "RESULTS_entry.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
