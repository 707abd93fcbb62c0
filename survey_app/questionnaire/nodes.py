"""Nodes of the condition tree: evaluation, JSON form and source form.

Missing values (an unanswered or hidden question) are ``None``: comparisons and
``in`` with a missing value are false, arithmetic gives a missing value,
``empty()`` is true, ``count()`` is 0 and ``selected()`` is false.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = [
    "Node", "Literal", "ListLiteral", "Ref", "Call", "Not", "Negate", "BoolOp", "Compare",
    "In", "Arith", "node_from_json", "number_to_code", "COMPARISON_OPS",
]

COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")


def number_to_code(value: float | int) -> str:
    """Spell a number the way an option code is written (1.0 -> "1")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(op: str, left: Any, right: Any) -> bool:
    kind = type(left)
    if kind is type(right) and (kind is str or kind is int or kind is float):
        if op == "=":  # the common case, kept fast
            return left == right
        if op == "!=":
            return left != right
    if left is None or right is None:
        return False
    if isinstance(left, (list, dict)) or isinstance(right, (list, dict)):
        return False
    if isinstance(left, str) != isinstance(right, str):
        # a code such as "3" compared with the number 3
        left, right = _as_number(left), _as_number(right)
        if left is None or right is None:
            return op == "!="
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    try:
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right
    except TypeError:
        return False


