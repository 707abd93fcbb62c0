"""analysis/ is a pure library: importing it never imports Flask, SQLAlchemy or survey_app."""
import subprocess
import sys
from pathlib import Path

import analysis

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_is_importable():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name


def test_importing_every_module_of_analysis_imports_no_web_or_database_code():
    modules = sorted(p.stem for p in (ROOT / "analysis").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('analysis.' + name)\n"
        "import analysis\n"
        "[getattr(analysis, n) for n in analysis.__all__]\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'survey_app', 'sqlalchemy', 'flask_sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
