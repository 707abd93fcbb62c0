"""Our questionnaire definition to an XLSForm that pyxform (KoboToolbox, ODK) converts.

Each section is a group (one page: ``field-list``), a matrix a ``table-list`` group of
``select_one`` rows named ``question__row``, an "Autre, précisez" option a text question
``question__autre`` shown when it is selected. Rules become ``constraint`` expressions
so that ODK Collect enforces them. What XLSForm has no column for (analysis roles,
axes, indicators, the exact type: yes/no, year, long text…) is kept as JSON in a
``cls_meta`` column that pyxform ignores, so that the form comes back unchanged.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from ..model import OTHER_SUFFIX, Definition, Question, district_options
from ..nodes import Ref
from .relevant import Unrepresentable, to_xpath
from .vocabulary import META_COLUMN

__all__ = ["workbook_rows", "export_xlsform"]

_LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية", "es": "Español",
                   "de": "Deutsch", "it": "Italiano", "pt": "Português", "sw": "Kiswahili",
                   "zh": "中文", "tr": "Türkçe", "ru": "Русский", "uk": "Українська"}
_OTHER_LABEL = {"fr": "Précisez :", "en": "Please specify:"}


def _lang_column(code: str) -> str:
    return f"{_LANGUAGE_NAMES.get(code, code)} ({code})"


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class _Writer:
    def __init__(self, definition: Definition, districts: Iterable = ()):
        self.d = definition
        self.districts = list(districts or ())
        self.langs = list(definition.languages)
        self.survey: list[dict] = []
        self.choices: list[dict] = []
        self.lists: set[str] = set()
        self.notes: list[str] = []
        self.rule_targets: dict[str, list] = {}
        for c in definition.all_constraints():
            if c.target:
                self.rule_targets.setdefault(c.target, []).append(c)

    def labels(self, column: str, labels: dict | None) -> dict:
        if not labels:
            return {}
        return {f"{column}::{_lang_column(lang)}": labels[lang]
                for lang in self.langs if labels.get(lang)}

    def name_of(self, ref: Ref) -> str:
        return ref.question if ref.row is None else f"{ref.question}__{ref.row}"

    def kind_of(self, qid: str) -> str:
        question = self.d.questions.get(qid)
        return question.type if question else "single"

    def rows_of(self, qid: str) -> list[str]:
        question = self.d.questions.get(qid)
        return question.row_ids if question else []

    def xpath(self, node) -> str:
        return to_xpath(node, self.name_of, self.kind_of, self.rows_of)

    def relevant(self, row: dict, node, where: str) -> None:
        """Write a condition; one XLSForm cannot say is noted (ODK then always shows)."""
        try:
            row["relevant"] = self.xpath(node)
        except Unrepresentable as exc:
            self.notes.append(f"{where} : condition « {node} » non exportée ({exc}) : ODK "
                              "affichera toujours cette partie")

    def add_list(self, name: str, options) -> None:
        if name in self.lists:
            return
        self.lists.add(name)
        for option in options:
            self.choices.append({"list_name": name, "name": option.code,
                                 **self.labels("label", option.labels)})

    # ---------------------------------------------------------------- rows
    def write(self) -> None:
        for section in self.d.sections:
            row = {"type": "begin_group", "name": section.id, "appearance": "field-list",
                   **self.labels("label", section.title)}
            if section.show_if_node is not None:
                self.relevant(row, section.show_if_node, f"section « {section.id} »")
            if section.intro:
                row[META_COLUMN] = _compact({"intro": section.intro})
            self.survey.append(row)
            if section.intro:
                self.survey.append({"type": "note", "name": f"{section.id}__intro",
                                    **self.labels("label", section.intro)})
            for question in section.questions:
                self.question(question)
            self.survey.append({"type": "end_group", "name": section.id})

    def meta(self, q: Question) -> dict:
        data = q.to_dict()
        meta = {k: v for k, v in data.items()
                if k not in ("id", "label", "help", "required", "show_if", "options", "rows")}
        if q.type in ("single", "multiple", "ranking", "integer", "decimal", "text", "date",
                      "note", "scale"):
            meta.pop("type", None)
        other = q.other_option
        if other is not None:
            meta["other"] = other.code
        exclusive = [o.code for o in q.options if o.exclusive]
        if exclusive:
            meta["exclusive"] = exclusive
        if q.rows and any(r.indicator for r in q.rows):
            meta["rows"] = [r.to_dict() for r in q.rows if r.indicator]
        rules = self.rule_targets.get(q.id, [])
        if rules:
            meta["constraints"] = [dict(c.to_dict(), scope="section" if c.section_id else
                                        "questionnaire") for c in rules]
        return meta

    def checks(self, q: Question) -> list[str]:
        """XPath of the question's own rules, for ODK Collect to enforce."""
        parts = []
        if q.type in ("integer", "decimal", "year"):
            if q.min is not None:
                parts.append(f". >= {q.min}")
            if q.max is not None:
                parts.append(f". <= {q.max}")
            if q.type == "year" and q.min is None:
                parts.append(". >= 1900")
            if q.type == "year" and q.max is None:
                parts.append(". <= 2100")
        if q.type == "multiple":
            if q.min_choices:
                parts.append(f"count-selected(.) >= {q.min_choices}")
            if q.max_choices:
                parts.append(f"count-selected(.) <= {q.max_choices}")
            exclusive = [o.code for o in q.options if o.exclusive]
            if exclusive:
                picks = " or ".join(f"selected(., '{c}')" for c in exclusive)
                parts.append(f"not(({picks}) and count-selected(.) > 1)")
        if q.type in ("text", "longtext"):
            if q.pattern:
                pattern = q.pattern.replace("'", "\\'")
                parts.append(f"regex(., '^(?:{pattern})$')")
            if q.max_length:
                parts.append(f"string-length(.) <= {q.max_length}")
        if q.type == "date":
            if q.min:
                parts.append(f". >= date('{q.min}')")
            if q.max:
                parts.append(f". <= date('{q.max}')")
        for rule in self.rule_targets.get(q.id, []):
            try:
                parts.append(f"({self.xpath(rule.node)})")
            except Unrepresentable as exc:
                self.notes.append(f"question « {q.id} » : règle « {rule.expr} » non exportée "
                                  f"({exc}) : ODK ne la vérifiera pas")
        return parts

    def question(self, q: Question) -> None:
        row: dict = {"name": q.id, **self.labels("label", q.labels), **self.labels("hint", q.help)}
        if q.required:
            row["required"] = "yes"
        if q.show_if_node is not None:
            self.relevant(row, q.show_if_node, f"question « {q.id} »")
        meta = self.meta(q)
        if meta:
            row[META_COLUMN] = _compact(meta)
        if q.type == "matrix":
            row.update(type="begin_group", appearance="table-list")
            self.survey.append(row)
            self.add_list(f"{q.id}_options", q.options)
            for r in q.rows:
                line = {"type": f"select_one {q.id}_options", "name": f"{q.id}__{r.id}",
                        **self.labels("label", r.labels)}
                if q.required:
                    line["required"] = "yes"
                self.survey.append(line)
            self.survey.append({"type": "end_group", "name": q.id})
            return
        checks = self.checks(q)
        if checks:
            row["constraint"] = " and ".join(checks)
            messages = [r.messages for r in self.rule_targets.get(q.id, [])]
            if q.pattern_message:
                messages.insert(0, q.pattern_message)
            if messages:
                row.update(self.labels("constraint_message", messages[0]))
        if q.type in ("single", "multiple", "ranking"):
            kind = {"single": "select_one", "multiple": "select_multiple", "ranking": "rank"}[q.type]
            self.add_list(f"{q.id}_options", q.options)
            row["type"] = f"{kind} {q.id}_options"
            if q.widget == "dropdown":
                row["appearance"] = "minimal"
        elif q.type == "yesno":
            self.add_list("cls_oui_non", q.options)
            row["type"] = "select_one cls_oui_non"
        elif q.type == "district":
            self.add_list(f"{q.id}_options", district_options(self.districts))
            row["type"] = f"select_one {q.id}_options"
            if q.widget == "dropdown":
                row["appearance"] = "minimal"
        elif q.type == "scale":
            row.update(type="range", parameters=f"start={q.min} end={q.max} step=1")
        elif q.type in ("integer", "year"):
            row["type"] = "integer"
        elif q.type == "decimal":
            row["type"] = "decimal"
        elif q.type == "longtext":
            row.update(type="text", appearance="multiline")
        elif q.type in ("text", "date", "note"):
            row["type"] = q.type
        self.survey.append(row)
        other = q.other_option
        if other is not None:
            self.survey.append({"type": "text", "name": f"{q.id}{OTHER_SUFFIX}",
                                "relevant": f"selected(${{{q.id}}}, '{other.code}')",
                                **self.labels("label", _OTHER_LABEL)})

    def settings(self) -> dict:
        meta = {"id": self.d.id, "title": self.d.title, "languages": self.langs,
                "axes": self.d.axes}
        if self.d.description:
            meta["description"] = self.d.description
        return {"form_title": self.d.label("fr"), "form_id": self.d.id,
                "default_language": _lang_column("fr"), "version": self.d.content_hash[:12],
                META_COLUMN: _compact(meta)}


def workbook_rows(definition: Definition, *, districts: Iterable = (),
                  notes: list[str] | None = None) -> dict[str, list[dict]]:
    """The three sheets (survey, choices, settings) as lists of row dicts; what XLSForm
    cannot say is added to ``notes``."""
    writer = _Writer(definition, districts)
    writer.write()
    if notes is not None:
        notes.extend(writer.notes)
    return {"survey": writer.survey, "choices": writer.choices, "settings": [writer.settings()]}


def export_xlsform(definition: Definition, path: str | Path, *, districts: Iterable = (),
                   notes: list[str] | None = None) -> Path:
    """Write ``definition`` as an XLSForm workbook (xlsx) at ``path``."""
    import openpyxl

    sheets = workbook_rows(definition, districts=districts, notes=notes)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        headers = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
            for cell in sheet[sheet.max_row]:  # text, never a formula (openpyxl runs "=…")
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    path = Path(path)
    book.save(path)
    return path
