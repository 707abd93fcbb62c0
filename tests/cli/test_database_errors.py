"""A missing or unreachable database is one clear line, exit 1, no traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _flask(*args, database_url: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLS_")}
    env.update(FLASK_APP="wsgi", CLS_DATABASE_URL=database_url, CLS_SECRET_KEY="x", CLS_NEW_USER_PASSWORD="un-long-mot-de-passe")
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run([str(flask), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://postgres@127.0.0.1:1/absente", "Base de données injoignable"),
        ("sqlite:////dossier/inexistant/cls.sqlite3", "Base de données injoignable"),
        ("pas-une-url", "CLS_DATABASE_URL invalide"),
    ],
)
def test_unreachable_or_wrong_database(url, expected):
    for args in (["users", "create", "a@ville.test", "--role", "agent"], ["db", "upgrade"]):
        result = _flask(*args, database_url=url)
        assert result.returncode == 1, result
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2


def test_database_not_migrated_says_to_upgrade(tmp_path):
    result = _flask("users", "list", database_url=f"sqlite:///{tmp_path}/vide.sqlite3")
    assert result.returncode == 1
    assert "flask db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_upgrade_then_create_user_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path}/neuve.sqlite3"
    assert _flask("db", "upgrade", database_url=url).returncode == 0
    result = _flask("users", "create", "coord@ville.test", "--role", "coordinator", database_url=url)
    assert result.returncode == 0, result.stderr
    assert "Compte créé" in result.stdout
