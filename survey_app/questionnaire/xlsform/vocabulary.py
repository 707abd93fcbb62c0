"""Words of the XLSForm convention: types, languages, yes/no cells."""
from __future__ import annotations

import re

__all__ = ["META_COLUMN", "NOT_REPRESENTED", "METADATA", "TRUE", "FALSE", "CODE", "KEYWORDS",
           "KNOWN_SHEETS", "language_code", "required_flag", "type_words", "number_or_text",
           "short"]

#: Column (survey, choices, settings) where our export keeps what XLSForm cannot say;
#: pyxform ignores it.
META_COLUMN = "cls_meta"

LANGUAGE_NAMES = {
    "french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en",
    "arabic": "ar", "arabe": "ar", "العربية": "ar", "swahili": "sw", "kiswahili": "sw",
    "spanish": "es", "español": "es", "espagnol": "es", "portuguese": "pt",
    "português": "pt", "chinese": "zh", "german": "de", "deutsch": "de", "italian": "it",
    "russian": "ru", "turkish": "tr", "dutch": "nl", "hindi": "hi", "bengali": "bn",
    "urdu": "ur", "hausa": "ha", "somali": "so", "amharic": "am", "tigrinya": "ti",
    "pashto": "ps", "dari": "prs", "farsi": "fa", "persian": "fa", "kurdish": "ku",
    "ukrainian": "uk", "polish": "pl", "romanian": "ro", "lingala": "ln", "wolof": "wo",
}
NOT_REPRESENTED = {
    "calculate": "calcul (calculate)", "hidden": "champ caché",
    "geopoint": "position GPS", "geotrace": "tracé GPS", "geoshape": "surface GPS",
    "start-geopoint": "position GPS", "image": "photo", "audio": "enregistrement audio",
    "video": "vidéo", "file": "fichier joint", "barcode": "code-barres",
    "background-audio": "enregistrement audio", "background-geopoint": "position GPS",
    "datetime": "date et heure", "time": "heure", "acknowledge": "case à valider",
    "trigger": "case à valider", "xml-external": "données externes",
    "csv-external": "données externes", "select_one_from_file": "choix depuis un fichier",
    "select_multiple_from_file": "choix depuis un fichier", "range": "curseur",
    "gps": "position GPS", "select_one_external": "choix depuis des données externes",
    "select_multiple_external": "choix depuis des données externes", "osm": "carte OpenStreetMap",
    "photo": "photo", "integer_range": "curseur",
}
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial",
             "phonenumber", "username", "email", "audit", "instanceid", "uri:deviceid",
             "uri:email", "uri:phonenumber", "uri:subscriberid", "uri:simserial",
             "uri:username"}
TRUE = {"yes", "true", "true()", "1", "oui", "y"}
FALSE = {"no", "false", "false()", "0", "non", "n", ""}
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEYWORDS = {"and", "or", "not", "in"}
KNOWN_SHEETS = ("survey", "choices", "settings")


def language_code(name: str) -> str | None:
    """``English (en)`` -> ``en``; ``french`` -> ``fr``; ``fr`` -> ``fr``; else None."""
    name = name.strip()
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\)\s*$", name)
    if match:
        return match.group(1).lower()
    lowered = name.lower()
    if lowered in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[lowered]
    if re.fullmatch(r"[a-z]{2,3}", lowered):
        return lowered
    return None


def required_flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def type_words(text: str) -> list[str]:
    """``'select one  List or_other'`` -> ``['select_one', 'List', 'or_other']`` (the list
    name keeps its case: choice lists are matched exactly)."""
    text = re.sub(r"\s+", " ", text.strip())
    lowered = text.lower()
    for two in ("select one from file", "select multiple from file", "select one", "select multiple",
                "begin group", "end group", "begin repeat", "end repeat"):
        if lowered.startswith(two + " ") or lowered == two:
            text = two.replace(" ", "_") + text[len(two):]
            break
    words = text.split(" ") if text else [""]
    words[0] = words[0].lower()
    if len(words) > 2:
        words[2:] = [w.lower() for w in words[2:]]
    return words


def number_or_text(value: str):
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
