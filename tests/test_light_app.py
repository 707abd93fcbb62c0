"""The resident app stays light: ``import wsgi`` loads none of the analysis stack."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "spacy", "pandas", "matplotlib", "wordcloud", "weasyprint", "pptx")


def test_import_wsgi_loads_no_analysis_library(tmp_path):
    code = (
        "import sys, wsgi\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {"CLS_DATABASE_URL": f"sqlite:///{tmp_path / 'light.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_app_starts_and_serves_a_survey_page_without_spacy(tmp_path):
    # spaCy blocked: importing it raises ImportError, as on a machine without it.
    code = (
        "import sys\n"
        "sys.modules['spacy'] = None\n"
        "import wsgi\n"
        "client = wsgi.app.test_client()\n"
        "print(client.get('/sante').status_code)\n"
    )
    env = {"CLS_DATABASE_URL": f"sqlite:///{tmp_path / 'light.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "200"
