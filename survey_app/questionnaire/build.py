"""Semantic checks of a definition and construction of the model objects.

The builder is defensive: the data may also have schema errors (reported by the
loader), so every field is checked for its shape before use and a broken part
is skipped rather than allowed to raise.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from .build_questions import QuestionBuilder, _dict, _list, _text
from .conditions import ConditionSyntaxError, Node, parse_condition
from .errors import Problem
from .model import DEFAULT_AXES, Constraint, Definition, Question, Section
from .typecheck import check_condition, referenced_questions, value_references

__all__ = ["Builder"]


class Builder(QuestionBuilder):
    """The definition, its sections and conditions; each question is built by
    :class:`.build_questions.QuestionBuilder`."""

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
