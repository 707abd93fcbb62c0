"""Shared parts of ``bench_load.py`` and ``bench_faults.py``: residents completing the whole
resident questionnaire through gunicorn, and the check that nothing acknowledged is lost.

- :func:`make_plan` walks the questionnaire once in-process (Flask test client, the answers of
  ``tests/survey/helpers.py``) on a scratch SQLite database and records, for every page, the
  fields posted and the answers stored afterwards. Every simulated resident then posts the same
  answers, except a tag of its own in the « Autre langue (précisez) » text of the first page,
  which identifies its response in the database (the resume code is erased when it is sent).
- :class:`Browser` is a small ``http.client`` client (keep-alive, cookies, redirects followed by
  hand so that the status of a POST is known even when the GET after it fails). Each resident
  sends its own ``X-Forwarded-For`` address and the server runs with ``CLS_TRUSTED_PROXIES=1``,
  as behind the town's proxy: the resume form's limit (20 per minute per address) is then per
  resident, not shared by all.
- :func:`resident` is one resident: information page, start, every page, review, send. When a
  request fails (connection reset by a killed worker, HTTP 5xx, timeout), the resident counts
  it, waits, and comes back *on a new device* (no cookie) with its resume code; after a 503 it
  checks that the page is the French « réessayez » page, not a traceback.
- :func:`verify` reads every response of the campaign back and compares it with what each
  resident was told: every acknowledged page (a 302 to the next page after the POST) must be
  stored, and every draft must hold exactly the answers after some whole page (never half a
  page).
"""
from __future__ import annotations

import http.client
import json
import math
import multiprocessing as mp
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_ADMIN = os.environ.get("CLS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SLUG, KEY = "charge", "resident"
BASE = f"/enquete/{SLUG}/{KEY}"
TAG_FIELD = "langues__autre"
PLACEHOLDER = "TAGRESIDENT"
WORKERS = 4
THREADS = 4
TIMEOUT = 30.0
#: A keep-alive connection idle for longer is not reused (gunicorn closes one idle for 2 s; on
#: this loaded machine a request sent on one idle for 0.5 to 1 s was sometimes reset too).
IDLE_REUSE = 0.25
CODE_RE = re.compile(r'class="code"[^>]*>([A-Z0-9-]{14})<')
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version_id" value="(\d+)"')
#: What the 503 page must say (survey_app/web/errors.py), and what it must never show.
RETRY_TEXT = "Réessayez dans quelques instants"
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "OperationalError", "File \"")


# --------------------------------------------------------------------------- the plan

@dataclass
class Plan:
    """The pages of one complete walk: fields posted and answers stored after each."""

    pages: list[tuple[str, list[tuple[str, str]]]]
    #: stored answers after page i (JSON text with PLACEHOLDER for the tag)
    after: list[str]
    #: stored answers once sent
    sent: str

    def index(self, section: str) -> int:
        for i, (sid, _fields) in enumerate(self.pages):
            if sid == section:
                return i
        raise KeyError(section)

    def fields(self, i: int, tag: str) -> list[tuple[str, str]]:
        return [(k, v.replace(PLACEHOLDER, tag)) for k, v in self.pages[i][1]]

    def states(self, tag: str) -> list[dict]:
        """Every whole-page state of a resident's stored answers: none, after page 0, 1, …"""
        return [{}] + [json.loads(s.replace(PLACEHOLDER, tag)) for s in self.after]

    def to_json(self) -> str:
        return json.dumps({"pages": self.pages, "after": self.after, "sent": self.sent})

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        data = json.loads(text)
        return cls([(s, [tuple(p) for p in f]) for s, f in data["pages"]], data["after"], data["sent"])


def create_app_for(url: str):
    from survey_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"},
                      environ={})


def prepare_database(url: str) -> None:
    """Migrate ``url`` and create the open campaign with the resident questionnaire."""
    import flask_migrate

    from survey_app.campaigns import questionnaires
    from survey_app.campaigns import services as campaigns
    from survey_app.extensions import db
    from survey_app.models import CampaignStatus

    app = create_app_for(url)
    with app.app_context():
        flask_migrate.upgrade()
        campaign = campaigns.create_campaign(
            db.session, SLUG, "Charge", organisation="Ville", status=CampaignStatus.OPEN,
            districts=[{"code": "centre", "name": "Centre"}, {"code": "nord", "name": "Nord"}])
        questionnaires.load_file(db.session, campaign, ROOT / "questionnaires" / "resident.yaml")
        db.session.commit()
        db.engine.dispose()


