"""Semantic checks of a definition and construction of the model objects.

The builder is defensive: the data may also have schema errors (reported by the
loader), so every field is checked for its shape before use and a broken part
is skipped rather than allowed to raise.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable, Mapping

from .conditions import KEYWORDS, ConditionSyntaxError, Node, parse_condition
from .errors import Problem
from .model import (DEFAULT_AXES, OPTION_TYPES, QUESTION_TYPES, YESNO_OPTIONS, Constraint,
                    Definition, Indicator, Option, Question, Row, Section)
from .typecheck import check_condition, referenced_questions, value_references

__all__ = ["Builder"]

_INDICATOR_TYPES = frozenset({"single", "multiple", "yesno", "scale"})
_LABEL_KEYS = ("unit", "min_label", "max_label", "pattern_message")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class Builder:
    def __init__(self, data: Any, *, source: str, line_of: Callable[[tuple], int | None],
                 axes: Mapping | None = None):
        self.data = data
        self.source = source
        self.line_of = line_of
        self.axes_override = axes
        self.problems: list[Problem] = []
        self.languages: list[str] = ["fr"]
        self.questions: dict[str, Question] = {}
        self.paths: dict[str, tuple] = {}  # question id -> path
        self.opaque: set[str] = set()  # ids of questions too broken to check against
        self.indicator_names: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.section_ids: list[str] = []

    # ------------------------------------------------------------- helpers
    def problem(self, path: tuple, fr: str, en: str = "", question_id: str | None = None):
        self.problems.append(Problem(self.source, self.line_of(path), question_id, fr, en))

    def labels(self, value: Any, path: tuple, qid: str | None = None) -> dict | None:
        if value is None:
            return None
        if isinstance(value, str):
            return {"fr": value}
        if not isinstance(value, dict):
            return {"fr": str(value)}
        out = {str(k): v for k, v in value.items() if isinstance(v, str)}
        for lang in out:
            if lang not in self.languages and re.fullmatch(r"[a-z]{2,3}", lang):
                self.problem(path + (lang,), f"libellé en « {lang} », langue absente de "
                             f"languages ({', '.join(self.languages)})",
                             f"label in '{lang}', a language not declared in languages", qid)
        if "fr" not in out:
            out["fr"] = next(iter(out.values()), "?")
        return out

    def condition(self, source: Any, path: tuple, qid: str | None) -> Node | None:
        if not isinstance(source, str) or not source.strip():
            return None
        try:
            return parse_condition(source)
        except ConditionSyntaxError as exc:
            self.problem(path, f"condition illisible « {source} » : {exc.message} "
                         f"(colonne {exc.position + 1})",
                         f"condition does not parse '{source}': {exc.message_en}", qid)
            return None

    # ---------------------------------------------------------------- build
    def build(self) -> Definition | None:
        data = self.data
        if not isinstance(data, dict):
            self.problem((), "le fichier doit décrire un dictionnaire (id, title, languages, "
                         "sections…)", "the file must hold a mapping")
            return None
        langs = [x for x in _list(data.get("languages")) if isinstance(x, str)]
        self.languages = langs if "fr" in langs else ["fr"] + langs
        axes = self.resolve_axes(data)
        sections = []
        for index, raw in enumerate(_list(data.get("sections"))):
            section = self.section(raw, ("sections", index), axes)
            if section is not None:
                sections.append(section)
        self.check_conditions(sections)
        constraints = [c for i, raw in enumerate(_list(data.get("constraints")))
                       if (c := self.constraint(raw, ("constraints", i), None)) is not None]
        self.check_constraints(constraints, None, len(self.questions))
        for section in sections:
            last = max((q.position for q in section.questions), default=-1)
            self.check_constraints(section.constraints, section, last + 1)
        if self.problems:
            return None
        return Definition(id=_text(data.get("id")) or "", source=self.source,
                          title=self.labels(data.get("title"), ("title",)) or {"fr": ""},
                          description=self.labels(data.get("description"), ("description",)),
                          languages=self.languages, axes=axes, sections=sections,
                          constraints=constraints)

    def resolve_axes(self, data: dict) -> dict[str, dict]:
        if self.axes_override is not None:
            source = self.axes_override
        elif isinstance(data.get("axes"), dict) and data["axes"]:
            source = data["axes"]
        else:
            source = DEFAULT_AXES
        axes = {}
        for key, labels in _dict(source).items():
            if source is data.get("axes"):  # only the file's own labels are checked
                axes[str(key)] = self.labels(labels, ("axes", key)) or {"fr": str(key)}
            elif isinstance(labels, dict):
                axes[str(key)] = {str(k): str(v) for k, v in labels.items()}
            else:
                axes[str(key)] = {"fr": str(labels)}
        return axes

    def section(self, raw: Any, path: tuple, axes: dict) -> Section | None:
        raw = _dict(raw)
        sid = _text(raw.get("id"))
        if sid is None:
            return None
        section = Section(id=sid, title=self.labels(raw.get("title"), path + ("title",)) or
                          {"fr": sid}, intro=self.labels(raw.get("intro"), path + ("intro",)),
                          show_if=_text(raw.get("show_if")))
        if sid in self.section_ids:
            self.problem(path + ("id",), f"identifiant de section en double « {sid} »",
                         f"duplicate section id '{sid}'")
        self.section_ids.append(sid)
        section.show_if_node = self.condition(raw.get("show_if"), path + ("show_if",), None)
        for index, qraw in enumerate(_list(raw.get("questions"))):
            question = self.question(qraw, path + ("questions", index), sid, axes)
            if question is not None:
                section.questions.append(question)
        section.constraints = [
            c for i, craw in enumerate(_list(raw.get("constraints")))
            if (c := self.constraint(craw, path + ("constraints", i), sid)) is not None]
        return section

    # ------------------------------------------------------------ questions
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

    # ----------------------------------------------------------- conditions
    def constraint(self, raw: Any, path: tuple, section_id: str | None) -> Constraint | None:
        raw = _dict(raw)
        expr = _text(raw.get("expr"))
        if expr is None:
            return None
        node = self.condition(expr, path + ("expr",), None)
        constraint = Constraint(expr=expr, section_id=section_id, node=node,
                                attach=_text(raw.get("attach")),
                                messages=self.labels(raw.get("message"), path + ("message",))
                                or {"fr": expr})
        constraint._path = path  # type: ignore[attr-defined]
        return constraint

    def check_conditions(self, sections: list[Section]) -> None:
        first = 0
        for section in sections:
            if section.show_if_node is not None:
                path = self.section_path(section.id) + ("show_if",)
                self.report(section.show_if_node, path, None, lambda q, f=first: q.position < f,
                            f"la section « {section.id} »")
            for q in section.questions:
                if q.show_if_node is not None:
                    self.report(q.show_if_node, self.paths[q.id] + ("show_if",), q.id,
                                lambda other, p=q.position: other.position < p,
                                f"la question « {q.id} »")
            first += len(section.questions)

    def check_constraints(self, constraints: list[Constraint], section: Section | None,
                          end: int) -> None:
        where = f"la fin de la section « {section.id} »" if section else "la fin du questionnaire"
        for c in constraints:
            path = c._path  # type: ignore[attr-defined]
            if c.node is None:
                continue
            self.report(c.node, path + ("expr",), None, lambda q: q.position < end, where)
            refs = [r for r in referenced_questions(c.node) if r in self.questions]
            c.value_refs = tuple(value_references(c.node))
            if c.attach is not None and c.attach not in self.questions:
                self.problem(path + ("attach",), f"attach : question inconnue « {c.attach} »",
                             f"attach: unknown question '{c.attach}'")
            elif c.attach is None and not referenced_questions(c.node):
                self.problem(path + ("expr",), "la contrainte ne porte sur aucune question",
                             "the constraint refers to no question")
            c.target = c.attach or (max(refs, key=lambda r: self.questions[r].position)
                                    if refs else None)

    def section_path(self, section_id: str) -> tuple:
        for index, raw in enumerate(_list(_dict(self.data).get("sections"))):
            if _dict(raw).get("id") == section_id:
                return ("sections", index)
        return ()

    def report(self, node: Node, path: tuple, qid: str | None,
               earlier: Callable[[Question], bool], where: str) -> None:
        if any(r in self.opaque for r in referenced_questions(node)):
            return  # the broken question is reported on its own
        for fr, en in check_condition(node, self.questions,
                                      lambda ref: earlier(self.questions[ref]), where):
            self.problem(path, fr, en, qid)
