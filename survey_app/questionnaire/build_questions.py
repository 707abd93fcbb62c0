"""The questions of a definition as model objects: their options, matrix rows and
indicators, with the checks of each question on its own (types, bounds, roles, axes).

Defensive like :mod:`.build`: the data may also have schema errors, so every field is
checked for its shape before use and a broken part is skipped.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .conditions import KEYWORDS
from .model import OPTION_TYPES, QUESTION_TYPES, YESNO_OPTIONS, Indicator, Option, Question, Row

__all__ = ["QuestionBuilder"]

_INDICATOR_TYPES = frozenset({"single", "multiple", "yesno", "scale"})
_LABEL_KEYS = ("unit", "min_label", "max_label", "pattern_message")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class QuestionBuilder:
    """What :class:`.build.Builder` does with each question of a section."""

    def question(self, raw: Any, path: tuple, section_id: str, axes: dict) -> Question | None:
        raw = _dict(raw)
        qid, qtype = _text(raw.get("id")), raw.get("type")
        if qid is None:
            return None
        if qid in self.questions or qid in self.opaque:
            first = self.line_of(self.paths.get(qid, ()))
            self.problem(path + ("id",), f"identifiant de question en double « {qid} » "
                         f"(déjà utilisé ligne {first})", f"duplicate question id '{qid}'", qid)
            return None
        self.paths[qid] = path
        if qid in KEYWORDS:
            self.problem(path + ("id",), f"« {qid} » est un mot réservé du langage des "
                         f"conditions", f"'{qid}' is a reserved word", qid)
        if "__" in qid:
            self.problem(path + ("id",), "« __ » est réservé dans un identifiant (clé de la "
                         "réponse « Autre, précisez »)", "'__' is reserved in ids", qid)
        if qtype not in QUESTION_TYPES:
            self.opaque.add(qid)
            return None
        q = Question(id=qid, type=qtype, section_id=section_id, position=len(self.questions),
                     labels=self.labels(raw.get("label"), path + ("label",), qid) or {"fr": qid},
                     help=self.labels(raw.get("help"), path + ("help",), qid),
                     required=raw.get("required") is True, show_if=_text(raw.get("show_if")),
                     widget=_text(raw.get("widget")), role=_text(raw.get("role")),
                     axis=_text(raw.get("axis")), theme=_text(raw.get("theme")))
        for key in ("min", "max"):
            value = raw.get(key)
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                setattr(q, key, value)
        for key in ("min_choices", "max_choices", "rank_count", "max_length"):
            value = raw.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(q, key, value)
        q.pattern = _text(raw.get("pattern"))
        for key in _LABEL_KEYS:
            setattr(q, key, self.labels(raw.get(key), path + (key,), qid))
        q.show_if_node = self.condition(raw.get("show_if"), path + ("show_if",), qid)
        if qtype in OPTION_TYPES:
            q.options = self.options(raw.get("options"), path + ("options",), q)
        elif qtype == "yesno":
            q.options = list(YESNO_OPTIONS)
        if qtype == "matrix":
            q.rows = self.rows(raw.get("rows"), path + ("rows",), q)
        self.check_question(q, raw, path, axes)
        if "indicator" in raw and isinstance(raw["indicator"], dict):
            q.indicator = self.indicator(raw["indicator"], path + ("indicator",), q, None)
        self.questions[qid] = q
        return q

    def options(self, raw: Any, path: tuple, q: Question) -> list[Option]:
        options, codes = [], {}
        for index, item in enumerate(_list(raw)):
            item = _dict(item)
            code = item.get("code")
            if isinstance(code, bool) or not isinstance(code, (str, int)):
                continue
            code = str(code)
            if code in codes:
                self.problem(path + (index, "code"), f"code d'option en double « {code} » "
                             f"(déjà utilisé ligne {codes[code]})",
                             f"duplicate option code '{code}'", q.id)
                continue
            codes[code] = self.line_of(path + (index,))
            options.append(Option(code=code, other=item.get("other") is True,
                                  exclusive=item.get("exclusive") is True,
                                  labels=self.labels(item.get("label"), path + (index, "label"),
                                                     q.id) or {"fr": code}))
        if sum(o.other for o in options) > 1:
            self.problem(path, "une seule option « Autre, précisez » (other: true) par "
                         "question", "only one 'other' option per question", q.id)
        if any(o.other for o in options) and q.type == "matrix":
            self.problem(path, "other: true n'a pas de sens dans une matrice",
                         "other: true is meaningless in a matrix", q.id)
        if any(o.exclusive for o in options) and q.type != "multiple":
            self.problem(path, "exclusive: true ne s'applique qu'aux choix multiples",
                         "exclusive: true only applies to multiple choice", q.id)
        return options

    def rows(self, raw: Any, path: tuple, q: Question) -> list[Row]:
        rows, seen = [], set()
        for index, item in enumerate(_list(raw)):
            item = _dict(item)
            rid = _text(item.get("id"))
            if rid is None:
                continue
            if rid in seen:
                self.problem(path + (index, "id"), f"ligne en double « {rid} » dans la matrice",
                             f"duplicate row '{rid}'", q.id)
                continue
            seen.add(rid)
            row = Row(rid, self.labels(item.get("label"), path + (index, "label"), q.id)
                      or {"fr": rid})
            if isinstance(item.get("indicator"), dict):
                row.indicator = self.indicator(item["indicator"], path + (index, "indicator"),
                                               q, rid)
            rows.append(row)
        return rows

    def indicator(self, raw: dict, path: tuple, q: Question, row: str | None
                  ) -> Indicator | None:
        name = _text(raw.get("name"))
        if name is None:
            return None
        if name in self.indicator_names:
            self.problem(path + ("name",), f"nom d'indicateur en double « {name} » (déjà "
                         f"utilisé par « {self.indicator_names[name]} »)",
                         f"duplicate indicator name '{name}'", q.id)
        self.indicator_names[name] = q.id
        if row is None and q.type not in _INDICATOR_TYPES:
            self.problem(path, f"un indicateur ne s'applique pas à une question de type "
                         f"« {q.type} » (types : {', '.join(sorted(_INDICATOR_TYPES))}, ou une "
                         f"ligne de matrice)", f"no indicator on a '{q.type}' question", q.id)
        need = [str(c) for c in _list(raw.get("need")) if isinstance(c, (str, int))
                and not isinstance(c, bool)]
        if q.type == "scale" and row is None:
            valid = [str(v) for v in range(q.min, q.max + 1)] \
                if isinstance(q.min, int) and isinstance(q.max, int) else need
        else:
            valid = q.codes
        for code in need:
            if code not in valid:
                self.problem(path + ("need",), f"l'indicateur « {name} » compte le code "
                             f"« {code} », qui n'existe pas (codes : {', '.join(valid)})",
                             f"indicator '{name}' counts unknown code '{code}'", q.id)
        return Indicator(name=name, need=tuple(need), question_id=q.id, row_id=row,
                         axis=q.axis, labels=self.labels(raw.get("label"), path + ("label",),
                                                         q.id) or {"fr": name})

    def check_question(self, q: Question, raw: dict, path: tuple, axes: dict) -> None:
        def bad(key, fr, en):
            self.problem(path + (key,), fr, en, q.id)

        if q.type == "note":
            for key in ("required", "role", "axis", "indicator"):
                if key in raw and raw[key] not in (False, None):
                    bad(key, f"une note n'attend pas de réponse : « {key} » est sans objet",
                        f"a note has no answer: '{key}' is meaningless")
        if q.axis is not None and q.axis not in axes:
            bad("axis", f"axe non déclaré « {q.axis} » (axes : {', '.join(axes)})",
                f"undeclared axis '{q.axis}'")
        if q.role:
            if q.role in self.roles:
                bad("role", f"le rôle « {q.role} » est déjà porté par « {self.roles[q.role]} »",
                    f"role '{q.role}' already used")
            self.roles.setdefault(q.role, q.id)
            expected = "district" if q.role == "district" else "single"
            if q.type != expected:
                bad("role", f"le rôle « {q.role} » demande une question de type « {expected} »",
                    f"role '{q.role}' needs a '{expected}' question")
        if q.type in ("integer", "decimal", "year", "scale") and isinstance(q.min, (int, float)) \
                and isinstance(q.max, (int, float)) and (q.min > q.max or (q.type == "scale"
                                                             and q.min == q.max)):
            bad("max", f"min ({q.min}) doit être inférieur à max ({q.max})", "min must be < max")
        if q.type == "scale" and isinstance(q.min, int) and isinstance(q.max, int) \
                and q.max - q.min > 20:
            bad("max", "une échelle compte au plus 21 points", "a scale has at most 21 points")
        if q.type == "date":
            dates = {}
            for key in ("min", "max"):
                if isinstance(q.min if key == "min" else q.max, str):
                    try:
                        dates[key] = _dt.date.fromisoformat(getattr(q, key))
                    except ValueError:
                        bad(key, f"date invalide « {getattr(q, key)} » (AAAA-MM-JJ)",
                            "invalid date")
            if len(dates) == 2 and dates["min"] > dates["max"]:
                bad("max", "la date min est après la date max", "min date after max date")
        if q.type == "multiple":
            free = sum(not o.exclusive for o in q.options)
            if q.max_choices is not None and q.max_choices > max(free, 1):
                bad("max_choices", f"max_choices ({q.max_choices}) dépasse le nombre d'options "
                    f"combinables ({free})", "max_choices exceeds the options")
            if q.max_choices is not None and q.min_choices is not None \
                    and q.min_choices > q.max_choices:
                bad("min_choices", "min_choices dépasse max_choices", "min_choices > max_choices")
            if q.max_choices == 0:
                bad("max_choices", "max_choices doit valoir au moins 1", "max_choices >= 1")
        if q.type == "ranking" and q.rank_count is not None:
            if q.rank_count > len(q.options):
                bad("rank_count", f"rank_count ({q.rank_count}) dépasse le nombre d'options "
                    f"({len(q.options)})", "rank_count exceeds the options")
            if q.min_choices is not None and q.min_choices > q.rank_count:
                bad("min_choices", "min_choices dépasse rank_count", "min_choices > rank_count")
        if q.pattern is not None:
            try:
                re.compile(q.pattern)
            except re.error as exc:
                bad("pattern", f"expression régulière invalide : {exc}", f"invalid regex: {exc}")
        if q.pattern_message is not None and q.pattern is None:
            bad("pattern_message", "pattern_message sans pattern", "pattern_message without pattern")
