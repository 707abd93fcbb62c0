"""The entry screen, one section per page: which questions it shows and how.

Questions that earlier sections already skip are left out; those whose condition uses an
answer of the same page are shown with the condition written out (``entry.js`` hides
them as the agent types). The state of the other pages travels in a hidden field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from markupsafe import Markup
from typing import Iterable, Mapping

from ..questionnaire.model import OTHER_SUFFIX, Definition, Question, Section
from ..questionnaire.nodes import Ref
from ..questionnaire.validation import visible_questions, visible_sections
from . import codes, keying, paper_form

#: Hidden state above this size is refused (a form has a few hundred fields at most).
MAX_STATE = 200_000


def read_state(raw: str | None) -> dict[str, str]:
    """The texts of the other pages, carried in the hidden field (bad input: empty)."""
    if not raw or len(raw) > MAX_STATE:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k)[:200]: str(v)[:6000] for k, v in data.items() if isinstance(v, (str, int, float))}


def section_fields(section: Section) -> set[str]:
    return {name for q in section.questions for name in keying.field_names(q)}


def _refs(node) -> set[str]:
    return {n.question for n in node.walk() if isinstance(n, Ref)} if node is not None else set()


def keyable_sections(definition: Definition, answers: Mapping) -> list[Section]:
    """Sections shown for these answers that have something to key."""
    return [s for s in visible_sections(definition, answers) if any(q.answerable for q in s.questions)]


def neighbour(definition: Definition, answers: Mapping, current: str, step: int) -> Section | None:
    sections = keyable_sections(definition, answers)
    ids = [s.id for s in sections]
    if current not in ids:  # the section itself is now skipped: restart from the order of the file
        order = [s.id for s in definition.sections]
        later = [s for s in sections if (order.index(s.id) > order.index(current)) == (step > 0)]
        if not later:
            return None
        return later[0] if step > 0 else later[-1]
    index = ids.index(current) + step
    return sections[index] if 0 <= index < len(sections) else None


def prune(definition: Definition, texts: Mapping[str, str], keep_section: str | None = None,
          districts: Iterable = ()) -> tuple[dict[str, str], "keying.Keyed"]:
    """Drop the texts of questions the answers now skip (except on the page being keyed).

    Returns the texts kept and what they mean (read once when nothing was dropped).
    """
    keyed = keying.read(definition, texts, districts)
    shown = {q.id for q in visible_questions(definition, keyed.answers)}
    kept = {}
    for name, text in texts.items():
        qid = name.split(".", 1)[0]
        if qid.endswith(OTHER_SUFFIX):
            qid = qid[: -len(OTHER_SUFFIX)]
        question = definition.questions.get(qid)
        if question is None:
            continue
        if qid in shown or question.section_id == keep_section:
            kept[name] = text
    return kept, (keyed if len(kept) == len(texts) else keying.read(definition, kept, districts))


@dataclass
class ScreenQuestion:
    question: Question
    number: int
    label: str
    help: str
    choices: list
    #: Condition written out, when it depends on an answer of this page.
    condition: str | None
    #: JSON tree of the condition, for entry.js.
    tree: dict | None
    rows: list = field(default_factory=list)
    hint: str = ""
    #: The codes and their labels, as HTML (escaped), built once per question.
    codes_html: Markup = Markup("")


def screen_questions(definition: Definition, section: Section, answers: Mapping,
                     districts: Iterable = ()) -> list[ScreenQuestion]:
    """The questions of ``section`` to show, numbered as on the paper form."""
    districts = tuple(districts or ())
    numbers = {q.id: i for i, q in enumerate(
        (q for s in definition.sections for q in s.questions if q.answerable), start=1)}
    here = {q.id for q in section.questions}
    shown = {q.id for q in visible_questions(definition, answers)}
    out = []
    for q in section.questions:
        if not q.answerable:
            continue
        live = bool(_refs(q.show_if_node) & here)
        if not live and q.id not in shown:
            continue
        condition = _condition_text(q, definition, numbers, districts) if live else None
        keyed = codes.choices(q, districts) if q.type in codes.CODED_TYPES else []
        out.append(ScreenQuestion(q, numbers[q.id], q.label("fr"), q.help_text("fr"), keyed, condition,
                                  q.show_if_node.to_json() if live else None,
                                  rows=[(r.id, r.label("fr")) for r in q.rows], hint=paper_form._hint(q, "fr"),
                                  codes_html=_codes_html(q, keyed)))
    return out


def _codes_html(question: Question, keyed: list) -> Markup:
    """``<span><kbd>1</kbd> Oui</span>…`` for the question's codes (labels escaped), kept with it."""
    key = tuple(c.key for c in keyed)
    found = question.__dict__.get("_entry_codes_html")
    if found is None or found[0] != key:
        html = Markup("").join(Markup("<span><kbd>{}</kbd> {}</span>").format(c.key, c.option.label("fr"))
                               for c in keyed)
        found = question.__dict__["_entry_codes_html"] = (key, html)
    return found[1]


def _condition_text(question: Question, definition: Definition, numbers: dict, districts: tuple) -> str:
    """The condition of ``question`` in words (kept with the question: a definition never changes)."""
    key = tuple((d.get("code"), d.get("name")) if isinstance(d, dict) else d for d in districts)
    memo = question.__dict__.setdefault("_entry_condition", {})
    if key not in memo:
        memo.clear()
        memo[key] = paper_form.humanise(question.show_if_node, definition, numbers, "fr", districts)
    return memo[key]


def client_data(items: list[ScreenQuestion]) -> dict:
    """What entry.js needs: per question its type, its codes and its live condition."""
    return {
        item.question.id: {
            "type": item.question.type,
            "keys": {c.key: c.option.code for c in item.choices},
            "labels": {c.key: c.option.label("fr") for c in item.choices},
            "width": codes.key_width(item.choices) if item.choices else 0,
            "other": item.question.other_option.code if item.question.other_option else None,
            "tree": item.tree,
        }
        for item in items
    }