def make_plan(workdir: Path) -> Plan:
    """Walk the resident questionnaire once in-process and record every page (see module doc)."""
    sys.path.insert(0, str(ROOT))
    from werkzeug.datastructures import MultiDict  # noqa: F401

    from survey_app.extensions import db
    from survey_app.models import Response
    from survey_app.survey import answering
    from tests.survey.helpers import Resident, csrf_of

    url = f"sqlite:///{workdir / 'plan.sqlite3'}"
    prepare_database(url)
    app = create_app_for(url)
    pages, after = [], []

    class Recorder(Resident):
        def post(self, url_, data, page):
            if "/page/" in url_:
                fields = [(k, x) for k, v in data.items() if k not in ("version_id",)
                          for x in (v if isinstance(v, list) else [v])]
                if data.get("section_id") == "profil":
                    fields.append((TAG_FIELD, PLACEHOLDER))
                    data = {**data, TAG_FIELD: PLACEHOLDER}
                pages.append((data["section_id"], fields))
            reply = self.client.post(url_, data={"csrf_token": csrf_of(page), **data})
            if "/page/" in url_:
                with app.app_context():
                    response = db.session.query(Response).one()
                    after.append(json.dumps(answering.stored_answers(db.session, response), sort_keys=True))
                    db.session.remove()
            return reply

    with app.app_context():
        survey = answering.find_survey(db.session, SLUG, KEY)
        db.session.remove()
    client = app.test_client()
    walker = Recorder(client, BASE, PLACEHOLDER, overrides={"langues": ["francais", "autre"]})
    walker.walk(survey)
    review = walker.get(f"{BASE}/relecture")
    reply = client.post(f"{BASE}/relecture", data={"csrf_token": csrf_of(review),
                                                   "version_id": VERSION_RE.search(review).group(1)})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/merci"), reply.status_code
    with app.app_context():
        response = db.session.query(Response).one()
        assert response.status.value == "complete", response.status
        sent = json.dumps(answering.stored_answers(db.session, response), sort_keys=True)
        db.session.remove()
        db.engine.dispose()
    assert PLACEHOLDER in after[0], "the tag must be stored with the first page"
    return Plan(pages, after, sent)


# --------------------------------------------------------------------------- the client

