"""A constraint's parts that our format says in its own words: bounds, number of
choices, exclusive options, a pattern."""
from __future__ import annotations

from ..nodes import BoolOp, Call, Compare, Literal, Node, Not, Ref

__all__ = ["split_constraint", "full_pattern"]


def split_constraint(question: dict, node: Node) -> list[Node]:
    """Store the bounds found in ``node`` (an ``and`` of terms) on ``question``; return
    the terms left, which become a rule between questions."""
    terms = node.operands if isinstance(node, BoolOp) and node.op == "and" else (node,)
    return [term for term in terms if not bound(question, term)]


def bound(question: dict, term: Node) -> bool:
    """Store ``term`` as a bound of the question when it is one; say whether it was."""
    qid, qtype = question["id"], question["type"]
    self_ref = Ref(qid)
    if isinstance(term, Compare) and term.left == self_ref and isinstance(term.right, Literal) \
            and isinstance(term.right.value, (int, float)) and term.op in ("<", "<=", ">", ">="):
        value = term.right.value
        if qtype in ("integer", "year", "scale") or (qtype == "decimal"):
            if qtype != "decimal" and term.op in ("<", ">") and isinstance(value, int):
                value = value - 1 if term.op == "<" else value + 1
            elif qtype != "decimal" and not float(value).is_integer():
                return False
            elif term.op in ("<", ">") and qtype == "decimal":
                return False
            key = "max" if term.op in ("<", "<=") else "min"
            if key in question:
                return False
            question[key] = int(value) if qtype != "decimal" else value
            return True
    if isinstance(term, Compare) and isinstance(term.left, Call) and term.left.name == "count" \
            and term.left.args[0] == self_ref and isinstance(term.right, Literal) \
            and isinstance(term.right.value, int) and qtype == "multiple":
        value, op = term.right.value, term.op
        if op in ("<", "<="):
            question["max_choices"] = value - 1 if op == "<" else value
            return True
        if op in (">", ">="):
            question["min_choices"] = value + 1 if op == ">" else value
            return True
    if isinstance(term, Not) and qtype == "multiple":
        codes = exclusive_codes(term.operand, self_ref)
        if codes:
            for option in question.get("options", []):
                if option["code"] in codes:
                    option["exclusive"] = True
            return True
    return False


def exclusive_codes(node: Node, self_ref: Ref) -> list[str] | None:
    """Codes X of ``selected(., X) [or …] and count-selected(.) > 1``, else None."""
    if not (isinstance(node, BoolOp) and node.op == "and" and len(node.operands) == 2):
        return None
    picks, count = node.operands
    if not (isinstance(count, Compare) and isinstance(count.left, Call)
            and count.left.name == "count" and count.left.args[0] == self_ref
            and count.op == ">" and count.right == Literal(1)):
        return None
    items = picks.operands if isinstance(picks, BoolOp) and picks.op == "or" else (picks,)
    codes = []
    for item in items:
        if isinstance(item, Call) and item.name == "selected" and item.args[0] == self_ref:
            codes.append(item.args[1].value)
        else:
            return None
    return codes


def full_pattern(pattern: str) -> str:
    """XPath regex() searches; our pattern must match the whole answer."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[1:-1]
    return f".*(?:{pattern}).*"
