"""The sheets around the survey: which sheets there are, the settings, the languages of
the label columns, and the choice lists (with their codes rewritten to ours)."""
from __future__ import annotations

import difflib
import json
import re
from typing import Mapping

from .reader import Issue
from .vocabulary import CODE, KNOWN_SHEETS, META_COLUMN, TRUE, language_code

__all__ = ["Sheets", "row_meta"]


def row_meta(cells: Mapping[str, str], sheet: str, row: int, issues: list[Issue]) -> dict:
    text = cells.get(META_COLUMN)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        issues.append(Issue(sheet, row, cells.get("name"), f"colonne {META_COLUMN} illisible "
                            "(JSON attendu) : ignorée"))
        return {}
    return value if isinstance(value, dict) else {}


class Sheets:
    """What :class:`.to_ours._Converter` reads before the survey sheet."""

    def check_sheets(self) -> bool:
        for key, sheet in self.book.sheets.items():
            if key in KNOWN_SHEETS:
                continue
            close = difflib.get_close_matches(key, KNOWN_SHEETS, n=1, cutoff=0.75)
            if close and close[0] not in self.book.sheets:
                self.error(sheet.name, None, None, f"feuille « {sheet.name} » inconnue : "
                           f"vouliez-vous dire « {close[0]} » ?")
            elif key not in ("readme", "columns", "changelog"):
                self.note(sheet.name, None, None, "feuille ignorée (pas une feuille XLSForm "
                          "reprise : survey, choices, settings)")
        survey = self.book.sheet("survey")
        if survey is None:
            found = ", ".join(s.name for s in self.book.sheets.values()) or "aucune"
            self.error("survey", None, None, f"feuille « survey » absente (feuilles : {found})")
            return False
        for column in ("type", "name"):
            if column not in survey.headers:
                self.error(survey.name, 1, None, f"colonne « {column} » absente de la feuille "
                           "survey")
        return not self.errors

    def read_settings(self) -> None:
        sheet = self.book.sheet("settings")
        if sheet is not None and sheet.rows:
            row, cells = sheet.rows[0]
            self.settings = dict(cells)
            self.settings_meta = row_meta(cells, sheet.name, row, self.notes)

    def read_languages(self) -> None:
        suffixes: dict[str, None] = {}
        for key in ("survey", "choices"):
            sheet = self.book.sheet(key)
            for header in sheet.headers if sheet else ():
                base, sep, rest = header.partition("::")
                if sep and base in ("label", "hint", "constraint_message", "required_message") \
                        and "::" not in rest:
                    suffixes.setdefault(rest)
        survey = self.book.sheet("survey")
        for suffix in suffixes:
            code = language_code(suffix)
            if code is None:
                self.note(survey.name, 1, None, f"langue « {suffix} » non reconnue (écrivez "
                          f"« Nom (code) », par exemple « English (en) ») : colonnes ignorées")
                continue
            self.lang_columns[suffix] = code
        default = self.settings.get("default_language", "")
        codes = list(dict.fromkeys(self.lang_columns.values()))
        if default:
            self.default_lang = language_code(default) or (codes[0] if codes else "fr")
        else:
            self.default_lang = "fr" if not codes or "fr" in codes else codes[0]
        if not codes:
            self.default_lang = "fr"
        self.languages = ["fr"] + [c for c in dict.fromkeys(codes + [self.default_lang]) if c != "fr"]
        if isinstance(self.settings_meta.get("languages"), list):  # our own export
            self.languages = [str(c) for c in self.settings_meta["languages"]]
        if "fr" not in codes and codes:
            self.note(survey.name, 1, None, f"pas de libellés en français : ceux de la langue "
                      f"« {self.default_lang} » sont repris comme libellés français")
        if not codes and not self.settings_meta:
            self.note(survey.name, 1, None, "libellés sans langue : lus comme du français (fr)")

    def read_choices(self) -> None:
        sheet = self.book.sheet("choices")
        if sheet is None:
            return
        duplicates_ok = self.settings.get("allow_choice_duplicates", "").lower() in TRUE
        for header in ("list_name", "name"):
            if sheet.rows and header not in sheet.headers:
                self.error(sheet.name, 1, None, f"colonne « {header} » absente de la feuille choices")
                return
        for row, cells in sheet.rows:
            list_name, name = cells.get("list_name", ""), cells.get("name", "")
            if not list_name:
                continue
            if not name:
                self.error(sheet.name, row, None, f"choix sans nom (name) dans la liste « {list_name} »")
                continue
            options = self.lists.setdefault(list_name, [])
            codes = self.code_maps.setdefault(list_name, {})
            if name in codes:
                message = f"choix en double « {name} » dans la liste « {list_name} »"
                if duplicates_ok:
                    self.note(sheet.name, row, name, message + " : seul le premier est gardé")
                else:
                    self.error(sheet.name, row, name, message)
                continue
            code = self.code_for(name, codes.values())
            if code != name:
                self.note(sheet.name, row, name, f"code « {name} » récrit « {code} » (lettres, "
                          "chiffres, _ ou -, 32 caractères au plus)")
            codes[name] = code
            options.append({"code": code, "label": self.labels(cells, "label") or {"fr": name},
                            "_row": row, "_cells": cells})

    @staticmethod
    def code_for(name: str, taken) -> str:
        if CODE.match(name):
            return name
        code = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:32] or "code"
        base, n = code, 2
        while code in taken:
            suffix = f"_{n}"
            code, n = base[:32 - len(suffix)] + suffix, n + 1
        return code
