"""Every user-facing string is French first and has its English translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "survey_app" / "translations"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _hashable(value):
    """Plural entries come back as lists from the .mo reader; compare them as tuples."""
    return tuple(value) if isinstance(value, list) else value


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT / "survey_app", METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_of_the_code_has_an_english_translation():
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        catalog = read_mo(handle)
    translated = {(m.id[0] if isinstance(m.id, (list, tuple)) else m.id): m.string for m in catalog if m.id}
    missing = sorted(m for m in _source_messages() if not translated.get(m))
    assert missing == [], "run `make translations` and translate: " + "; ".join(missing)


def test_compiled_catalog_matches_the_po_file():
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        po = {_hashable(m.id): _hashable(m.string) for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        mo = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert po == mo, "the .mo is stale: run `make translations`"
