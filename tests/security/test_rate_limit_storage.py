"""Several workers share the login limits when CLS_RATELIMIT_STORAGE_URL points to Redis.

Each worker is a separate process here, as under gunicorn: with the default in-memory
storage each one counts alone; with Redis they count together.
"""
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT_ROOT

WORKER = """
import json, sys
from survey_app import create_app
app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "k"},
                 environ={"CLS_RATELIMIT_STORAGE_URL": sys.argv[2], "CLS_LOGIN_RATE_LIMIT": "10 per minute"})
client = app.test_client()
# a new address each time: only the limit per client address can answer 429, not the lock-out
codes = [client.post("/connexion", data={"email": f"{sys.argv[4]}{n}@ville.test", "password": "faux-mot-de-passe"},
                     environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code for n in range(int(sys.argv[3]))]
print(json.dumps(codes))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not installed (Debian package redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _worker(database_url, storage, attempts, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLS_")}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database_url, storage, str(attempts), name],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def _sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the limits do not touch the database: checked once, on SQLite")


def test_two_workers_count_together_with_redis(app, db_session, database_url, redis_url):
    _sqlite_only(database_url)
    first = _worker(database_url, redis_url, 6, "un")
    second = _worker(database_url, redis_url, 6, "deux")
    assert first == [400] * 6
    assert second == [400] * 4 + [429, 429]


def test_two_workers_count_alone_in_memory(app, db_session, database_url):
    _sqlite_only(database_url)
    first = _worker(database_url, "memory://", 6, "un")
    second = _worker(database_url, "memory://", 6, "deux")
    assert first == second == [400] * 6