# --------------------------------------------------------------------- nodes
class Node:
    """Base class of the condition tree."""

    __slots__ = ()

    def evaluate(self, answers: Mapping[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def to_json(self) -> dict:  # pragma: no cover
        raise NotImplementedError

    def to_source(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def children(self) -> tuple["Node", ...]:
        return ()

    def walk(self):
        """Yield this node and all its descendants."""
        yield self
        for child in self.children():
            yield from child.walk()

    def __str__(self) -> str:
        return self.to_source()


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return number_to_code(value)


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any  # str, int or float

    def evaluate(self, answers):
        return self.value

    def to_json(self):
        return {"lit": self.value}

    def to_source(self):
        return _quote(self.value)


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    values: tuple

    def evaluate(self, answers):
        return list(self.values)

    def to_json(self):
        return {"list": list(self.values)}

    def to_source(self):
        return "[" + ", ".join(_quote(v) for v in self.values) + "]"


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """The answer to a question, or to one row of a matrix (``q.row``)."""

    question: str
    row: str | None = None

    def evaluate(self, answers):
        value = answers.get(self.question)
        if self.row is not None:
            return value.get(self.row) if isinstance(value, dict) else None
        return value

    def to_json(self):
        return {"ref": self.question} if self.row is None else {"ref": self.question, "row": self.row}

    def to_source(self):
        return self.question if self.row is None else f"{self.question}.{self.row}"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``selected(q, code)``, ``count(q)`` or ``empty(q)``."""

    name: str
    args: tuple

    def evaluate(self, answers):
        value = self.args[0].evaluate(answers)
        if self.name == "empty":
            return _is_empty(value)
        if self.name == "count":
            if _is_empty(value):
                return 0
            if isinstance(value, dict):
                return sum(1 for v in value.values() if not _is_empty(v))
            return len(value) if isinstance(value, list) else 1
        code = self.args[1].value
        code = code if isinstance(code, str) else number_to_code(code)
        if isinstance(value, list):
            return code in value
        return isinstance(value, str) and value == code

    def children(self):
        return self.args

    def to_json(self):
        return {"call": self.name, "args": [a.to_json() for a in self.args]}

    def to_source(self):
        return f"{self.name}(" + ", ".join(a.to_source() for a in self.args) + ")"


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node

    def evaluate(self, answers):
        return not self.operand.evaluate(answers)

    def children(self):
        return (self.operand,)

    def to_json(self):
        return {"op": "not", "args": [self.operand.to_json()]}

    def to_source(self):
        return f"not {_wrap(self.operand, 3)}"


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node

    def evaluate(self, answers):
        value = self.operand.evaluate(answers)
        number = _as_number(value) if not isinstance(value, str) else None
        return None if number is None else -number

    def children(self):
        return (self.operand,)

    def to_json(self):
        return {"op": "neg", "args": [self.operand.to_json()]}

    def to_source(self):
        return f"-{_wrap(self.operand, 7)}"


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple

    def evaluate(self, answers):
        if self.op == "and":
            return all(o.evaluate(answers) for o in self.operands)
        return any(o.evaluate(answers) for o in self.operands)

    def children(self):
        return self.operands

    def to_json(self):
        return {"op": self.op, "args": [o.to_json() for o in self.operands]}

    def to_source(self):
        level = 2 if self.op == "and" else 1
        return f" {self.op} ".join(_wrap(o, level + 1) for o in self.operands)


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, answers):
        return _compare(self.op, self.left.evaluate(answers), self.right.evaluate(answers))

    def children(self):
        return (self.left, self.right)

    def to_json(self):
        return {"op": self.op, "args": [self.left.to_json(), self.right.to_json()]}

    def to_source(self):
        return f"{_wrap(self.left, 5)} {self.op} {_wrap(self.right, 5)}"


@dataclass(frozen=True, slots=True)
class In(Node):
    left: Node
    values: ListLiteral
    _strings: frozenset = field(init=False, compare=False, repr=False, default=frozenset())
    _all_strings: bool = field(init=False, compare=False, repr=False, default=False)

    def __post_init__(self):
        values = self.values.values
        object.__setattr__(self, "_strings", frozenset(v for v in values if isinstance(v, str)))
        object.__setattr__(self, "_all_strings", all(isinstance(v, str) for v in values))

    def evaluate(self, answers):
        value = self.left.evaluate(answers)
        if type(value) is str:
            if value in self._strings:
                return True
            if self._all_strings:
                return False
        if value is None or isinstance(value, (list, dict)):
            return False
        return any(_compare("=", value, v) for v in self.values.values)

    def children(self):
        return (self.left, self.values)

    def to_json(self):
        return {"op": "in", "args": [self.left.to_json(), self.values.to_json()]}

    def to_source(self):
        return f"{_wrap(self.left, 5)} in {self.values.to_source()}"


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, answers):
        left, right = self.left.evaluate(answers), self.right.evaluate(answers)
        if isinstance(left, (str, bool)) or isinstance(right, (str, bool)):
            return None
        if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
            return None
        if self.op == "+":
            return left + right
        if self.op == "-":
            return left - right
        if self.op == "*":
            return left * right
        return None if right == 0 else left / right

    def children(self):
        return (self.left, self.right)

    def to_json(self):
        return {"op": self.op, "args": [self.left.to_json(), self.right.to_json()]}

    def to_source(self):
        level = 5 if self.op in "+-" else 6
        # right operand one level tighter: a - (b - c) keeps its parentheses
        return f"{_wrap(self.left, level)} {self.op} {_wrap(self.right, level + 1)}"


def _precedence(node: Node) -> int:
    if isinstance(node, BoolOp):
        return 1 if node.op == "or" else 2
    if isinstance(node, Not):
        return 3
    if isinstance(node, (Compare, In)):
        return 4
    if isinstance(node, Arith):
        return 5 if node.op in "+-" else 6
    if isinstance(node, Negate):
        return 7
    return 8


def _wrap(node: Node, level: int) -> str:
    text = node.to_source()
    return f"({text})" if _precedence(node) < level else text


def node_from_json(data: Mapping[str, Any]) -> Node:
    """Rebuild a tree from ``Node.to_json()`` output."""
    if "lit" in data:
        return Literal(data["lit"])
    if "list" in data:
        return ListLiteral(tuple(data["list"]))
    if "ref" in data:
        return Ref(data["ref"], data.get("row"))
    if "call" in data:
        return Call(data["call"], tuple(node_from_json(a) for a in data["args"]))
    op, args = data["op"], [node_from_json(a) for a in data["args"]]
    if op == "not":
        return Not(args[0])
    if op == "neg":
        return Negate(args[0])
    if op in ("and", "or"):
        return BoolOp(op, tuple(args))
    if op == "in":
        return In(args[0], args[1])
    if op in COMPARISON_OPS:
        return Compare(op, args[0], args[1])
    if op in ("+", "-", "*", "/"):
        return Arith(op, args[0], args[1])
    raise ValueError(f"unknown node {data!r}")