class Browser:
    """A minimal browser over ``http.client``: one keep-alive connection and cookies."""

    def __init__(self, base: str, address: str):
        parts = urlsplit(base)
        self.host, self.port, self.address = parts.hostname, parts.port, address
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.used = time.monotonic()

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is not None and self.conn.sock is not None:
            # closed by the server while idle, or about to be: gunicorn closes a keep-alive
            # connection idle for 2 s, and a request sent at that moment is reset (a browser
            # sends it again; here it would count as a cut-off that no fault caused)
            if time.monotonic() - self.used > IDLE_REUSE or select.select([self.conn.sock], [], [], 0)[0]:
                self.conn.close()
                self.conn = None
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.conn

    def request(self, method: str, path: str, data=None) -> tuple[int, str | None, str]:
        headers = {"Accept-Encoding": "identity", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            content = response.read()
        except BaseException:
            conn.close()
            self.conn = None
            raise
        self.used = time.monotonic()
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        location = response.getheader("Location")
        if location:
            target = urlsplit(location)
            location = target.path + (f"?{target.query}" if target.query else "")
        return response.status, location, content.decode("utf-8", "replace")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Failed(Exception):
    """A request that did not get the expected answer: the resident will come back."""

    def __init__(self, what: str, status: int | None = None, text: str = ""):
        super().__init__(what)
        self.status, self.text = status, text


@dataclass
class Outcome:
    """What one resident saw: what the server acknowledged, how often it was cut off."""

    tag: str
    code: str | None = None
    acked: int = -1  # index of the last page acknowledged
    sent: bool = False  # the send was acknowledged (302 to /merci)
    send_unknown: bool = False  # the send was in flight when cut off
    cutoffs: int = 0  # requests that failed (connection, 5xx, timeout)
    resumes: int = 0  # resumed with the code on a new device
    restarts: int = 0  # cut off before having a code: started again
    status_503: int = 0
    bad_503: int = 0  # a 503 page without the French message, or with a trace
    status_500: int = 0
    leaks: int = 0  # any page showing a traceback or a driver's name
    errors: list[str] = field(default_factory=list)  # unexpected answers (not counted as cut-offs)
    latencies: list[tuple[str, float]] = field(default_factory=list)  # (page, seconds) of acknowledged submissions
    failures: list[tuple[float, int]] = field(default_factory=list)  # (time, HTTP status or 0) of each cut-off
    acked_at: list[float] = field(default_factory=list)  # when each acknowledgement arrived
    cut_reasons: list[str] = field(default_factory=list)  # the first cut-offs, for the report
    done: bool = False


def resident(base: str, kind: str, plan: Plan, index: int, think: tuple[float, float], seed: int, deadline: float,
             progress, lock) -> Outcome:
    """One resident completing the questionnaire (``kind`` "survey") or the bare app's flow ("bare")."""
    rng = random.Random(seed)
    tag = f"r{seed}x{index}"
    out = Outcome(tag)
    address = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    if kind == "bare":
        return _bare_resident(base, plan, out, address, rng, think, deadline, progress, lock)
    browser: Browser | None = None
    location: str | None = None
    page_text = ""
    while time.time() < deadline and not out.done:
        try:
            if browser is None:  # a new device
                browser = Browser(base, address)
                if out.code is None:
                    out.restarts += out.cutoffs > 0
                    location, page_text = _start(browser)
                else:
                    location, page_text = _resume(browser, out)
            location, page_text = _walk(browser, plan, out, location, page_text, rng, think, deadline, progress, lock)
        except Failed as failure:
            out.cutoffs += 1
            _note_failure(out, failure)
            if browser is not None:
                browser.close()
            browser = None
            if out.send_unknown:
                _check_sent(base, address, out)
                if out.done:
                    break
            time.sleep(rng.uniform(0.5, 1.5))  # the resident comes back a moment later
    if browser is not None:
        browser.close()
    if not out.done:
        out.errors.append(f"not finished before the deadline (last page acknowledged: {out.acked})")
    return out


def _note_failure(out: Outcome, failure: Failed) -> None:
    out.failures.append((time.time(), failure.status or 0))
    if len(out.cut_reasons) < 2:
        out.cut_reasons.append(str(failure)[:160])
    if failure.status == 503:
        out.status_503 += 1
        if RETRY_TEXT not in failure.text:
            out.bad_503 += 1
    elif failure.status == 500:
        out.status_500 += 1
    if any(leak in failure.text for leak in LEAKS):
        out.leaks += 1
    if failure.status is not None and failure.status not in (500, 502, 503, 504):
        out.errors.append(str(failure)[:200])


def _fetch(browser: Browser, method: str, path: str, data=None) -> tuple[int, str | None, str]:
    try:
        status, location, text = browser.request(method, path, data)
    except (OSError, http.client.HTTPException) as error:
        raise Failed(f"{method} {path}: {error!r}"[:200]) from None
    if status >= 500:
        raise Failed(f"{method} {path}: HTTP {status}", status, text)
    return status, location, text


def _get_page(browser: Browser, path: str) -> str:
    status, location, text = _fetch(browser, "GET", path)
    if status != 200:
        raise Failed(f"GET {path}: HTTP {status} -> {location}", status, text)
    return text


def _token(text: str, what: str) -> str:
    found = TOKEN_RE.search(text)
    if found is None:
        raise Failed(f"{what}: no CSRF token", 0, text)
    return found.group(1)


def _start(browser: Browser) -> tuple[str, str]:
    info = _get_page(browser, BASE)
    status, location, text = _fetch(browser, "POST", f"{BASE}/commencer", {"csrf_token": _token(info, "info")})
    if status != 302 or not location or "/page/" not in location:
        raise Failed(f"start: HTTP {status} -> {location}", status, text)
    return location, _get_page(browser, location)


def _resume(browser: Browser, out: Outcome) -> tuple[str, str]:
    form = _get_page(browser, f"{BASE}/reprendre")
    status, location, text = _fetch(browser, "POST", f"{BASE}/reprendre",
                                    {"csrf_token": _token(form, "resume"), "code": out.code})
    if status != 302 or not location:
        raise Failed(f"resume: HTTP {status} -> {location}", status, text)
    out.resumes += 1
    return location, _get_page(browser, location)


def _check_sent(base: str, address: str, out: Outcome) -> None:
    """After a send cut off: a code the server no longer knows means the answers were sent."""
    browser = Browser(base, address)
    try:
        form = _get_page(browser, f"{BASE}/reprendre")
        status, _location, text = _fetch(browser, "POST", f"{BASE}/reprendre",
                                         {"csrf_token": _token(form, "resume"), "code": out.code})
        if status == 404 and "ne correspond à aucun questionnaire" in text:
            out.done = True  # verify() checks that the response is complete in the database
    except Failed:
        pass
    finally:
        browser.close()


def _walk(browser: Browser, plan: Plan, out: Outcome, location: str, text: str, rng, think, deadline, progress,
          lock) -> tuple[str, str]:
    """From the page shown (``location``), answer every page, then send; raise Failed when cut off."""
    while time.time() < deadline:
        code = CODE_RE.search(text)
        if code is not None:
            out.code = code.group(1)
        if location.endswith("/relecture"):
            time.sleep(rng.uniform(*think))
            out.send_unknown = True
            status, target, reply = _fetch(browser, "POST", f"{BASE}/relecture", {
                "csrf_token": _token(text, "review"), "version_id": VERSION_RE.search(text).group(1)})
            if status != 302 or not target or not target.endswith("/merci"):
                raise Failed(f"send: HTTP {status} -> {target}", status, reply)
            out.sent, out.done, out.send_unknown = True, True, False
            with lock:
                progress.value += 1
            return target, reply
        if "/page/" not in location:
            raise Failed(f"unexpected page {location}", 0, text)
        section = location.rsplit("/page/", 1)[1]
        i = plan.index(section)
        time.sleep(rng.uniform(*think))  # reading and answering the page
        started = time.perf_counter()
        version = VERSION_RE.search(text)
        if version is None:
            raise Failed(f"{section}: no version field", 0, text)
        data = [("csrf_token", _token(text, section)), ("version_id", version.group(1))] + plan.fields(i, out.tag)
        status, target, reply = _fetch(browser, "POST", location, data)
        expected = f"/page/{plan.pages[i + 1][0]}" if i + 1 < len(plan.pages) else "/relecture"
        if status != 302 or not target or not target.endswith(expected):
            raise Failed(f"{section}: HTTP {status} -> {target}", status, reply)
        out.acked = max(out.acked, i)  # acknowledged: the answers must now be in the database
        out.acked_at.append(time.time())
        with lock:
            progress.value += 1
        location, text = target, _get_page(browser, target)
        out.latencies.append((section, time.perf_counter() - started))
    raise Failed("deadline")


def _bare_resident(base, plan, out, address, rng, think, deadline, progress, lock) -> Outcome:
    """The baseline: the same requests against the bare Flask app (survey_bare_app.py)."""
    browser = Browser(base, address)
    try:
        _fetch(browser, "GET", "/info")
        _fetch(browser, "POST", "/start", {"consent": "1"})
        _fetch(browser, "GET", "/next")
        for i, (section, _f) in enumerate(plan.pages + [("relecture", [])]):
            if time.time() > deadline:
                out.errors.append("deadline")
                return out
            time.sleep(rng.uniform(*think))
            started = time.perf_counter()
            status, target, _text = _fetch(browser, "POST", "/page", plan.fields(i, out.tag) if i < len(plan.pages) else [])
            if status != 302 or target != "/next":
                raise Failed(f"bare page: HTTP {status}", status)
            _fetch(browser, "GET", "/next")
            with lock:
                progress.value += 1
            if i < len(plan.pages):
                out.latencies.append((section, time.perf_counter() - started))
                out.acked = i
        out.done = out.sent = True
    except Failed as failure:
        out.errors.append(str(failure))
    finally:
        browser.close()
    return out


def client_process(base: str, kind: str, plan_json: str, first: int, count: int, think, seed: int, start_at: float,
                   stagger: float, deadline: float, progress, results) -> None:
    """``count`` residents (threads) of one load-generator process; their outcomes to ``results``."""
    plan = Plan.from_json(plan_json)
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def run(i: int):
        rng = random.Random(seed * 7919 + i)
        time.sleep(max(0.0, start_at - time.time()) + rng.uniform(0, stagger))
        try:
            outcome = resident(base, kind, plan, first + i, think, seed * 100_000 + first + i, deadline, progress, lock)
        except Exception as error:  # noqa: BLE001 - reported, never hidden
            outcome = Outcome(f"crash{first + i}", errors=[f"client crashed: {error!r}"[:200]])
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.time() + TIMEOUT + 5))
    results.put([o.__dict__ for o in outcomes])


