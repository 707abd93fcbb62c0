"""The printable questionnaire, built from the same definition as the web survey.

Questions are numbered; each option carries the code the agent types and a box; the
conditions become instructions written for a respondent (« Si vous avez répondu Non,
passez à la question 14 »). The page is HTML with a print stylesheet (``print.css``)
and, through WeasyPrint, a PDF whose fonts come from the package and which fetches
nothing outside the package's static folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlparse

from ..questionnaire.model import CHOICE_TYPES, Definition, Question, label_in
from ..questionnaire.nodes import BoolOp, Node, Ref
from . import codes
from .serials import display

_TEXT = {
    "fr": {"and": " et ", "or": " ou ", "answered": "vous avez répondu {options} à la question {n}",
           "not_answered": "vous n'avez pas répondu {options} à la question {n}",
           "rule": "la règle « {rule} » est vérifiée", "if_question": "Répondez seulement si {cond}.",
           "if_section": "Répondez à cette partie seulement si {cond}.", "go": "passez à la question {n}",
           "go_end": "passez à la fin du questionnaire", "sep": " ou "},
    "en": {"and": " and ", "or": " or ", "answered": "you answered {options} to question {n}",
           "not_answered": "you did not answer {options} to question {n}",
           "rule": "the rule “{rule}” holds", "if_question": "Answer only if {cond}.",
           "if_section": "Answer this part only if {cond}.", "go": "go to question {n}",
           "go_end": "go to the end of the questionnaire", "sep": " or "},
}


@dataclass
class PrintedChoice:
    key: str
    label: str
    #: « passez à la question N » when this choice skips the next questions.
    skip: str | None = None
    other: bool = False


@dataclass
class PrintedQuestion:
    number: int
    question: Question
    label: str
    help: str = ""
    instruction: str | None = None
    choices: list[PrintedChoice] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""


@dataclass
class PrintedSection:
    title: str
    intro: str
    instruction: str | None
    items: list  # PrintedQuestion or a note's text (str)


def _refs(node: Node | None) -> set[str]:
    return {n.question for n in node.walk() if isinstance(n, Ref)} if node is not None else set()


def _texts(lang: str) -> dict:
    return _TEXT.get(lang, _TEXT["fr"])


def _satisfying(node: Node, question: Question, districts) -> list[str] | None:
    """Options of ``question`` for which ``node`` (using only it) holds; None if not a choice."""
    if question.type not in CHOICE_TYPES:
        return None
    found = []
    for option in question.options_for(districts):
        value = [option.code] if question.type in ("multiple", "ranking") else option.code
        if node.evaluate({question.id: value}):
            found.append(option.code)
    return found


def humanise(node: Node, definition: Definition, numbers: dict[str, int], lang: str, districts=()) -> str:
    """A condition in words, the questions by their printed number."""
    text = _texts(lang)
    refs = _refs(node)
    if len(refs) == 1:
        question = definition.questions[next(iter(refs))]
        codes_ok = _satisfying(node, question, districts)
        if codes_ok:
            labels = {o.code: o.label(lang) for o in question.options_for(districts)}
            others = [c for c in labels if c not in codes_ok]
            # the shorter sentence: the answers that lead here, or those that do not
            single = question.type not in ("multiple", "ranking")
            key, listed = (("not_answered", others) if single and others and len(others) < len(codes_ok)
                           else ("answered", codes_ok))
            options = text["sep"].join(f"« {labels[c]} »" for c in listed)
            return text[key].format(options=options, n=numbers.get(question.id, "?"))
    if isinstance(node, BoolOp):
        return text[node.op].join(humanise(o, definition, numbers, lang, districts) for o in node.operands)
    rule = node.to_source()
    for qid, number in sorted(numbers.items(), key=lambda kv: -len(kv[0])):
        rule = rule.replace(qid, f"Q{number}")
    return text["rule"].format(rule=rule)


def _skips(definition: Definition, ordered: list[Question], numbers: dict[str, int], lang: str,
           districts) -> dict[tuple[str, str], str]:
    """« passez à la question N » for each (question, option) that skips what follows."""
    text = _texts(lang)
    sections = definition.sections_by_id
    out = {}
    for index, question in enumerate(ordered):
        if question.type not in ("single", "yesno", "district"):
            continue
        for option in question.options_for(districts):
            answers = {question.id: option.code}
            hidden, target = set(), None
            for later in ordered[index + 1:]:
                nodes = [n for n in (sections[later.section_id].show_if_node, later.show_if_node) if n is not None]
                refs = set().union(*(_refs(n) for n in nodes)) if nodes else set()
                if not nodes or not refs <= ({question.id} | hidden):
                    target = later
                    break
                if all(n.evaluate(answers) for n in nodes):
                    target = later
                    break
                hidden.add(later.id)
            if hidden:
                out[(question.id, option.code)] = (text["go"].format(n=numbers[target.id]) if target is not None
                                                   else text["go_end"])
    return out


def _hint(question: Question, lang: str) -> str:
    unit = label_in(question.unit, lang) if question.unit else ""
    if question.type == "multiple":
        return "Plusieurs réponses possibles." if lang == "fr" else "Several answers possible."
    if question.type == "ranking":
        return ("Numérotez vos choix par ordre d'importance (1 = le plus important)." if lang == "fr"
                else "Number your choices in order of importance (1 = most important).")
    if question.type in ("integer", "decimal", "year", "scale"):
        bounds = ""
        if question.min is not None and question.max is not None:
            bounds = f" ({question.min} à {question.max})" if lang == "fr" else f" ({question.min} to {question.max})"
        return (unit + bounds).strip()
    if question.type == "date":
        return "JJ/MM/AAAA" if lang == "fr" else "DD/MM/YYYY"
    return ""


def printable(definition: Definition, lang: str = "fr", districts: Iterable = ()) -> list[PrintedSection]:
    """The sections of the paper form: numbered questions, codes, instructions."""
    districts = tuple(districts or ())
    ordered = [q for s in definition.sections for q in s.questions if q.answerable]
    numbers = {q.id: i for i, q in enumerate(ordered, start=1)}
    skips = _skips(definition, ordered, numbers, lang, districts)
    text = _texts(lang)
    out = []
    for section in definition.sections:
        instruction = None
        if section.show_if_node is not None:
            instruction = text["if_section"].format(
                cond=humanise(section.show_if_node, definition, numbers, lang, districts))
        items: list = []
        for q in section.questions:
            if not q.answerable:
                items.append(q.label(lang))
                continue
            printed = PrintedQuestion(numbers[q.id], q, q.label(lang), q.help_text(lang), hint=_hint(q, lang))
            if q.show_if_node is not None:
                printed.instruction = text["if_question"].format(
                    cond=humanise(q.show_if_node, definition, numbers, lang, districts))
            if q.type in codes.CODED_TYPES:
                printed.choices = [PrintedChoice(c.key, c.option.label(lang), skips.get((q.id, c.option.code)),
                                                 c.option.other) for c in codes.choices(q, districts)]
            printed.rows = [(r.id, r.label(lang)) for r in q.rows]
            items.append(printed)
        out.append(PrintedSection(section.label(lang), section.intro_text(lang), instruction, items))
    return out


def qr_svg(serial: str) -> str:
    """The serial as an inline SVG QR code (no image file, nothing to fetch)."""
    import segno

    return segno.make(serial, error="m").svg_inline(scale=3, border=2, omitsize=False)


def copies(serial_list: Iterable[str | None]) -> list[dict]:
    """One entry per printed copy: its serial as printed and its QR code (empty for a blank copy)."""
    return [{"serial": display(s), "qr": qr_svg(s)} if s else {"serial": "", "qr": ""} for s in serial_list]


def static_folder() -> Path:
    return Path(__file__).resolve().parent.parent / "static"


def check_url(url: str) -> Path:
    """The file of the package's static folder that ``url`` names; raise ValueError for any other."""
    parsed = urlparse(url)
    root = static_folder()
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path)).resolve()
        if path.is_file() and root in path.parents:
            return path
    raise ValueError(f"Adresse refusée (seuls les fichiers du service sont lus) : {url[:80]}")


