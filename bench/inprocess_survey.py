"""The resident's flow of bench_survey.py driven in one process, without HTTP: a probe, not a benchmark.

Each resident: GET of the information page, POST "commencer" → GET of page 1, then the
three pages of ``bench_survey.PAGES`` (POST → GET of the next page), through the WSGI
app itself (no server, no sockets on the app's side). Prints the process's CPU time per
page (a page = POST + next GET + a third of the start), after ``WARMUP`` residents.

Seconds vary on a shared machine; instruction counts do not. For those, run it twice
under callgrind and take the difference, which leaves out the set-up::

    for n in 5 25; do RESIDENTS=$n valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$n \\
        .venv/bin/python bench/inprocess_survey.py; done
    # (instructions of the 25-resident run − those of the 5-resident run) / (20 × 3 pages)

``VARIANT`` serves the survey as ``survey_variants.py`` does (a cache turned off…), to
count what each is worth in instructions per page, where the machine has hardware counters
(this virtual machine has none: see ``VARIANTS`` below)::

    for v in none shared_pages; do for n in 10 60; do VARIANT=$v RESIDENTS=$n WARMUP=10 \
        perf stat -x, -e instructions:u .venv/bin/python bench/inprocess_survey.py; done; done

``VARIANTS=shared_pages,conditions,…`` measures each in one process, in pairs against the app as
shipped (``ROUNDS`` pairs of ``RESIDENTS`` residents; median of the ratios, with quartiles).

``DATABASE=postgresql`` uses a temporary PostgreSQL database (``CLS_BENCH_POSTGRES_URL``'s
server), dropped at the end; otherwise a temporary SQLite file.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_survey  # noqa: E402
import survey_variants  # noqa: E402

RESIDENTS = int(os.environ.get("RESIDENTS", "300"))
WARMUP = int(os.environ.get("WARMUP", "30"))
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version_id" value="(\d+)"')


class Resident:
    """A device: cookies kept, one redirect followed, requests made by calling the WSGI app."""

    def __init__(self, app):
        self.app = app
        self.cookies: dict[str, str] = {}

    def _call(self, method: str, path: str, data: dict | None) -> tuple[int, str | None, str]:
        body = urlencode(data).encode() if data is not None else b""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:5000", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        if data is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply: dict = {}

        def start_response(status, headers, exc_info=None):
            reply["status"], reply["headers"] = int(status[:3]), headers

        chunks = self.app(environ, start_response)
        try:
            text = b"".join(chunks).decode()
        finally:
            getattr(chunks, "close", lambda: None)()
        location = None
        for name, value in reply["headers"]:
            if name == "Set-Cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
            elif name == "Location":
                location = value
        return reply["status"], location, text

    def fetch(self, method: str, path: str, data: dict | None = None) -> tuple[int, int, str]:
        status, location, text = self._call(method, path, data)
        if status in (302, 303) and location:
            final, _, text = self._call("GET", location.replace("http://127.0.0.1:5000", ""), None)
            return status, final, text
        return status, status, text


def one_resident(app) -> None:
    device = Resident(app)
    _status, _final, info = device.fetch("GET", "/enquete/bench/resident")
    _first, final, page = device.fetch("POST", "/enquete/bench/resident/commencer",
                                       {"csrf_token": TOKEN.search(info).group(1)})
    if final != 200:
        raise RuntimeError(f"start: HTTP {final}")
    for section, answers, _rows in bench_survey.PAGES:
        data = {"csrf_token": TOKEN.search(page).group(1), "version_id": VERSION.search(page).group(1),
                "section_id": section, "action": "next", **answers}
        first, final, page = device.fetch("POST", f"/enquete/bench/resident/page/{section}", data)
        if (first, final) != (302, 200):
            raise RuntimeError(f"{section}: HTTP {first} -> {final}")


def interleaved(app, variants: list[str]) -> None:
    """CPU per page of each variant against the app as shipped, measured in pairs (the
    app as shipped, then the variant, ``RESIDENTS`` residents each), ``ROUNDS`` times: a
    change of the machine's load falls on both halves of a pair alike. Reports the median
    of the pairs' ratios."""
    rounds = int(os.environ.get("ROUNDS", "20"))

    def cpu_per_page(variant: str) -> float:
        undo = survey_variants.applied(app, variant)
        try:
            one_resident(app)  # refill what the variant emptied
            started = time.process_time()
            for _ in range(RESIDENTS):
                one_resident(app)
            return (time.process_time() - started) / (3 * RESIDENTS) * 1000
        finally:
            undo()

    ratios = {v: [] for v in variants if v != "none"}
    shipped = []
    for _round in range(rounds):
        for variant in ratios:
            base = cpu_per_page("none")
            shipped.append(base)
            ratios[variant].append(cpu_per_page(variant) / base)
    print(f"as shipped: median {sorted(shipped)[len(shipped) // 2]:.2f} ms of CPU per page")
    for variant, found in ratios.items():
        found.sort()
        median, low, high = found[len(found) // 2], found[len(found) // 4], found[3 * len(found) // 4]
        print(f"{variant}: {(median - 1) * 100:+.1f} % CPU per page against the app as shipped "
              f"(median of {rounds} pairs of {RESIDENTS} residents; quartiles {(low - 1) * 100:+.1f} / {(high - 1) * 100:+.1f} %)")


def main() -> int:
    from sqlalchemy import create_engine, text

    from survey_app import create_app

    admin, name = None, None
    if os.environ.get("DATABASE") == "postgresql":
        admin = create_engine(bench_survey.PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"cls_probe_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = bench_survey.PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    elif os.environ.get("PROBE_DATABASE_URL"):  # prepared by an earlier run (kept)
        url = os.environ["PROBE_DATABASE_URL"]
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='cls-probe-')}/probe.sqlite3"
    try:
        if not os.environ.get("PROBE_DATABASE_URL"):
            bench_survey.prepare_database(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "probe"}, environ={})
        survey_variants.apply(app, os.environ.get("VARIANT", "none"))
        for _ in range(WARMUP):
            one_resident(app)
        if os.environ.get("VARIANTS"):
            interleaved(app, os.environ["VARIANTS"].split(","))
            return 0
        started = time.process_time()
        for _ in range(RESIDENTS):
            one_resident(app)
        per_page = (time.process_time() - started) / (3 * RESIDENTS) * 1000 if RESIDENTS else float("nan")
        print(f"{url.split(':')[0]}: {per_page:.2f} ms of CPU per page ({RESIDENTS} residents after {WARMUP})")
        with app.app_context():
            from survey_app.extensions import db
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