class Load:
    """``residents`` residents in ``procs`` processes against ``base``; started by :meth:`start`."""

    def __init__(self, base: str, kind: str, plan: Plan, residents: int, *, think, seed: int, duration: float,
                 procs: int = 4, stagger: float = 2.0):
        self.ctx = mp.get_context("spawn")
        self.progress = self.ctx.Value("i", 0)
        self.results = self.ctx.Queue()
        self.started = time.time() + 1.0
        self.deadline = self.started + duration
        sizes = [residents // procs + (1 if i < residents % procs else 0) for i in range(procs)]
        firsts = [sum(sizes[:i]) for i in range(procs)]
        self.procs = [self.ctx.Process(target=client_process, daemon=True, args=(
            base, kind, plan.to_json(), firsts[i], sizes[i], think, seed, self.started, stagger, self.deadline,
            self.progress, self.results)) for i in range(procs) if sizes[i]]

    def start(self) -> "Load":
        for proc in self.procs:
            proc.start()
        return self

    def wait_progress(self, count: int) -> bool:
        """Wait until ``count`` pages were acknowledged in all (False at the deadline)."""
        while time.time() < self.deadline:
            if self.progress.value >= count:
                return True
            time.sleep(0.05)
        return False

    def finish(self) -> list[Outcome]:
        outcomes = []
        try:
            for _ in self.procs:
                outcomes += [Outcome(**o) for o in self.results.get(timeout=max(5.0, self.deadline - time.time())
                                                                    + TIMEOUT + 30)]
        finally:
            for proc in self.procs:
                proc.join(10)
                if proc.is_alive():
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.join(5)
        self.wall = time.time() - self.started
        return outcomes


# --------------------------------------------------------------------------- the check

def verify(url: str, plan: Plan, outcomes: list[Outcome]) -> dict:
    """Compare every response in the database with what its resident was acknowledged."""
    from survey_app.extensions import db
    from survey_app.models import Campaign, Response
    from survey_app.survey import answering

    app = create_app_for(url)
    found: dict[str, list[tuple[str, dict]]] = {}
    untagged = 0
    with app.app_context():
        campaign = db.session.query(Campaign).filter_by(slug=SLUG).one()
        for response in db.session.query(Response).filter_by(campaign_id=campaign.id):
            answers = answering.stored_answers(db.session, response)
            tag = answers.get(TAG_FIELD)
            if tag is None:
                untagged += 1  # a draft whose first page was never stored (cut off at the start)
                if answers:
                    found.setdefault("?", []).append((response.status.value, answers))
                continue
            found.setdefault(tag, []).append((response.status.value, answers))
        db.session.remove()
        db.engine.dispose()
    report = {"responses": sum(len(v) for v in found.values()) + untagged, "untagged_drafts": untagged,
              "acknowledged_pages": 0, "pages_stored": 0, "lost": 0, "corrupted": 0, "duplicates": 0,
              "sent_acknowledged": 0, "complete": 0, "problems": []}
    if "?" in found:
        report["corrupted"] += len(found["?"])
        report["problems"].append(f"{len(found['?'])} response(s) with answers but no tag")
    for out in outcomes:
        rows = found.get(out.tag, [])
        report["acknowledged_pages"] += out.acked + 1
        report["sent_acknowledged"] += out.sent
        if len(rows) > 1:
            report["duplicates"] += 1
            report["problems"].append(f"{out.tag}: {len(rows)} responses")
        if not rows:
            if out.acked >= 0:
                report["lost"] += out.acked + 1
                report["problems"].append(f"{out.tag}: no response, {out.acked + 1} pages acknowledged")
            continue
        status, answers = rows[0]
        states = plan.states(out.tag)
        sent = json.loads(plan.sent.replace(PLACEHOLDER, out.tag))
        if status == "complete":
            report["complete"] += 1
            if answers != sent:
                report["corrupted"] += 1
                report["problems"].append(f"{out.tag}: complete response differs from the answers sent")
            else:
                report["pages_stored"] += out.acked + 1
            continue
        if out.sent:
            report["lost"] += 1
            report["problems"].append(f"{out.tag}: send acknowledged, response still {status}")
        whole = [j for j, state in enumerate(states) if state == answers]
        if not whole:
            report["corrupted"] += 1
            report["problems"].append(f"{out.tag}: draft holds no whole-page state ({len(answers)} answers)")
            continue
        stored_upto = max(whole) - 1  # index of the last page whose answers are all there
        if stored_upto < out.acked:
            report["lost"] += out.acked - stored_upto
            report["problems"].append(f"{out.tag}: {out.acked + 1} pages acknowledged, {stored_upto + 1} stored")
        report["pages_stored"] += min(out.acked, stored_upto) + 1
    return report


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app_spec: str, env: dict, *, cwd: str, probe: str, log: Path | None = None,
          workers: int = WORKERS) -> tuple[subprocess.Popen, str]:
    """gunicorn, ``workers`` gthread workers × THREADS threads, on a free loopback port."""
    port = free_port()
    args = [GUNICORN, "-w", str(workers), "-k", "gthread", "--threads", str(THREADS), "-b", f"127.0.0.1:{port}",
            "--backlog", "512", "--log-level", "warning", "--timeout", "60", app_spec]
    output = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, **env}, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        try:
            ok = 0
            for _ in range(2 * workers):
                browser = Browser(url, "127.0.0.1")
                status, _l, _t = browser.request("GET", probe)
                browser.close()
                ok += status == 200
            if ok == 2 * workers:
                return proc, url
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"gunicorn did not start ({app_spec}); see {log}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers (children) of ``master``."""
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        try:
            children += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(children)