def url_fetcher():
    """A WeasyPrint fetcher that reads the package's static files and nothing else."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 68 and later
        class StaticFilesOnly(urls.URLFetcher):
            def fetch(self, url, headers=None):
                return super().fetch(check_url(url).as_uri(), headers)

        return StaticFilesOnly(allowed_protocols={"file"}, allow_redirects=False)

    def fetch(url, timeout=10, ssl_context=None):  # older releases: a function returning a dict
        return urls.default_url_fetcher(check_url(url).as_uri(), timeout=timeout, ssl_context=ssl_context)

    return fetch


def to_pdf(html: str) -> bytes:
    """The PDF of the printable page (WeasyPrint imported here, never with the app)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    root = static_folder()
    fonts, fetcher = FontConfiguration(), url_fetcher()
    stylesheet = CSS(filename=os.fspath(root / "print.css"), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def to_pdf_in_batches(campaign, definition: Definition, lang: str, serial_list: list, *, batch: int = 20,
                      progress=None) -> bytes:
    """The PDF of these copies, laid out `batch` copies at a time (``progress(done, total)`` after each).

    Each batch is one WeasyPrint document; their pages are written as one PDF. Each copy
    starts on a new page (print stylesheet), so the result is the PDF of all copies at once.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    root = static_folder()
    fonts, fetcher = FontConfiguration(), url_fetcher()
    stylesheet = CSS(filename=os.fspath(root / "print.css"), url_fetcher=fetcher, font_config=fonts)
    documents, total = [], len(serial_list)
    for start in range(0, total, max(batch, 1)):
        part = serial_list[start:start + batch]
        html = render_html(campaign, definition, lang, part)
        documents.append(HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
                         .render(stylesheets=[stylesheet], font_config=fonts))
        if progress is not None:
            progress(min(start + batch, total), total)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


_FORM_TEXTS = {
    "fr": {"serial": "N° du questionnaire", "copy": "Exemplaire",
           "how": "Cochez la case de votre réponse (une seule, sauf indication contraire). Suivez les flèches « → » "
                  "pour passer les questions qui ne vous concernent pas.",
           "end": "Merci de votre participation ! Rendez ce questionnaire à la mairie ou à la personne qui vous l'a remis."},
    "en": {"serial": "Questionnaire no.", "copy": "Copy",
           "how": "Tick the box of your answer (only one unless told otherwise). Follow the arrows “→” to skip the "
                  "questions that do not concern you.",
           "end": "Thank you for taking part! Hand this questionnaire back to the town hall or to whoever gave it to you."},
}


def information_paragraphs(campaign, lang: str) -> list[str]:
    """The campaign's information text (who, why, rights, contact) as paragraphs."""
    information = campaign.information or {}
    text = information.get(lang) or information.get("fr")
    if isinstance(text, str):
        text = {"who": text}
    if not isinstance(text, dict):
        return []
    return [p.strip() for part in ("who", "why", "rights", "contact")
            for p in str(text.get(part) or "").split("\n\n") if p.strip()]


def render_html(campaign, definition: Definition, lang: str, serial_list: Iterable[str | None],
                stylesheet_href: str | None = None) -> str:
    """The printable page for these copies (``None`` in ``serial_list``: a copy without serial)."""
    from flask import render_template

    if lang not in definition.languages:
        lang = "fr"
    districts = tuple({"code": d.code, "name": d.name} for d in campaign.districts)
    return render_template(
        "entry/paper_form.html", campaign=campaign, definition=definition, form_lang=lang,
        sections=printable(definition, lang, districts), copies=copies(serial_list),
        information=information_paragraphs(campaign, lang), t=_FORM_TEXTS.get(lang, _FORM_TEXTS["fr"]),
        stylesheet_href=stylesheet_href,
    )
