"""XLSForm expressions (the XPath subset of ``relevant`` and ``constraint``) to and from
our condition language.

Supported: ``${q}``, ``.`` (the question itself, in a constraint), ``selected()``,
``count-selected()``, ``not()``, ``and``/``or``, comparisons, ``+ - * div``, string and
number literals. ``${q} = ''`` and ``${q} != ''`` become ``empty(q)`` and ``not empty(q)``.
Anything else (``if()``, ``today()``, ``jr:choice-name()``, paths…) raises
:class:`Unrepresentable`: the expression parses but has no equivalent here.

XPath and our language treat a missing answer differently only for ``!=``: in XPath
``'' != 'a'`` is true, in ours a comparison with a missing value is false. The import
writes ``a != b`` as ``not (a = b)``; the export guards ``!=`` with ``${q} != ''``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..nodes import (Arith, BoolOp, Call, Compare, In, ListLiteral, Literal, Negate, Node, Not,
                     Ref, number_to_code)

__all__ = ["XPathSyntaxError", "Unrepresentable", "parse_xpath", "to_xpath", "Resolver"]


class XPathSyntaxError(ValueError):
    """An expression that is not valid XPath (as far as XLSForm uses it)."""


class Unrepresentable(ValueError):
    """A valid expression that our condition language cannot express."""


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^}\s]*)\s*\})
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*"|[‘’][^‘’]*[‘’]|[“”][^“”]*[“”])
  | (?P<name>[A-Za-z_][\w\-.:]*)
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.|/|\|)
""", re.VERBOSE)