def server_env(url: str) -> dict:
    import secrets

    return {"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "bench-" + secrets.token_hex(8), "CLS_TRUSTED_PROXIES": "1",
            "CLS_JOBS_IMMEDIATE": "0", "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}


# --------------------------------------------------------------------------- figures

def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, math.ceil(q * len(values)) - 1)] * 1000 if values else float("nan")


def page_latencies(outcomes: list[Outcome]) -> dict[str, list[float]]:
    by_page: dict[str, list[float]] = {}
    for out in outcomes:
        for page, seconds in out.latencies:
            by_page.setdefault(page, []).append(seconds)
    return by_page


def summary(outcomes: list[Outcome]) -> dict:
    """Totals over the residents."""
    keys = ("cutoffs", "resumes", "restarts", "status_503", "bad_503", "status_500", "leaks")
    totals = {k: sum(getattr(o, k) for o in outcomes) for k in keys}
    totals["finished"] = sum(o.done for o in outcomes)
    totals["sent"] = sum(o.sent for o in outcomes)
    totals["errors"] = sum(len(o.errors) for o in outcomes)
    totals["samples"] = [e for o in outcomes for e in o.errors][:5]
    totals["cut_samples"] = [e for o in outcomes for e in o.cut_reasons][:3]
    totals["residents"] = len(outcomes)
    return totals


def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu(master: int, database: str | None = None) -> tuple[float, float]:
    """CPU seconds of a gunicorn master and its live workers, and of the PostgreSQL backends
    connected to ``database`` (not the shared server's other databases)."""
    server = proc_cpu(master) + sum(proc_cpu(pid) for pid in worker_pids(master))
    backends = 0.0
    if database:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if line.startswith("postgres:") and f" {database} " in line:
                    backends += proc_cpu(int(entry.name))
    return server, backends


def load_average() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
