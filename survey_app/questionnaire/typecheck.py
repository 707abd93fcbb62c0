"""Static checks of a condition against the questions it refers to.

A condition is rejected when it refers to an unknown question, row or option
code, to a question that is not asked before it, or when it can never be true
for the types involved (a single choice compared with a number that is not one
of its codes, ``selected()`` on a number, ``<`` between free texts, …).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .conditions import (Arith, BoolOp, Call, Compare, In, ListLiteral, Literal, Negate,
                         Node, Not, Ref, number_to_code)
from .model import Question

__all__ = ["check_condition", "referenced_questions", "value_references"]

Message = tuple[str, str]  # (fr, en)


@dataclass(frozen=True)
class _Type:
    kind: str  # code codes matrix number date text bool str_lit num_lit unknown
    question: Question | None = None
    value: Any = None
    codes: tuple[str, ...] | None = None  # None: open list (district)

    @property
    def name(self) -> str:
        return self.question.id if self.question else repr(self.value)


_UNKNOWN = _Type("unknown")
_BOOL = _Type("bool")
_NUMBER = _Type("number")


def _is_iso_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


def _numeric(codes) -> bool:
    if not codes:
        return False
    try:
        [float(c) for c in codes]
    except ValueError:
        return False
    return True


def referenced_questions(node: Node) -> list[str]:
    """Question ids referred to by a condition, in order of appearance."""
    seen: list[str] = []
    for n in node.walk():
        if isinstance(n, Ref) and n.question not in seen:
            seen.append(n.question)
    return seen


def value_references(node: Node) -> list[str]:
    """Question ids whose value is used (not just tested by empty/count/selected)."""
    found: list[str] = []

    def visit(n: Node):
        if isinstance(n, Call):
            return
        if isinstance(n, Ref):
            if n.question not in found:
                found.append(n.question)
            return
        for child in n.children():
            visit(child)

    visit(node)
    return found


class _Checker:
    def __init__(self, questions: Mapping[str, Question], is_allowed: Callable[[str], bool],
                 where: str):
        self.questions = questions
        self.is_allowed = is_allowed
        self.where = where
        self.problems: list[Message] = []

    def fail(self, fr: str, en: str) -> _Type:
        self.problems.append((fr, en))
        return _UNKNOWN

    # ------------------------------------------------------------ references
    def ref(self, node: Ref) -> _Type:
        q = self.questions.get(node.question)
        if q is None:
            return self.fail(f"question inconnue « {node.question} » dans la condition",
                             f"unknown question '{node.question}' in the condition")
        if not self.is_allowed(q.id):
            self.fail(f"la condition porte sur « {q.id} », qui n'est pas posée avant "
                      f"{self.where} : une condition ne peut dépendre que de questions antérieures",
                      f"the condition refers to '{q.id}', which is not asked before "
                      f"{self.where}: a condition may only depend on earlier questions")
        if q.type == "note":
            return self.fail(f"« {q.id} » est un texte d'information, sans réponse",
                             f"'{q.id}' is a note and has no answer")
        if node.row is not None:
            if q.type != "matrix":
                return self.fail(f"« {q.id} » n'est pas une matrice : « {node.to_source()} » "
                                 f"est invalide", f"'{q.id}' is not a matrix")
            if node.row not in q.row_ids:
                return self.fail(f"ligne inconnue « {node.row} » dans la matrice « {q.id} » "
                                 f"(lignes : {', '.join(q.row_ids)})",
                                 f"unknown row '{node.row}' in matrix '{q.id}'")
            return _Type("code", q, codes=tuple(q.codes))
        if q.type in ("single", "yesno"):
            codes = ("oui", "non") if q.type == "yesno" else tuple(q.codes)
            return _Type("code", q, codes=codes)
        if q.type == "district":
            return _Type("code", q, codes=None)
        if q.type in ("multiple", "ranking"):
            return _Type("codes", q, codes=tuple(q.codes))
        if q.type == "matrix":
            return _Type("matrix", q)
        if q.type in ("integer", "decimal", "year", "scale"):
            return _Type("number", q)
        if q.type == "date":
            return _Type("date", q)
        return _Type("text", q)

    # ------------------------------------------------------------- dispatch
    def check(self, node: Node) -> _Type:
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                return _Type("str_lit", value=node.value)
            return _Type("num_lit", value=node.value)
        if isinstance(node, ListLiteral):
            return self.fail("une liste ne peut apparaître qu'après « in »",
                             "a list may only appear after 'in'")
        if isinstance(node, Ref):
            return self.ref(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, (Not, BoolOp)):
            operands = (node.operand,) if isinstance(node, Not) else node.operands
            for operand in operands:
                t = self.check(operand)
                if t.kind not in ("bool", "unknown"):
                    self.fail(f"« {operand.to_source()} » n'est pas une condition (vrai/faux) : "
                              f"and, or et not relient des comparaisons",
                              f"'{operand.to_source()}' is not a true/false condition")
            return _BOOL
        if isinstance(node, (Arith, Negate)):
            operands = (node.operand,) if isinstance(node, Negate) else (node.left, node.right)
            for operand in operands:
                t = self.check(operand)
                if t.kind not in ("number", "num_lit", "unknown"):
                    self.fail(f"calcul sur « {operand.to_source()} », qui n'est pas un nombre",
                              f"arithmetic on '{operand.to_source()}', which is not a number")
            if isinstance(node, Arith) and node.op == "/" and isinstance(node.right, Literal) \
                    and node.right.value == 0:
                self.fail("division par zéro", "division by zero")
            return _NUMBER
        if isinstance(node, Compare):
            self.compare(node)
            return _BOOL
        if isinstance(node, In):
            self.membership(node)
            return _BOOL
        return self.fail("expression invalide", "invalid expression")  # pragma: no cover

    def call(self, node: Call) -> _Type:
        t = self.ref(node.args[0])
        if t.kind == "unknown":
            return _NUMBER if node.name == "count" else _BOOL
        if node.name == "selected":
            if t.kind not in ("code", "codes"):
                self.fail(f"selected() ne s'applique qu'à une question à choix, "
                          f"pas à « {node.args[0].to_source()} »",
                          f"selected() only applies to a choice question, "
                          f"not '{node.args[0].to_source()}'")
            else:
                self.code_literal(t, node.args[1].value)
            return _BOOL
        if node.name == "count" and t.kind not in ("codes", "matrix"):
            self.fail(f"count() s'applique aux choix multiples, classements et matrices, "
                      f"pas à « {t.name} » (utilisez empty())",
                      f"count() applies to multiple choice, ranking and matrix questions, "
                      f"not '{t.name}' (use empty())")
        return _NUMBER if node.name == "count" else _BOOL

    def code_literal(self, t: _Type, value: Any) -> None:
        code = value if isinstance(value, str) else number_to_code(value)
        if t.codes is None:
            if isinstance(value, str) and not value.strip():
                self.fail("code de quartier vide", "empty district code")
            return
        if code not in t.codes:
            self.fail(f"« {code} » n'est pas un code de la question « {t.question.id} » : "
                      f"la condition ne peut jamais être vraie (codes : {', '.join(t.codes)})",
                      f"'{code}' is not a code of question '{t.question.id}': the condition "
                      f"can never be true (codes: {', '.join(t.codes)})")

    # ---------------------------------------------------------- comparisons
    def compare(self, node: Compare) -> None:
        left, right = self.check(node.left), self.check(node.right)
        if "unknown" in (left.kind, right.kind):
            return
        op = node.op
        ordering = op not in ("=", "!=")
        if left.kind in ("str_lit", "num_lit") and right.kind not in ("str_lit", "num_lit"):
            left, right = right, left
        for t in (left, right):
            if t.kind == "bool":
                self.fail("on compare des valeurs, pas des conditions",
                          "comparisons apply to values, not to conditions")
                return
            if t.kind == "codes":
                self.fail(f"« {t.name} » admet plusieurs réponses : utilisez selected({t.name}, "
                          f"code) ou count({t.name})",
                          f"'{t.name}' has several answers: use selected() or count()")
                return
            if t.kind == "matrix":
                self.fail(f"« {t.name} » est une matrice : précisez la ligne ({t.name}.ligne)",
                          f"'{t.name}' is a matrix: name a row ({t.name}.row)")
                return
        kinds = (left.kind, right.kind)
        if left.kind == "code":
            if right.kind in ("str_lit", "num_lit"):
                if ordering and not (_numeric(left.codes) and right.kind == "num_lit"):
                    self.fail(f"« {op} » n'a pas de sens pour les codes de « {left.name} », "
                              f"qui ne sont pas des nombres",
                              f"'{op}' is meaningless for the codes of '{left.name}'")
                elif not ordering:
                    self.code_literal(left, right.value)
            elif right.kind == "code":
                if ordering and not (_numeric(left.codes) and _numeric(right.codes)):
                    self.fail(f"« {op} » n'a pas de sens entre des codes non numériques",
                              f"'{op}' is meaningless between non-numeric codes")
                elif left.codes is not None and right.codes is not None \
                        and op == "=" and not set(left.codes) & set(right.codes):
                    self.fail(f"« {left.name} » et « {right.name} » n'ont aucun code commun : "
                              f"la condition ne peut jamais être vraie",
                              f"'{left.name}' and '{right.name}' share no code")
            elif right.kind == "number" and _numeric(left.codes):
                pass
            else:
                self.incompatible(left, right)
        elif left.kind == "number":
            if right.kind == "num_lit":
                self.number_range(left.question, op, right.value)
            elif right.kind != "number":
                if right.kind == "str_lit":
                    self.fail(f"« {left.name} » est un nombre : comparez-la à un nombre, "
                              f"sans guillemets",
                              f"'{left.name}' is a number: compare it with a number, unquoted")
                else:
                    self.incompatible(left, right)
        elif left.kind == "date":
            if right.kind == "str_lit":
                if not _is_iso_date(right.value):
                    self.fail(f"« {right.value} » n'est pas une date AAAA-MM-JJ",
                              f"'{right.value}' is not a YYYY-MM-DD date")
            elif right.kind != "date":
                self.incompatible(left, right)
        elif left.kind == "text":
            if ordering:
                self.fail(f"« {op} » n'a pas de sens pour un texte libre (« {left.name} ») : "
                          f"seuls = et != sont permis",
                          f"'{op}' is meaningless for free text '{left.name}'")
            elif right.kind not in ("str_lit", "text"):
                self.incompatible(left, right)
        elif kinds in (("str_lit", "num_lit"), ("num_lit", "str_lit")):
            self.incompatible(left, right)

    def incompatible(self, left: _Type, right: _Type) -> None:
        names = {"code": "un choix", "number": "un nombre", "date": "une date",
                 "text": "un texte", "str_lit": "une chaîne", "num_lit": "un nombre"}
        self.fail(f"comparaison impossible entre {names.get(left.kind, left.kind)} "
                  f"(« {left.name} ») et {names.get(right.kind, right.kind)} (« {right.name} ») : "
                  f"la condition ne peut jamais être vraie",
                  f"cannot compare {left.kind} '{left.name}' with {right.kind} '{right.name}'")

    def number_range(self, q: Question | None, op: str, value: float) -> None:
        if q is None:
            return
        low, high = q.min, q.max
        if q.type == "scale":
            low, high = q.min if q.min is not None else 1, q.max if q.max is not None else 5
        possible = {
            "=": (low is None or value >= low) and (high is None or value <= high),
            ">": high is None or value < high, ">=": high is None or value <= high,
            "<": low is None or value > low, "<=": low is None or value >= low,
        }.get(op, True)
        if not possible:
            self.fail(f"« {q.id} {op} {number_to_code(value)} » ne peut jamais être vrai : "
                      f"les réponses vont de {low} à {high}",
                      f"'{q.id} {op} {number_to_code(value)}' can never be true: "
                      f"answers range from {low} to {high}")

    def membership(self, node: In) -> None:
        t = self.check(node.left)
        values = node.values.values
        if not values:
            self.fail("liste vide après « in » : la condition ne peut jamais être vraie",
                      "empty list after 'in': the condition can never be true")
            return
        if t.kind in ("unknown",):
            return
        if t.kind == "codes":
            self.fail(f"« {t.name} » admet plusieurs réponses : utilisez selected({t.name}, code)",
                      f"'{t.name}' has several answers: use selected()")
        elif t.kind == "matrix":
            self.fail(f"« {t.name} » est une matrice : précisez la ligne ({t.name}.ligne)",
                      f"'{t.name}' is a matrix: name a row")
        elif t.kind == "bool":
            self.fail("« in » s'applique à une valeur, pas à une condition",
                      "'in' applies to a value, not a condition")
        elif t.kind == "code":
            for value in values:
                self.code_literal(t, value)
        elif t.kind in ("number", "num_lit"):
            if any(isinstance(v, str) for v in values):
                self.fail(f"« {t.name} » est un nombre : la liste doit contenir des nombres",
                          f"'{t.name}' is a number: the list must hold numbers")
            elif t.question is not None and not any(
                    (t.question.min is None or v >= t.question.min)
                    and (t.question.max is None or v <= t.question.max) for v in values):
                self.fail(f"aucune valeur de la liste n'est possible pour « {t.name} »",
                          f"no value of the list is possible for '{t.name}'")
        elif t.kind in ("text", "date", "str_lit"):
            if any(not isinstance(v, str) for v in values):
                self.fail(f"« {t.name} » est un texte : la liste doit contenir des chaînes",
                          f"'{t.name}' is text: the list must hold strings")
            elif t.kind == "date" and not all(_is_iso_date(v) for v in values):
                self.fail("la liste doit contenir des dates AAAA-MM-JJ",
                          "the list must hold YYYY-MM-DD dates")


def check_condition(node: Node, questions: Mapping[str, Question],
                    is_allowed: Callable[[str], bool] = lambda qid: True,
                    where: str = "cette question") -> list[Message]:
    """Return the (fr, en) problems of a parsed condition; empty when it is sound."""
    checker = _Checker(questions, is_allowed, where)
    result = checker.check(node)
    if result.kind not in ("bool", "unknown"):
        checker.fail(f"« {node.to_source()} » n'est pas une condition vraie/fausse "
                     f"(attendu : une comparaison, selected(), empty()…)",
                     f"'{node.to_source()}' is not a true/false condition")
    # one message per distinct problem, in order
    return list(dict.fromkeys(checker.problems))

