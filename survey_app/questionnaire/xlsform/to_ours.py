"""An XLSForm (survey, choices, settings sheets) to our questionnaire definition.

What our format cannot hold (repeats, calculations, geo and media questions, dynamic
``required``, expressions outside our condition language…) is listed in the report
with its sheet and row, never dropped silently; the rest still makes a questionnaire
when it can. Problems that make the form unusable (no ``survey`` sheet, duplicate
names, an expression that does not parse, an unknown choice list…) are all listed at
once, and then nothing is produced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..loader import LineMap
from ..model import Definition
from ..nodes import BoolOp, Node
from .assembly import Assembly
from .questions import Questions
from .reader import Issue, Workbook, XLSFormError, read_workbook
from .relevant import Unrepresentable, XPathSyntaxError, parse_xpath
from .sheets import Sheets, row_meta
from .vocabulary import KEYWORDS, META_COLUMN, METADATA, required_flag, short, type_words

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


class _Converter(Sheets, Questions, Assembly):
    """The survey walk; the other sheets are read by :class:`.sheets.Sheets`, each
    question row by :class:`.questions.Questions`, the result by :class:`.assembly.Assembly`."""

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
            meta = row_meta(cells, sheet, row, self.notes)
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
