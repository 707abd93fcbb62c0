"""analysis/ is a pure library: importing it never imports Flask, SQLAlchemy or survey_app.

Nor does it need spaCy or scikit-learn until a language or topic model is used.
"""
import pkgutil
import subprocess
import sys
from pathlib import Path

import analysis

ROOT = Path(__file__).resolve().parents[2]


def _run(code):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_every_public_name_is_importable():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name


def test_public_names_are_exported_once_and_explicitly():
    assert len(analysis.__all__) == len(set(analysis.__all__))
    assert not hasattr(analysis, "__getattr__")  # explicit imports, no lazy loading


def test_importing_every_module_of_analysis_imports_no_web_or_database_code():
    modules = sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis."))
    assert "analysis.weighting._rake" in modules and "analysis.coding._coder" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import analysis\n"
        "[getattr(analysis, n) for n in analysis.__all__]\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'survey_app', 'sqlalchemy', 'flask_sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_importing_analysis_needs_no_spacy():
    # spaCy is blocked: any "import spacy" raises ImportError.
    code = (
        "import sys\n"
        "sys.modules['spacy'] = None\n"
        "import analysis\n"
        "from analysis import rake, survey_proportion, load_codebook\n"
        "codebook = load_codebook()\n"
        "assert codebook.themes\n"
        "import analysis.text, analysis.topics, analysis.coding, analysis.wordclouds\n"
        "print(sorted(m for m, v in sys.modules.items() if v is not None\n"
        "             and m.split('.')[0] in {'spacy', 'sklearn'}))\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_stop_words_are_read_on_first_use():
    code = (
        "import sys\n"
        "from analysis.text import STOP_WORDS\n"
        "assert STOP_WORDS._words is None\n"
        "assert 'le' in STOP_WORDS and 'pas' not in STOP_WORDS\n"
        "assert STOP_WORDS._words is not None\n"
        "assert 'spacy' not in sys.modules  # read from the source, not imported\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
