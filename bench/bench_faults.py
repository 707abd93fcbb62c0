"""Benchmark of faults: a worker killed, PostgreSQL stopped, a job consumer killed, under load.

Three scenarios, each bounded in time, on loopback only; each prints what it found and the
script exits 1 when any check fails.

1. **Worker killed** (SQLite and PostgreSQL): the load of ``bench_load.py`` (``RESIDENTS``
   residents completing the resident questionnaire, gunicorn 4 gthread workers × 4 threads),
   and ``kill -9`` of one gunicorn worker when 30 % of the pages are acknowledged, of another
   at 60 %. Residents whose request was cut off (reset connection, or no answer) come back on
   a new device and resume with their code (``_load_common.resident``). Checked: every page
   acknowledged is stored, every draft holds the answers after a whole page (no half page),
   every resident finishes and is sent once, no other error.
2. **PostgreSQL stopped** during the load: a throwaway PostgreSQL cluster of our own
   (``initdb`` into a temporary folder, run as the ``postgres`` user on port ``55432``; the
   machine's shared server is never touched), the app on it, ``pg_ctl stop -m immediate``
   at 30 % of the pages, started again ``OUTAGE`` s later. Checked: every failed page is a
   503 with the French « Réessayez dans quelques instants » and no trace (no 500), nothing
   acknowledged lost, every resident finishes, and the service recovers by itself (gunicorn
   is not restarted): the time from the restart to the last 5xx seen is printed.
3. **Job consumer killed** during a report job: the demo campaign (150 responses), a real
   ``flask jobs consumer`` running the report job, ``kill -9`` when the job has made progress,
   a new consumer started at once (as a supervisor would). Checked: the job is run again
   (attempt 2) and ends done, and is never left "running": the time it stays running after the
   kill is bounded by ``CLS_JOBS_STALE_SECONDS`` (5 s here) plus the consumer's minute check.

Baseline for the ratio: the same load without any fault, in the same run, on SQLite (printed:
wall time of the faulty runs against it).

Run: ``.venv/bin/python bench/bench_faults.py`` (``BENCH_QUICK=1``: 60 residents;
``BENCH_FAULTS=kill,outage,consumer`` picks scenarios). Every process started here is stopped
by its PID, the databases dropped and the cluster removed, also on failure.
"""
from __future__ import annotations

import datetime
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

from _load_common import (PG_ADMIN, QUICK, ROOT, Load, load_average, make_plan, page_latencies, percentile,  # noqa: E402
                          prepare_database, serve, server_env, stop, summary, verify, worker_pids)

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "60" if QUICK else "200"))
THINK = (0.5, 1.5) if QUICK else (1.0, 3.0)
DURATION = 150.0 if QUICK else 240.0
SEED = 20261202
OUTAGE = 5.0
PG_PORT = int(os.environ.get("BENCH_FAULTS_PG_PORT", "55432"))
STALE = 5.0
FAULTS = [f for f in os.environ.get("BENCH_FAULTS", "kill,outage,consumer").split(",") if f]


def page_count(plan) -> int:
    return RESIDENTS * (len(plan.pages) + 1)


# --------------------------------------------------------------------------- loads

