"""The condition language of ``show_if`` and ``constraints``.

A hand-written tokenizer and recursive-descent parser build a tree of small node
classes; nodes evaluate themselves against an answers dict (no ``eval``) and
serialise to plain JSON so that a browser script can mirror the evaluation.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum [("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") sum
                       | ["not"] "in" list]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | list | "(" expr ")"
                | ("selected" | "count" | "empty") "(" args ")" | REF
    list       := "[" [literal ("," literal)*] "]"
    REF        := question_id ["." row_id]

Missing values (an unanswered or hidden question) are ``None``: comparisons and
``in`` with a missing value are false, arithmetic gives a missing value,
``empty()`` is true, ``count()`` is 0 and ``selected()`` is false.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from .nodes import (Arith, BoolOp, Call, Compare, In, ListLiteral, Literal,
                    Negate, Node, Not, Ref, node_from_json, number_to_code)

__all__ = [
    "tree_refs",
    "ConditionSyntaxError", "Node", "Literal", "ListLiteral", "Ref", "Call", "Not",
    "Negate", "BoolOp", "Compare", "In", "Arith", "parse_condition",
    "evaluate_condition", "node_from_json", "number_to_code", "FUNCTIONS", "KEYWORDS",
]

KEYWORDS = frozenset({"and", "or", "not", "in"})
FUNCTIONS = frozenset({"selected", "count", "empty"})


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; ``position`` is the 0-based column."""

    def __init__(self, message: str, position: int, message_en: str | None = None):
        super().__init__(f"{message} (colonne {position + 1})")
        self.message = message
        self.message_en = message_en or message
        self.position = position


# ----------------------------------------------------------------- tokenizer
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)
  | (?P<op>==|!=|<=|>=|[=<>+\-*/(),\[\]])
""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, name, op, end
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char in "\"'":
                raise ConditionSyntaxError("chaîne de caractères non terminée", pos,
                                           "unterminated string")
            raise ConditionSyntaxError(f"caractère inattendu « {char} »", pos,
                                       f"unexpected character '{char}'")
        kind = match.lastgroup
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


# -------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, source: str):
        self.tokens = _tokenize(source)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _is(self, kind: str, *texts: str) -> bool:
        tok = self.tok
        return tok.kind == kind and (not texts or tok.text in texts)

    def _advance(self) -> _Token:
        tok = self.tok
        self.i += 1
        return tok

    def _fail(self, expected_fr: str, expected_en: str):
        tok = self.tok
        found = "la fin de la condition" if tok.kind == "end" else f"« {tok.text} »"
        found_en = "end of condition" if tok.kind == "end" else f"'{tok.text}'"
        raise ConditionSyntaxError(f"attendu : {expected_fr} ; trouvé : {found}", tok.pos,
                                   f"expected {expected_en}, found {found_en}")

    def _expect(self, text: str):
        if not self._is("op", text):
            self._fail(f"« {text} »", f"'{text}'")
        return self._advance()

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ConditionSyntaxError("condition vide", 0, "empty condition")
        node = self.parse_or()
        if self.tok.kind != "end":
            self._fail("opérateur ou fin de condition", "an operator or the end")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self._is("name", "or"):
            self._advance()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self._is("name", "and"):
            self._advance()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def parse_not(self) -> Node:
        if self._is("name", "not"):
            self._advance()
            return Not(self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_sum()
        if self._is("op", "=", "==", "!=", "<", "<=", ">", ">="):
            op = self._advance().text
            return Compare("=" if op == "==" else op, left, self.parse_sum())
        negated = False
        if self._is("name", "not") and self.tokens[self.i + 1].kind == "name" \
                and self.tokens[self.i + 1].text == "in":
            self._advance()
            negated = True
        if self._is("name", "in"):
            self._advance()
            if not self._is("op", "["):
                self._fail("une liste [ … ] après « in »", "a list [ ... ] after 'in'")
            node = In(left, self.parse_list())
            return Not(node) if negated else node
        return left

    def parse_sum(self) -> Node:
        node = self.parse_product()
        while self._is("op", "+", "-"):
            op = self._advance().text
            node = Arith(op, node, self.parse_product())
        return node

    def parse_product(self) -> Node:
        node = self.parse_unary()
        while self._is("op", "*", "/"):
            op = self._advance().text
            node = Arith(op, node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self._is("op", "-"):
            self._advance()
            operand = self.parse_unary()
            if isinstance(operand, Literal) and not isinstance(operand.value, str):
                return Literal(-operand.value)
            return Negate(operand)
        return self.parse_primary()

    def _literal(self) -> Any:
        tok = self.tok
        negative = False
        if self._is("op", "-") and self.tokens[self.i + 1].kind == "number":
            self._advance()
            negative, tok = True, self.tok
        if tok.kind == "number":
            self._advance()
            value = float(tok.text) if "." in tok.text else int(tok.text)
            return -value if negative else value
        if tok.kind == "string":
            self._advance()
            return _unquote(tok.text)
        self._fail("un nombre ou une chaîne entre guillemets", "a number or a quoted string")

    def parse_list(self) -> ListLiteral:
        self._expect("[")
        values = []
        if not self._is("op", "]"):
            values.append(self._literal())
            while self._is("op", ","):
                self._advance()
                values.append(self._literal())
        self._expect("]")
        return ListLiteral(tuple(values))

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("number", "string"):
            return Literal(self._literal())
        if self._is("op", "["):
            return self.parse_list()
        if self._is("op", "("):
            self._advance()
            node = self.parse_or()
            self._expect(")")
            return node
        if tok.kind == "name":
            if tok.text in KEYWORDS:
                self._fail("une valeur", "a value")
            self._advance()
            if self._is("op", "("):
                return self.parse_call(tok)
            question, _, row = tok.text.partition(".")
            return Ref(question, row or None)
        self._fail("une valeur", "a value")

    def parse_call(self, name_tok: _Token) -> Node:
        name = name_tok.text
        if name not in FUNCTIONS:
            raise ConditionSyntaxError(
                f"fonction inconnue « {name} » (fonctions : selected, count, empty)",
                name_tok.pos, f"unknown function '{name}' (functions: selected, count, empty)")
        self._expect("(")
        if self.tok.kind != "name" or self.tok.text in KEYWORDS:
            self._fail(f"un identifiant de question comme 1er argument de {name}()",
                       f"a question id as first argument of {name}()")
        question, _, row = self._advance().text.partition(".")
        args: list[Node] = [Ref(question, row or None)]
        if name == "selected":
            self._expect(",")
            value = self._literal()
            args.append(Literal(value))
        self._expect(")")
        return Call(name, tuple(args))


def parse_condition(source: str) -> Node:
    """Parse a condition into its tree; raise ``ConditionSyntaxError``."""
    if not isinstance(source, str):
        raise ConditionSyntaxError("une condition doit être une chaîne de caractères", 0,
                                   "a condition must be a string")
    return _Parser(source).parse()


def evaluate_condition(condition: "str | Node | None", answers: Mapping[str, Any]) -> bool:
    """Evaluate a condition (source or tree) against typed answers; None is true."""
    if condition is None:
        return True
    node = parse_condition(condition) if isinstance(condition, str) else condition
    return bool(node.evaluate(answers))


def tree_refs(tree: Any) -> set[str]:
    """The question ids a condition's JSON tree (:meth:`Node.to_json`) reads."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "ref" in node:
                found.add(node["ref"])
            stack.extend(node.get("args", []))
        elif isinstance(node, list):
            stack.extend(node)
    return found
