"""The converted sections as a definition: assembled, built, and a condition our checks
refuse (a code the list lacks, a question asked later…) dropped and noted."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import DefinitionError
from ..loader import build_definition
from ..model import Definition

__all__ = ["Assembly"]


class Assembly:
    """What :class:`.to_ours._Converter` does once the survey sheet is walked."""

    def assemble(self, sections: list[dict], title: dict) -> dict | None:
        sheet = self.book.sheet("survey").name
        out_sections = []
        definition_constraints = []
        for section in sections:
            if not section["questions"]:
                self.note(sheet, section["_row"], section["id"], "groupe sans question reprise : "
                          "pas de section")
                continue
            s_index = len(out_sections)
            path = ("sections", s_index)
            self.token(path, (sheet, section["_row"], section["id"], "section"))
            out = {k: v for k, v in section.items() if not k.startswith("_")}
            if section.get("_show_if") is not None:
                out["show_if"] = section["_show_if"].to_source()
                self.token(path + ("show_if",), (sheet, section["_row"], section["id"], "show_if"))
                self.conditions[self.lines.lines[path + ("show_if",)]] = (out, "show_if")
            questions, constraints = [], []
            for q_index, question in enumerate(section["questions"]):
                qpath = path + ("questions", q_index)
                self.token(qpath, (sheet, question["_row"], question["id"], "question"))
                q = {k: v for k, v in question.items() if not k.startswith("_")}
                if question.get("_show_if") is not None:
                    q["show_if"] = question["_show_if"].to_source()
                    self.token(qpath + ("show_if",), (sheet, question["_row"], question["id"],
                                                      "show_if"))
                    self.conditions[self.lines.lines[qpath + ("show_if",)]] = (q, "show_if")
                questions.append(q)
                for constraint in question.get("_constraints", []):
                    expr = constraint["expr"]
                    c = {"expr": expr if isinstance(expr, str) else expr.to_source(),
                         "message": constraint["message"]}
                    if constraint.get("attach"):
                        c["attach"] = constraint["attach"]
                    scope = constraint.get("scope", "section")
                    holder = definition_constraints if scope == "questionnaire" else constraints
                    holder.append((c, question))
            out["questions"] = questions
            if constraints:
                out["constraints"] = []
                for c, question in constraints:
                    cpath = path + ("constraints", len(out["constraints"]))
                    out["constraints"].append(c)
                    self.token(cpath, (sheet, question["_row"], question["id"], "constraint"))
                    self.conditions[self.lines.lines[cpath]] = (out, ("constraints", c))
            out_sections.append(out)
        meta = self.settings_meta
        form_id = meta.get("id") or self.settings.get("form_id") or Path(self.book.source).stem
        data: dict[str, Any] = {
            "id": re.sub(r"_{2,}", "_", re.sub(r"[^a-z0-9_]+", "_", form_id.lower())).strip("_")
            or "formulaire",
            "title": meta.get("title") or title,
            "languages": meta.get("languages") or self.languages,
            "sections": out_sections,
        }
        if not data["id"][0].isalpha():
            data["id"] = "f_" + data["id"]
        if meta.get("description"):
            data["description"] = meta["description"]
        if isinstance(meta.get("axes"), dict) and meta["axes"]:
            data["axes"] = {key: {lang: text for lang, text in labels.items()
                                  if lang in data["languages"]}
                            for key, labels in meta["axes"].items() if isinstance(labels, dict)}
        if definition_constraints:
            data["constraints"] = []
            for c, question in definition_constraints:
                path = ("constraints", len(data["constraints"]))
                data["constraints"].append(c)
                self.token(path, (sheet, question["_row"], question["id"], "constraint"))
                self.conditions[self.lines.lines[path]] = (data, ("constraints", c))
        if not out_sections and not self.errors:
            self.error(sheet, None, None, "aucune question reprise : le questionnaire serait vide")
        return data

    def build(self, data: dict, axes) -> Definition | None:
        """Build; a condition our checks refuse is dropped (and noted), then rebuilt."""
        for _attempt in range(3):
            try:
                return build_definition(data, source=self.book.source, lines=self.lines, axes=axes)
            except DefinitionError as exc:
                dropped = False
                for problem in exc.problems:
                    place = self.where.get(problem.line or 0)
                    holder = self.conditions.get(problem.line or 0)
                    if holder is not None and place is not None:
                        target, key = holder
                        if key == "show_if" and "show_if" in target:
                            self.note(place[0], place[1], place[2], f"condition non reprise "
                                      f"« {target['show_if']} » : {problem.message}")
                            del target["show_if"]
                            dropped = True
                        elif isinstance(key, tuple):
                            rules = target.get("constraints", [])
                            if key[1] in rules:
                                self.note(place[0], place[1], place[2], f"contrainte non reprise "
                                          f"« {key[1]['expr']} » : {problem.message}")
                                rules.remove(key[1])
                                if not rules:
                                    del target["constraints"]
                                dropped = True
                                self.renumber(data)
                        continue
                    sheet, row, name = place[:3] if place else ("survey", None, problem.question_id)
                    self.error(sheet, row, name, problem.message)
                if not dropped or self.errors:
                    return None
        return None

    def renumber(self, data: dict) -> None:
        """Constraint paths moved after a removal: give each its token back."""
        places = {id(c): (line, self.where[line]) for line, (t, k) in self.conditions.items()
                  if isinstance(k, tuple) for c in [k[1]]}
        for key, value in list(self.lines.lines.items()):
            if "constraints" in key and len(key) >= 2 and key[-2] == "constraints":
                del self.lines.lines[key]
        holders = [((), data)] + [(("sections", i), s) for i, s in enumerate(data["sections"])]
        for path, holder in holders:
            for index, c in enumerate(holder.get("constraints", [])):
                if id(c) in places:
                    self.lines.lines[path + ("constraints", index)] = places[id(c)][0]
