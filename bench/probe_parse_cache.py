"""What the parse cache removed from ``questionnaire/conditions.py`` (an ``lru_cache`` of
condition sources) was worth: a probe, not a benchmark.

1. How many conditions the survey's flow parses: the residents of ``inprocess_survey.py``
   (information page, start, three pages), in process, from a cold start.
2. CPU time of building the resident definition from its file with and without the cache
   (best of 15; a definition is built only when ``caches.DEFINITIONS`` has not got it).

Run: ``.venv/bin/python bench/probe_parse_cache.py``. Figures in ``bench/README.md``.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import bench_survey  # noqa: E402
import inprocess_survey as ip  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.questionnaire import build, load_definition  # noqa: E402


def best(fn, n: int = 15) -> float:
    times = []
    for _ in range(n):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times) * 1000


def main() -> None:
    original = build.parse_condition
    calls = {"n": 0}

    def counting(source):
        calls["n"] += 1
        return original(source)

    folder = tempfile.mkdtemp(prefix="cls-parse-probe-")
    try:
        url = f"sqlite:///{folder}/probe.sqlite3"
        bench_survey.prepare_database(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "probe"}, environ={})
        build.parse_condition = counting
        ip.one_resident(app)
        first = calls["n"]
        for _ in range(20):
            ip.one_resident(app)
        print(f"conditions parsed: first resident (cold: definition built) {first}, "
              f"next 20 residents {calls['n'] - first}")
        with app.app_context():
            from survey_app.extensions import db

            db.engine.dispose()
    finally:
        build.parse_condition = original
        shutil.rmtree(folder, ignore_errors=True)
    resident = ROOT / "questionnaires" / "resident.yaml"
    without = best(lambda: load_definition(resident))
    build.parse_condition = lru_cache(maxsize=4096)(original)
    try:
        load_definition(resident)  # fill it
        with_cache = best(lambda: load_definition(resident))
    finally:
        build.parse_condition = original
    print(f"resident definition built from its file: {without:.1f} ms CPU without the parse cache, "
          f"{with_cache:.1f} ms with it (warm), best of 15")


if __name__ == "__main__":
    main()
