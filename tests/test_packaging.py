"""The wheel carries everything the code reads at run time (questionnaires, schema, codebook).

A wheel is built from the source tree, installed into a fresh virtual environment outside
the repository (its dependencies come from the project's environment, through a ``.pth``
file, so nothing is downloaded), and its commands run from another folder.
"""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh environment with the project's wheel installed: its python, and a clean folder."""
    base = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(base / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((base / "dist").glob("cls_diagnostic-*.whl"))
    env_dir = base / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Dependencies from the project's environment; the project itself only from the wheel.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", site, str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return python, elsewhere


def run(installed, *args):
    python, folder = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLS_", "PYTHON", "FLASK_"))}
    env["CLS_DATABASE_URL"] = f"sqlite:///{folder / 'cls.sqlite3'}"
    return subprocess.run([str(python), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed):
    done = run(installed, "-c", "import survey_app, analysis, questionnaires; print(survey_app.__file__, analysis.__file__, questionnaires.__file__)")
    assert done.returncode == 0, done.stderr
    assert str(ROOT) not in done.stdout
    assert "site-packages" in done.stdout


def test_questionnaires_validate_runs_on_the_shipped_questionnaires(installed):
    for name in ("resident.yaml", "professional.yaml"):
        path = run(installed, "-c", f"import questionnaires; print(questionnaires.FOLDER / {name!r})").stdout.strip()
        done = run(installed, "-m", "flask", "--app", "survey_app:create_app", "questionnaires", "validate", path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert str(ROOT) not in path


def test_analysis_code_help_and_the_shipped_codebook(installed):
    done = run(installed, "-m", "flask", "--app", "survey_app:create_app", "analysis", "code", "--help")
    assert done.returncode == 0, done.stderr
    assert "--campaign" in done.stdout
    done = run(installed, "-c", "from analysis import load_codebook; print(len(load_codebook().themes))")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 0