#: name -> (question id, matrix row or None); raises Unrepresentable for a question we
#: do not keep. ``"."`` is the question a constraint belongs to.
Resolver = Callable[[str], tuple[str, "str | None"]]
#: (question id, code as written in the form) -> our option code
CodeMapper = Callable[[str, str], str]


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(source: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise XPathSyntaxError(f"caractère inattendu « {source[pos]} » (colonne {pos + 1})")
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind != "ws":
            text = match.group("refname") if kind == "ref" else match.group()
            if kind == "ref" and not text:
                raise XPathSyntaxError(f"référence vide ${{}} (colonne {pos + 1})")
            tokens.append(_Tok(kind, text, pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str, resolve: Resolver, code: CodeMapper, columns: bool = False):
        self.columns = columns
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0
        self.resolve = resolve
        self.code = code

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def _is(self, kind: str, *texts: str) -> bool:
        return self.tok.kind == kind and (not texts or self.tok.text in texts)

    def _next(self) -> _Tok:
        tok = self.tok
        self.i += 1
        return tok

    def _fail(self, expected: str):
        tok = self.tok
        found = "la fin de l'expression" if tok.kind == "end" else f"« {tok.text} »"
        raise XPathSyntaxError(f"attendu : {expected} ; trouvé : {found} (colonne {tok.pos + 1})")

    def _expect(self, text: str):
        if not self._is("op", text):
            self._fail(f"« {text} »")
        return self._next()

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise XPathSyntaxError("expression vide")
        node = self.parse_or()
        if self.tok.kind != "end":
            self._fail("un opérateur ou la fin de l'expression")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self._is("name", "or"):
            self._next()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_comparison()]
        while self._is("name", "and"):
            self._next()
            items.append(self.parse_comparison())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def parse_comparison(self) -> Node:
        left = self.parse_sum()
        if self._is("op", "=", "!=", "<", "<=", ">", ">="):
            op = self._next().text
            right = self.parse_sum()
            return self._compare(op, left, right)
        return left

    def _compare(self, op: str, left: Node, right: Node) -> Node:
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Ref) and isinstance(b, Literal) and b.value == "" and op in ("=", "!="):
                node = Call("empty", (a,))
                return node if op == "=" else Not(node)
        if isinstance(left, Literal) and isinstance(right, Ref):  # 'a' = ${q}: ref first
            left, right = right, left
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if isinstance(left, Ref) and isinstance(right, Literal) and isinstance(right.value, str):
            right = Literal(self.code(left.question, right.value))
        if op == "!=":
            return Not(Compare("=", left, right))
        return Compare(op, left, right)

    def parse_sum(self) -> Node:
        node = self.parse_product()
        while self._is("op", "+", "-"):
            op = self._next().text
            node = Arith(op, node, self.parse_product())
        return node

    def parse_product(self) -> Node:
        node = self.parse_unary()
        while self._is("op", "*") or self._is("name", "div", "mod"):
            op = self._next().text
            if op == "mod":
                raise Unrepresentable("opérateur « mod »")
            node = Arith("*" if op == "*" else "/", node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self._is("op", "-"):
            self._next()
            operand = self.parse_unary()
            if isinstance(operand, Literal) and not isinstance(operand.value, str):
                return Literal(-operand.value)
            return Negate(operand)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self._next()
            text = tok.text if not tok.text.startswith(".") else "0" + tok.text
            return Literal(float(text) if "." in text else int(text))
        if tok.kind == "string":
            self._next()
            return Literal(tok.text[1:-1])
        if tok.kind == "ref":
            self._next()
            return Ref(*self.resolve(tok.text))
        if self._is("op", "."):
            self._next()
            return Ref(*self.resolve("."))
        if self._is("op", "("):
            self._next()
            node = self.parse_or()
            self._expect(")")
            return node
        if tok.kind == "name" and tok.text not in ("and", "or", "div", "mod"):
            self._next()
            if not self._is("op", "(") and self.columns:
                return Ref(*self.resolve(tok.text))
            if not self._is("op", "("):
                raise Unrepresentable(f"chemin XPath « {tok.text} »")
            return self.parse_call(tok.text)
        if self._is("op", "/"):
            raise Unrepresentable("chemin XPath absolu")
        self._fail("une valeur")

    def _args(self) -> list[Node]:
        self._expect("(")
        args: list[Node] = []
        if not self._is("op", ")"):
            args.append(self.parse_or())
            while self._is("op", ","):
                self._next()
                args.append(self.parse_or())
        self._expect(")")
        return args

    def parse_call(self, name: str) -> Node:
        args = self._args()
        if name == "not":
            if len(args) != 1:
                raise XPathSyntaxError("not() prend un argument")
            return Not(args[0])
        if name == "selected":
            if len(args) != 2:
                raise XPathSyntaxError("selected() prend deux arguments")
            ref, value = args
            if not isinstance(ref, Ref) or not isinstance(value, Literal):
                raise Unrepresentable("selected() sur autre chose qu'une question et un code")
            code = value.value if isinstance(value.value, str) else str(value.value)
            return Call("selected", (ref, Literal(self.code(ref.question, code))))
        if name == "count-selected":
            if len(args) != 1 or not isinstance(args[0], Ref):
                raise Unrepresentable("count-selected() sur autre chose qu'une question")
            return Call("count", (args[0],))
        raise Unrepresentable(f"fonction « {name}() »")


def _identity_resolve(name: str) -> tuple[str, str | None]:
    return name, None


def parse_xpath(source: str, resolve: Resolver = _identity_resolve,
                code: CodeMapper = lambda q, c: c, *, columns: bool = False) -> Node:
    """Parse an XLSForm expression into our condition tree.

    Raise :class:`XPathSyntaxError` when it does not parse, :class:`Unrepresentable`
    when it parses but uses what our language lacks (and ``resolve`` may raise it for a
    question that is not kept).
    """
    return _Parser(source, resolve, code, columns).parse()


# ------------------------------------------------------------------ export
def _quote(value) -> str:
    if isinstance(value, str):
        return f"'{value}'" if "'" not in value else f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value_refs(node: Node) -> list[Ref]:
    return [n for n in node.walk() if isinstance(n, Ref)]


def to_xpath(node: Node, name_of: Callable[[Ref], str], kind_of: Callable[[str], str],
             rows_of: Callable[[str], list[str]] = lambda q: []) -> str:
    """Write one of our condition trees as an XLSForm expression.

    ``name_of`` gives the XLSForm name of a reference (``q`` or a matrix row), ``kind_of``
    the question type and ``rows_of`` a matrix's rows (to write ``empty()`` and ``count()``).
    """
    def filled(question: str) -> list[str]:
        return [f"${{{name_of(Ref(question, r))}}} != ''" for r in rows_of(question)]

    def ref(r: Ref) -> str:
        return "${" + name_of(r) + "}"

    def walk(n: Node, level: int = 0) -> str:
        if isinstance(n, Literal):
            return _quote(n.value)
        if isinstance(n, Ref):
            return ref(n)
        if isinstance(n, BoolOp):
            text = f" {n.op} ".join(walk(o, 2 if n.op == "and" else 1) for o in n.operands)
            mine = 2 if n.op == "and" else 1
            return f"({text})" if level > mine else text
        if isinstance(n, Not):
            return f"not({walk(n.operand)})"
        if isinstance(n, Negate):
            return f"-({walk(n.operand)})"
        if isinstance(n, Arith):
            op = "div" if n.op == "/" else n.op
            return f"({walk(n.left, 5)} {op} {walk(n.right, 5)})"
        if isinstance(n, Compare):
            text = f"{walk(n.left, 5)} {n.op} {walk(n.right, 5)}"
            if n.op == "!=":  # ours is false when a value is missing, XPath's is true
                guards = [f"{ref(r)} != ''" for r in dict.fromkeys(_value_refs(n))]
                text = " and ".join(guards + [text])
                return f"({text})"
            return text
        if isinstance(n, In):
            left = walk(n.left, 5)
            parts = [f"{left} = {_quote(v)}" for v in n.values.values]
            text = " or ".join(parts) if parts else "false()"
            return f"({text})" if len(parts) > 1 else text
        if isinstance(n, Call):
            target = n.args[0]
            kind = kind_of(target.question) if isinstance(target, Ref) and target.row is None \
                else "single"
            if n.name == "selected":
                code = n.args[1].value
                code = code if isinstance(code, str) else number_to_code(code)
                return f"selected({walk(target)}, {_quote(code)})"
            if n.name == "count":
                if kind in ("multiple", "ranking"):
                    return f"count-selected({walk(target)})"
                if kind == "matrix":  # XPath counts true() as 1
                    return "(" + " + ".join(f"({t})" for t in filled(target.question)) + ")"
                return f"(if({walk(target)} = '', 0, 1))"
            if n.name == "empty":
                if kind in ("multiple", "ranking"):
                    return f"count-selected({walk(target)}) = 0"
                if kind == "matrix":
                    return "not(" + " or ".join(filled(target.question)) + ")"
                return f"{walk(target)} = ''"
        if isinstance(n, ListLiteral):
            raise Unrepresentable("liste hors de « in »")
        raise Unrepresentable(f"élément {type(n).__name__}")

    return walk(node)