def loaded(name: str, url: str, plan, workdir: Path, fault=None) -> dict:
    """Serve the survey on ``url``, run the load, call ``fault(load, master_pid)`` meanwhile."""
    log = workdir / f"gunicorn-{name}.log"
    proc, base = serve("survey_app:create_app()", server_env(url), cwd=str(ROOT), probe="/enquete/charge/resident",
                       log=log)
    before = load_average()
    events: dict = {}
    try:
        load = Load(base, "survey", plan, RESIDENTS, think=THINK, seed=SEED, duration=DURATION).start()
        if fault is not None:
            try:
                fault(load, proc.pid, events)
            except Exception as error:  # noqa: BLE001 - reported as a failure below
                events["fault_error"] = repr(error)
        outcomes = load.finish()
        events["server_alive"] = proc.poll() is None
    finally:
        stop(proc)
    trace = log.read_text(errors="replace") if log.exists() else ""
    by_page = page_latencies(outcomes)
    return {"name": name, "summary": summary(outcomes), "check": verify(url, plan, outcomes), "wall": load.wall,
            "all": [x for v in by_page.values() for x in v], "load": (before, load_average()), "events": events,
            "outcomes": outcomes, "log_tracebacks": trace.count("Traceback"),
            "log_errors": sorted({line[:200] for line in trace.splitlines()
                                  if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Shutdown)\b", line)})[:6]}


def kill_workers(plan):
    def fault(load: Load, master: int, events: dict) -> None:
        events["killed"] = []
        for share in (0.3, 0.6):
            if not load.wait_progress(int(share * page_count(plan))):
                raise RuntimeError(f"load never reached {share:.0%} of the pages")
            workers = worker_pids(master)
            victim = workers[len(events["killed"]) % len(workers)]
            os.kill(victim, signal.SIGKILL)
            events["killed"].append((victim, time.time(), load.progress.value))
    return fault


# --------------------------------------------------------------------------- our own PostgreSQL

class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the ``postgres`` user."""

    def __init__(self, port: int):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("no /usr/lib/postgresql/*/bin/initdb")
        self.bin = Path(found[-1]).parent
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="bench-faults-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_user = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/cls_faults"

    def _run(self, *args, check=True, timeout=60):
        return subprocess.run([*self.as_user, *map(str, args)], check=check, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def init(self) -> None:
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._run(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "cls_faults")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=100"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def outage(cluster: Cluster, plan):
    def fault(load: Load, master: int, events: dict) -> None:
        if not load.wait_progress(int(0.3 * page_count(plan))):
            raise RuntimeError("load never reached 30 % of the pages")
        events["stopped_at"] = time.time()
        events["progress_at_stop"] = load.progress.value
        cluster.stop("immediate")
        time.sleep(OUTAGE)
        cluster.start()
        events["started_at"] = time.time()
    return fault


# --------------------------------------------------------------------------- job consumer

def consumer_scenario(workdir: Path) -> dict:
    """A report job; its consumer killed with SIGKILL mid-job; a new consumer started at once."""
    from survey_app import create_app
    from survey_app.campaigns.demo import setup_demo
    from survey_app.extensions import db
    from survey_app.jobs import JobState, start_job
    from survey_app.models import Job
    from survey_app.report.services import REPORT_JOB

    import flask_migrate

    url = f"sqlite:///{workdir / 'jobs-db.sqlite3'}"
    settings = {"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "bench-" + secrets.token_hex(8),
                "CLS_JOBS_FILE": str(workdir / "huey.sqlite3"), "CLS_JOBS_QUEUE_NAME": "bench-faults",
                "CLS_JOBS_STALE_SECONDS": str(STALE), "CLS_JOBS_IMMEDIATE": "0"}
    app = create_app(environ=settings)
    with app.app_context():
        flask_migrate.upgrade()
        campaign = setup_demo(db.session, questionnaires_dir=ROOT / "questionnaires", responses=150).campaign
        db.session.commit()
        job_id = start_job(db.session, campaign, REPORT_JOB, params={}).id
        db.session.remove()

    def job_row():
        with app.app_context():
            row = db.session.get(Job, job_id)
            found = (row.state, row.attempts, row.progress, row.message, row.error)
            db.session.remove()
            return found

    env = {**os.environ, **settings, "FLASK_APP": "wsgi", "PYTHONPATH": str(ROOT)}
    consumers, timeline = [], []

    def consumer(name: str) -> subprocess.Popen:
        log = open(workdir / f"{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "consumer"], cwd=str(ROOT), env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        consumers.append(proc)
        return proc

    result = {"job_id": job_id}
    try:
        first = consumer("consumer-1")
        deadline = time.time() + 240
        while time.time() < deadline:
            state, attempts, progress, message, _e = job_row()
            if state is JobState.RUNNING and progress >= 0.2:
                break
            if state in (JobState.DONE, JobState.FAILED):
                raise RuntimeError(f"job ended before it could be killed: {state}")
            time.sleep(0.2)
        else:
            raise RuntimeError("the report job never got under way")
        result["killed_at_progress"] = (progress, message)
        os.kill(first.pid, signal.SIGKILL)
        killed = time.time()
        first.wait(10)
        consumer("consumer-2")
        last = None
        while time.time() < killed + 300:
            state, attempts, progress, message, error = job_row()
            if (state, attempts) != last:
                timeline.append((round(time.time() - killed, 1), state.value, attempts, message))
                last = (state, attempts)
            if state in (JobState.DONE, JobState.FAILED):
                break
            time.sleep(0.2)
        result.update(state=state.value, attempts=attempts, error=error, timeline=timeline,
                      running_after_kill=next((t for t, s, a, _m in timeline if s != "running"), None),
                      finished_after_kill=round(time.time() - killed, 1))
    finally:
        for proc in consumers:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        with app.app_context():
            db.engine.dispose()
    result["passed"] = result.get("state") == "done" and result.get("attempts") == 2
    return result


# --------------------------------------------------------------------------- report

def describe(r: dict) -> str:
    s, c = r["summary"], r["check"]
    return (f"{r['name']}: {s['sent']}/{s['residents']} sent in {r['wall']:.0f} s; p50 {percentile(r['all'], .5):.0f} ms, "
            f"p99 {percentile(r['all'], .99):.0f} ms; cut off {s['cutoffs']} times (503 {s['status_503']}, "
            f"503 without the French message {s['bad_503']}, 500 {s['status_500']}, pages showing a trace {s['leaks']}), "
            f"resumed with the code {s['resumes']}, started again {s['restarts']}; other errors {s['errors']}\n"
            f"  database: {c['responses']} responses ({c['complete']} complete, {c['untagged_drafts']} empty drafts), "
            f"acknowledged pages {c['acknowledged_pages']}, stored {c['pages_stored']}, lost {c['lost']}, "
            f"corrupted {c['corrupted']}, duplicates {c['duplicates']}; server log tracebacks {r['log_tracebacks']}; "
            f"load {r['load'][0]} -> {r['load'][1]}"
            + "".join(f"\n  ! {p}" for p in c["problems"][:5]) + "".join(f"\n  error: {e}" for e in s["samples"])
            + "".join(f"\n  cut off: {e}" for e in s["cut_samples"])
            + (f"\n  fault: {r['events']['fault_error']}" if "fault_error" in r["events"] else "")
            + "".join(f"\n  in the server's log: {e}" for e in r["log_errors"]))


def passed(r: dict, *, outage: bool = False) -> bool:
    s, c = r["summary"], r["check"]
    ok = (s["errors"] == 0 and s["sent"] == s["residents"] and c["lost"] == 0 and c["corrupted"] == 0
          and c["duplicates"] == 0 and s["leaks"] == 0 and s["bad_503"] == 0 and "fault_error" not in r["events"]
          and r["events"].get("server_alive", False))
    if outage:
        ok &= s["status_500"] == 0 and s["status_503"] > 0
    else:
        ok &= s["status_500"] == 0 and r["log_tracebacks"] == 0
    return ok


class _Skip(Exception):
    pass


def main() -> int:
    from sqlalchemy import create_engine, text

    started = time.time()
    workdir = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(f"bench_faults: {RESIDENTS} residents, think {THINK[0]}-{THINK[1]} s, faults {FAULTS}; "
          f"load average {load_average()}", flush=True)
    runs, lines, ok = [], [], True
    try:
        plan = make_plan(workdir)
        if "kill" in FAULTS or "outage" in FAULTS:
            url = f"sqlite:///{workdir / 'baseline.sqlite3'}"
            prepare_database(url)
            baseline = loaded("SQLite, no fault (baseline)", url, plan, workdir)
            print(describe(baseline), flush=True)
            ok &= passed(baseline)
            runs.append(baseline)
        if "kill" in FAULTS:
            url = f"sqlite:///{workdir / 'kill.sqlite3'}"
            prepare_database(url)
            r = loaded("SQLite, 2 workers killed", url, plan, workdir, kill_workers(plan))
            print(describe(r), flush=True)
            r["passed"] = passed(r)
            ok &= r["passed"]
            runs.append(r)
            name = "cls_bench_faults_" + secrets.token_hex(4)
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            try:
                try:
                    with admin.connect() as connection:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
                except Exception as error:  # noqa: BLE001 - no PostgreSQL server here: said, not fatal
                    print(f"PostgreSQL worker kill skipped: {error!r}"[:300])
                    raise _Skip() from None
                pg_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
                prepare_database(pg_url)
                r = loaded("PostgreSQL, 2 workers killed", pg_url, plan, workdir, kill_workers(plan))
                print(describe(r), flush=True)
                r["passed"] = passed(r)
                ok &= r["passed"]
                runs.append(r)
            except _Skip:
                pass
            finally:
                try:
                    with admin.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception as error:  # noqa: BLE001
                    print(f"could not drop {name}: {error!r}"[:300])
                admin.dispose()
        cluster = None
        if "outage" in FAULTS:
            try:
                cluster = Cluster(PG_PORT)
                cluster.init()
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"PostgreSQL outage skipped: no throwaway cluster could be started ({error!r})"[:300])
                if cluster is not None:
                    cluster.remove()
                cluster = None
        if cluster is not None:
            try:
                prepare_database(cluster.url)
                r = loaded(f"PostgreSQL (own cluster, port {PG_PORT}) stopped {OUTAGE:.0f} s", cluster.url, plan,
                           workdir, outage(cluster, plan))
            finally:
                cluster.remove()
            events = r["events"]
            fails = sorted(t for o in r["outcomes"] for t, status in o.failures if status >= 500)
            if "started_at" in events:
                after = [t for o in r["outcomes"] for t in o.acked_at if t > events["started_at"]]
                events["first_ack_after_restart"] = min(after) - events["started_at"] if after else None
                events["last_5xx_after_restart"] = (fails[-1] - events["started_at"]) if fails else None
            print(describe(r), flush=True)
            print(f"  outage: {len(fails)} 5xx answers; first page acknowledged {events.get('first_ack_after_restart')}"
                  f" s after the restart, last 5xx {events.get('last_5xx_after_restart')} s after it (server never "
                  f"restarted: {events.get('server_alive')})", flush=True)
            r["passed"] = passed(r, outage=True) and events.get("first_ack_after_restart") is not None
            ok &= r["passed"]
            runs.append(r)
        if "consumer" in FAULTS:
            job = consumer_scenario(workdir)
            print(f"job consumer killed: job {job['job_id']} killed at progress {job.get('killed_at_progress')}; "
                  f"final state {job.get('state')} after {job.get('attempts')} attempts, "
                  f"{job.get('finished_after_kill')} s after the kill; timeline {job.get('timeline')}"
                  + ("  [ok]" if job["passed"] else f"  [FAILED: {job.get('error')}]"), flush=True)
            ok &= job["passed"]
            lines.append(job)
    finally:
        if os.environ.get("BENCH_KEEP") == "1":
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    base = next((r for r in runs if "baseline" in r["name"]), None)
    for r in runs:
        if base is not None and r is not base:
            print(f"RATIO {r['name']}: wall {r['wall'] / base['wall']:.2f}x the run without fault, p99 "
                  f"{percentile(r['all'], .99) / percentile(base['all'], .99):.1f}x"
                  + ("  [ok]" if r.get("passed") else "  [FAILED]"))
    print(f"bench_faults: {'every check passed' if ok else 'FAILED'} in {time.time() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    # a SIGTERM (make interrupted) unwinds like an exception: servers stopped, databases dropped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
