"""One row of the survey sheet to one of our questions: its type, options, labels,
choice filter and constraint; and the rows of a matrix group to a matrix question."""
from __future__ import annotations

import re
from typing import Any

from ..nodes import BoolOp
from .relevant import Unrepresentable, XPathSyntaxError, parse_xpath
from .rules import full_pattern, split_constraint
from .vocabulary import FALSE, NOT_REPRESENTED, number_or_text, required_flag, short

__all__ = ["Questions"]


class Questions:
    """What :class:`.to_ours._Converter` does with each question row of the survey."""

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
