"""An XLSForm (survey, choices, settings sheets) to our questionnaire definition.

What our format cannot hold (repeats, calculations, geo and media questions, dynamic
``required``, expressions outside our condition language…) is listed in the report
with its sheet and row, never dropped silently; the rest still makes a questionnaire
when it can. Problems that make the form unusable (no ``survey`` sheet, duplicate
names, an expression that does not parse, an unknown choice list…) are all listed at
once, and then nothing is produced.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..loader import LineMap
from ..model import Definition
from ..nodes import BoolOp, Node
from .assembly import Assembly
from .reader import Issue, Workbook, XLSFormError, read_workbook
from .relevant import Unrepresentable, XPathSyntaxError, parse_xpath
from .rules import full_pattern, split_constraint
from .vocabulary import (CODE, FALSE, KEYWORDS, KNOWN_SHEETS, META_COLUMN, METADATA,
                         NOT_REPRESENTED, TRUE, language_code, number_or_text, required_flag,
                         short, type_words)

__all__ = ["ImportResult", "import_xlsform", "convert_workbook", "META_COLUMN"]

@dataclass
class ImportResult:
    """What an XLSForm became: our definition (as data and built), and the report."""

    source: str
    data: dict | None = None
    definition: Definition | None = None
    #: problems that make the form unusable (nothing is produced)
    errors: list[Issue] = field(default_factory=list)
    #: what was not represented or was changed, with sheet and row
    notes: list[Issue] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.definition is not None and not self.errors

    def report_lines(self) -> list[str]:
        lines = []
        if self.errors:
            lines.append(f"{len(self.errors)} problème(s) :")
            lines += [f"  {i}" for i in sorted(self.errors, key=_issue_key)]
        if self.notes:
            lines.append(f"{len(self.notes)} élément(s) non repris ou modifiés :")
            lines += [f"  {i}" for i in sorted(self.notes, key=_issue_key)]
        return lines


def _issue_key(issue: Issue):
    return (issue.sheet != "survey", issue.sheet, issue.row or 0, issue.message)


def _meta(cells: Mapping[str, str], sheet: str, row: int, issues: list[Issue]) -> dict:
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


class _Converter(Assembly):
    def __init__(self, book: Workbook):
        self.book = book
        self.errors: list[Issue] = []
        self.notes: list[Issue] = []
        self.settings: dict[str, str] = {}
        self.settings_meta: dict = {}
        self.lang_columns: dict[str, str] = {}  # language suffix as written -> code
        self.default_lang = "fr"
        self.languages: list[str] = []
        self.lists: dict[str, list[dict]] = {}
        self.code_maps: dict[str, dict[str, str]] = {}  # list -> form code -> our code
        self.names: dict[str, tuple[int, str]] = {}  # every survey name -> (row, fate)
        self.kept: dict[str, tuple[str, str | None]] = {}  # name -> (question id, row)
        self.qtypes: dict[str, str] = {}  # our question id -> type
        self.qlists: dict[str, str] = {}  # our question id -> choice list
        self.ids: set[str] = set()
        self.ambiguous: set[str] = set()
        self.lines = LineMap()
        self.where: dict[int, tuple[str, int, str | None, str]] = {}  # token -> place
        self.conditions: dict[int, tuple[dict, str]] = {}  # token -> (holder, key)

    # ----------------------------------------------------------- helpers
    def error(self, sheet, row, name, message):
        self.errors.append(Issue(sheet, row, name, message))

    def note(self, sheet, row, name, message):
        self.notes.append(Issue(sheet, row, name, message))

    def token(self, path: tuple, place: tuple) -> int:
        number = len(self.where) + 1
        self.lines.lines[path] = number
        self.where[number] = place
        return number

    def labels(self, cells: Mapping[str, str], column: str) -> dict | None:
        out = {}
        if cells.get(column):
            out[self.default_lang] = cells[column]
        for suffix, code in self.lang_columns.items():
            text = cells.get(f"{column}::{suffix}")
            if text:
                out[code] = text
        if not out:
            return None
        if "fr" not in out:
            out["fr"] = out.get(self.default_lang) or next(iter(out.values()))
        return {k: v for k, v in out.items() if k in self.languages}

    # ----------------------------------------------------------- sheets
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
            self.settings_meta = _meta(cells, sheet.name, row, self.notes)

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

    def id_for(self, name: str) -> str:
        qid = re.sub(r"[^a-z0-9_]+", "_", name.lower())
        qid = re.sub(r"_{2,}", "_", qid).strip("_")
        if not qid or not qid[0].isalpha():
            qid = "q_" + qid
        qid = qid[:64]
        if qid in KEYWORDS:
            qid += "_q"
        base, n = qid, 2
        while qid in self.ids:
            qid, n = f"{base[:60]}_{n}", n + 1
        self.ids.add(qid)
        return qid

    # ----------------------------------------------------------- survey
    def first_pass(self, survey) -> None:
        """Every name of the survey, and which are kept. As in pyxform, a name must be
        unique within its group; the same name in two groups is ambiguous in ``${}``."""
        parents: list[tuple[str, set]] = [("", set())]
        for row, cells in survey.rows:
            name, kind = cells.get("name", ""), type_words(cells.get("type", ""))[0]
            if kind in ("end_group", "end_repeat"):
                if len(parents) > 1:
                    parents.pop()
                continue
            if name:
                siblings = parents[-1][1]
                if name in siblings:
                    self.error(survey.name, row, name, f"nom en double « {name} » dans le même "
                               f"groupe (déjà ligne {self.names[name][0]})")
                elif name in self.names:
                    self.ambiguous.add(name)
                else:
                    self.names[name] = (row, "later")
                siblings.add(name)
            if kind in ("begin_group", "begin_repeat"):
                parents.append((name, set()))

    def resolve(self, survey_name: str, current: str | None):
        def resolve(name: str):
            if name == ".":
                if current is None or current not in self.kept:
                    raise Unrepresentable("« . » hors d'une contrainte")
                return self.kept[current]
            if name in self.ambiguous:
                raise XPathSyntaxError(f"« ${{{name}}} » désigne plusieurs questions du même nom")
            if name in self.kept:
                return self.kept[name]
            fate = self.names.get(name)
            if fate is None:
                raise XPathSyntaxError(f"question inconnue « ${{{name}}} »")
            if fate[1] == "later":
                raise Unrepresentable(f"porte sur « {name} », posée plus loin (ligne {fate[0]})")
            raise Unrepresentable(f"porte sur « {name} » ({fate[1]}, non reprise)")
        return resolve

    def code_mapper(self, qid: str, code: str) -> str:
        mapping = self.code_maps.get(self.qlists.get(qid, ""), {})
        return mapping.get(code, code)

    def expression(self, source: str, sheet, row, name, current=None, what="condition"
                   ) -> Node | None:
        """Translate one expression; a syntax error is an error, the rest a note."""
        source = source.strip()
        if not source:
            return None
        try:
            return parse_xpath(source, self.resolve(sheet, current), self.code_mapper)
        except XPathSyntaxError as exc:
            self.error(sheet, row, name, f"{what} illisible « {source} » : {exc}")
        except Unrepresentable as exc:
            self.note(sheet, row, name, f"{what} non reprise « {short(source)} » : {exc}")
        return None

    def convert(self) -> dict | None:
        if not self.check_sheets():
            return None
        self.read_settings()
        self.read_languages()
        self.read_choices()
        survey = self.book.sheet("survey")
        self.first_pass(survey)
        return self.walk(survey)

    def walk(self, survey) -> dict | None:
        sheet = survey.name
        sections: list[dict] = []
        current: dict | None = None  # the open section
        groups: list[dict] = []  # open groups (the first one is the section)
        repeat: list[tuple[int, str]] = []  # open repeats
        matrix: dict | None = None
        skipped_in_repeat = 0
        other_of: dict[str, tuple[str, str]] = {}  # expected text name -> (qid, code)
        title = self.labels(self.settings, "form_title") or {"fr": self.settings.get(
            "form_title") or Path(self.book.source).stem}

        def open_section(sid: str, label: dict | None, show_if: Node | None, row: int,
                         meta: dict) -> dict:
            section = {"id": self.id_for(sid), "title": label or dict(title),
                       "questions": [], "_row": row, "_show_if": show_if}
            if meta.get("intro"):
                section["intro"] = meta["intro"]
            sections.append(section)
            return section

        def section_here(row: int) -> dict:
            """The section the next question goes to (opened on demand)."""
            nonlocal current
            if current is None:
                plain = [g for g in groups if not g.get("matrix")]
                if not plain:
                    current = open_section(f"partie_{len(sections) + 1}", None, None, row, {})
                else:
                    inner = plain[-1]
                    label = next((g["label"] for g in reversed(plain) if g["label"]), None)
                    conditions = [g["show_if"] for g in plain if g["show_if"] is not None]
                    show_if = (conditions[0] if len(conditions) == 1 else
                               BoolOp("and", tuple(conditions)) if conditions else None)
                    current = open_section(inner["name"] or f"partie_{len(sections) + 1}", label,
                                           show_if, inner["row"], inner["meta"])
            return current

        for row, cells in survey.rows:
            words = type_words(cells.get("type", ""))
            kind, name = words[0], cells.get("name", "")
            meta = _meta(cells, sheet, row, self.notes)
            if kind == "":
                if name:
                    self.error(sheet, row, name, "ligne sans type")
                continue
            if repeat:
                if kind == "begin_repeat":
                    repeat.append((row, name))
                elif kind == "end_repeat":
                    start, rname = repeat.pop()
                    if not repeat:
                        self.note(sheet, start, rname, f"répétition (begin repeat, lignes {start} "
                                  f"à {row}) non reprise : {skipped_in_repeat} question(s) "
                                  "répétée(s) ignorée(s)")
                else:
                    if name:
                        self.names[name] = (self.names.get(name, (row,))[0], "dans une répétition")
                    if kind not in ("begin_group", "end_group", "note"):
                        skipped_in_repeat += 1
                continue
            if kind == "begin_repeat":
                repeat.append((row, name))
                skipped_in_repeat = 0
                continue
            if kind == "end_repeat":
                self.error(sheet, row, name, "« end repeat » sans « begin repeat »")
                continue
            if kind == "begin_group":
                relevant = self.expression(cells.get("relevant", ""), sheet, row, name)
                label = self.labels(cells, "label")
                if meta.get("type") == "matrix":
                    matrix = {"name": name, "row": row, "meta": meta, "label": label,
                              "show_if": relevant, "cells": cells, "rows": [],
                              "required": required_flag(cells.get("required", ""))}
                    groups.append({"matrix": True, "row": row})
                    continue
                # each group holding questions is a section (a page); the conditions of
                # the groups around it become the section's condition
                groups.append({"name": name, "label": label, "show_if": relevant, "row": row,
                               "meta": meta})
                current = None
                if name:
                    self.names[name] = (row, "groupe")
                continue
            if kind == "end_group":
                if not groups:
                    self.error(sheet, row, name, "« end group » sans « begin group »")
                    continue
                group = groups.pop()
                if group.get("matrix"):
                    if matrix is not None:
                        self.finish_matrix(matrix, section_here(row))
                    matrix = None
                else:
                    current = None
                continue
            if kind in METADATA:
                self.names[name] = (row, "métadonnée")
                self.note(sheet, row, name, f"métadonnée « {kind} » non reprise (les réponses "
                          "restent anonymes : ni appareil, ni heure, ni identifiant)")
                continue
            if kind == "note" and name.endswith("__intro") and self.settings_meta:
                continue  # a section's introduction, written again from the group's metadata
            if name in other_of and kind == "text":
                qid, code = other_of.pop(name)
                self.names[name] = (row, "précision « autre »")
                continue
            if matrix is not None:
                self.matrix_row(matrix, row, cells, kind, words, name)
                continue
            question = self.question(row, cells, kind, words, name, meta)
            if question is None:
                continue
            section_here(row)["questions"].append(question)
            other = next((o["code"] for o in question.get("options", []) if o.get("other")), None)
            if other:
                other_of[f"{name}__autre"] = (question["id"], other)
                other_of[f"{name}_other"] = (question["id"], other)
                other_of[f"{name}_autre"] = (question["id"], other)
        for start, rname in repeat:
            self.error(sheet, start, rname, "« begin repeat » sans « end repeat »")
        for group in groups:
            self.error(sheet, group["row"], None, "« begin group » sans « end group »")
        return self.assemble(sections, title)

    def question(self, row, cells, kind, words, name, meta) -> dict | None:
        sheet = self.book.sheet("survey").name
        if not name:
            self.error(sheet, row, None, f"question de type « {kind} » sans nom (name)")
            return None
        if kind in NOT_REPRESENTED and not (kind == "range"):
            self.names[name] = (row, NOT_REPRESENTED[kind])
            self.note(sheet, row, name, f"{NOT_REPRESENTED[kind]} (« {cells.get('type')} ») "
                      "non repris")
            return None
        qtype, extra = self.our_type(row, cells, kind, words, name, meta)
        if qtype is None:
            return None
        qid = self.id_for(name)
        if qid != name:
            self.note(sheet, row, name, f"nom « {name} » récrit « {qid} » (minuscules, chiffres "
                      "et _)")
        labels = self.labels(cells, "label")
        if labels is None:
            labels = {"fr": name}
            self.note(sheet, row, name, "question sans libellé : son nom sert de libellé")
        question: dict[str, Any] = {"id": qid, "type": qtype, "label": labels, **extra}
        help_ = self.labels(cells, "hint")
        if help_:
            question["help"] = help_
        required = cells.get("required", "")
        if qtype != "note":
            value = required_flag(required)
            if value is None:
                self.note(sheet, row, name, f"obligation conditionnelle « {required} » non "
                          "reprise : la question est facultative")
            elif value:
                question["required"] = True
                if self.labels(cells, "required_message"):
                    self.note(sheet, row, name, "message d'obligation (required_message) non "
                              "repris : le message habituel s'affiche")
        for column in ("default", "calculation", "read_only", "trigger", "repeat_count"):
            if cells.get(column) and not (column == "read_only" and cells[column].lower() in FALSE):
                self.note(sheet, row, name, f"colonne « {column} » non reprise")
        if any(h.split("::")[0] in ("image", "audio", "video", "media", "big-image")
               for h in cells):
            self.note(sheet, row, name, "média (image, son, vidéo) non repris")
        if cells.get("choice_filter"):
            self.choice_filter(question, cells["choice_filter"], row, name)
        self.kept[name] = (qid, None)
        self.names[name] = (row, "kept")
        self.qtypes[qid] = qtype
        own = self.expression(cells.get("relevant", ""), sheet, row, name)
        if own is not None:
            question["_show_if"] = own
        for key in ("role", "axis", "theme", "indicator", "widget", "unit", "min_label",
                    "max_label", "min", "max", "min_choices", "max_choices", "rank_count",
                    "max_length", "pattern", "pattern_message"):
            if key in meta:
                question[key] = meta[key]
        for option in question.get("options", []):
            if option["code"] in meta.get("exclusive", ()):
                option["exclusive"] = True
            if option["code"] == meta.get("other"):
                option["other"] = True
        if self.settings_meta:  # our own export: its rules are in the metadata
            question["_constraints"] = [dict(c) for c in meta.get("constraints", ())]
        elif cells.get("constraint"):
            self.constraint(question, cells, row, name)
        question["_row"] = row
        return question

    def our_type(self, row, cells, kind, words, name, meta) -> tuple[str | None, dict]:
        sheet = self.book.sheet("survey").name
        appearance = cells.get("appearance", "").lower()
        if kind in ("select_one", "select_multiple", "rank"):
            if len(words) < 2:
                self.error(sheet, row, name, f"« {kind} » sans liste de choix")
                return None, {}
            list_name = words[1]
            if list_name not in self.lists:
                self.error(sheet, row, name, f"liste de choix inconnue « {list_name} » (absente "
                           "de la feuille choices)")
                return None, {}
            options = [{k: v for k, v in o.items() if not k.startswith("_")}
                       for o in self.lists[list_name]]
            if len(words) > 2 and words[2] == "or_other":
                if "other" not in [o["code"] for o in options]:
                    label = {"fr": "Autre (précisez)", "en": "Other (specify)"}
                    options.append({"code": "other", "label": {k: v for k, v in label.items()
                                                               if k in self.languages}})
                options = [dict(o, other=True) if o["code"] == "other" else o for o in options]
            self.qlists[self.id_for_peek(name)] = list_name
            our = {"select_one": "single", "select_multiple": "multiple", "rank": "ranking"}[kind]
            if meta.get("type") in ("yesno", "district"):
                return meta["type"], {}
            extra: dict[str, Any] = {"options": options}
            if our == "single" and re.search(r"\b(minimal|autocomplete|search)", appearance):
                extra["widget"] = "dropdown"
            if our == "ranking":
                extra["rank_count"] = len(options)
            return our, extra
        if kind in ("integer", "decimal"):
            our = meta.get("type") if meta.get("type") in ("year",) else kind
            return our, {}
        if kind == "range":
            params = dict(re.findall(r"(\w+)\s*=\s*(-?[\d.]+)", cells.get("parameters", "")))
            try:
                start, end = float(params.get("start", 1)), float(params.get("end", 10))
                step = float(params.get("step", 1))
            except ValueError:
                start, end, step = 1, 10, 1
            if step == 1 and start.is_integer() and end.is_integer() and 0 < end - start <= 20:
                return "scale", {"min": int(start), "max": int(end)}
            self.note(sheet, row, name, "curseur (range) repris comme nombre entre ses bornes")
            integer = step.is_integer() and start.is_integer()
            return ("integer" if integer else "decimal"), {
                "min": int(start) if integer else start, "max": int(end) if integer else end}
        if kind == "text":
            if meta.get("type") == "longtext" or "multiline" in appearance:
                return "longtext", {}
            return "text", {}
        if kind == "date":
            return "date", {}
        if kind == "note":
            return "note", {}
        self.error(sheet, row, name, f"type inconnu « {cells.get('type')} »")
        return None, {}

    def id_for_peek(self, name: str) -> str:
        """The id :meth:`id_for` is about to give ``name`` (without reserving it)."""
        qid = self.id_for(name)
        self.ids.discard(qid)
        return qid

    def choice_filter(self, question: dict, source: str, row: int, name: str) -> None:
        """Apply a filter that names no question (static); note the others."""
        sheet = self.book.sheet("survey").name
        if "${" in source or "options" not in question:
            self.note(sheet, row, name, f"filtre de choix « {short(source)} » non repris : "
                      "toutes les options sont proposées")
            return
        list_rows = {o["code"]: o for o in self.lists.get(self.qlists.get(question["id"], ""), [])}
        try:
            node = parse_xpath(source, lambda n: (n.lower(), None), columns=True)
        except (XPathSyntaxError, Unrepresentable) as exc:
            self.note(sheet, row, name, f"filtre de choix « {short(source)} » non repris ({exc})")
            return
        kept = []
        for option in question["options"]:
            cells = list_rows.get(option["code"], {}).get("_cells", {})
            values = {k: number_or_text(v) for k, v in cells.items()}
            if node.evaluate(values):
                kept.append(option)
        if kept:
            question["options"] = kept
            self.note(sheet, row, name, f"filtre de choix « {short(source)} » appliqué : "
                      f"{len(kept)} option(s) gardée(s) sur {len(list_rows)}")
        else:
            self.note(sheet, row, name, f"filtre de choix « {short(source)} » non repris (il "
                      "ne garderait aucune option) : toutes les options sont proposées")

    def constraint(self, question: dict, cells, row, name) -> None:
        """Split a constraint into bounds, choice counts, exclusive options, a pattern, and
        a rule between questions for the rest."""
        sheet = self.book.sheet("survey").name
        source = cells["constraint"].strip()
        message = self.labels(cells, "constraint_message")
        pattern = re.fullmatch(r"\s*regex\s*\(\s*\.\s*,\s*(['\"])(.*)\1\s*\)\s*", source, re.S)
        if pattern and question["type"] == "text":
            question["pattern"] = full_pattern(pattern.group(2))
            if message:
                question["pattern_message"] = message
            return
        node = self.expression(source, sheet, row, name, current=name, what="contrainte")
        if node is None:
            return
        rest = split_constraint(question, node)
        qid = question["id"]
        if rest:
            expr = rest[0] if len(rest) == 1 else BoolOp("and", tuple(rest))
            question["_constraints"] = [{"expr": expr, "attach": qid,
                                         "message": message or {"fr": "Réponse refusée par la "
                                                                "règle du formulaire.",
                                                                "en": "Answer refused by the "
                                                                "form's rule."}}]

    def matrix_row(self, matrix, row, cells, kind, words, name) -> None:
        sheet = self.book.sheet("survey").name
        if kind != "select_one" or len(words) < 2 or words[1] not in self.lists:
            self.error(sheet, row, name, "ligne de matrice : « select_one LISTE » attendu")
            return
        prefix = matrix["name"] + "__"
        rid = name[len(prefix):] if name.startswith(prefix) else name
        matrix["rows"].append({"id": rid, "label": self.labels(cells, "label") or {"fr": rid},
                               "_name": name, "_list": words[1]})
        meta_rows = {r["id"]: r for r in matrix["meta"].get("rows", [])}
        if rid in meta_rows and "indicator" in meta_rows[rid]:
            matrix["rows"][-1]["indicator"] = meta_rows[rid]["indicator"]
        if required_flag(cells.get("required", "")):
            matrix["required"] = True

    def finish_matrix(self, matrix, section) -> None:
        if not matrix["rows"] or section is None:
            return
        qid = self.id_for(matrix["name"])
        list_name = matrix["rows"][0]["_list"]
        options = [{k: v for k, v in o.items() if not k.startswith("_")}
                   for o in self.lists[list_name]]
        question = {"id": qid, "type": "matrix", "label": matrix["label"] or {"fr": qid},
                    "options": options, "_row": matrix["row"],
                    "rows": [{k: v for k, v in r.items() if not k.startswith("_")}
                             for r in matrix["rows"]]}
        help_ = self.labels(matrix["cells"], "hint")
        if help_:
            question["help"] = help_
        if matrix["required"]:
            question["required"] = True
        for key in ("role", "axis", "theme"):
            if key in matrix["meta"]:
                question[key] = matrix["meta"][key]
        if matrix["show_if"] is not None:
            question["_show_if"] = matrix["show_if"]
        if "constraints" in matrix["meta"]:
            question["_constraints"] = [dict(c) for c in matrix["meta"]["constraints"]]
        self.qlists[qid] = list_name
        self.qtypes[qid] = "matrix"
        self.kept[matrix["name"]] = (qid, None)
        for r in matrix["rows"]:
            self.kept[r["_name"]] = (qid, r["id"])
            self.names[r["_name"]] = (matrix["row"], "kept")
        section["questions"].append(question)


def convert_workbook(book: Workbook, *, axes: Mapping | None = None) -> ImportResult:
    """Convert a read workbook into our definition, with the report."""
    converter = _Converter(book)
    result = ImportResult(book.source)
    data = converter.convert()
    if data is not None and not converter.errors:
        result.definition = converter.build(data, axes)
        result.data = result.definition.to_dict() if result.definition is not None else None
    result.errors, result.notes = converter.errors, converter.notes
    if result.errors:
        result.definition = result.data = None
    return result


def import_xlsform(path: str | Path, *, axes: Mapping | None = None) -> ImportResult:
    """Read and convert an XLSForm file (xlsx, xls or csv); never raises for a bad file."""
    try:
        book = read_workbook(path)
    except XLSFormError as exc:
        return ImportResult(Path(path).name, errors=list(exc.issues))
    return convert_workbook(book, axes=axes)
