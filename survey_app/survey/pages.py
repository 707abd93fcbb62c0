"""Rendering the resident's pages, and the pages shared between residents.

A page whose content depends only on the survey snapshot, the language, the page and
which of its questions are shown is rendered once and kept (``caches.SHARED_PAGES``).
It is safe by construction: :func:`render_shared` renders a template from ``state``
alone, whose every value is part of the cache key, plus *slots*: each value of one
resident (CSRF token, resume code, page number and count, earlier answers the page's
script needs) is rendered as a placeholder and filled in for each request. Nothing
else of the request reaches the template (flashed messages make the page render afresh).
"""
from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import urlencode

from flask import current_app, render_template, request, session
from flask_babel import force_locale, format_date
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ..infra import caches
from ..questionnaire import Section
from ..questionnaire.model import label_in
from ..web.i18n import LANGUAGE_NAMES, select_locale, text_direction
from . import answering, device
from .conditions import visible_questions
from . import forms as survey_forms
from .surveys import Survey

_SLOT = "\ue000{}\ue000"


def language(survey: Survey) -> str:
    """The language of the survey's pages: chosen on the survey, else the interface's, else French."""
    chosen = session.get("survey_lang")
    if chosen in survey.languages:
        return chosen
    current = select_locale()  # what Flask-Babel would choose, without building its locale objects
    return current if current in survey.languages else "fr"


def render(template: str, survey: Survey, lang: str, status: int = 200, **context):
    """Render a survey page for this request."""
    links = [(code, LANGUAGE_NAMES.get(code, code), request.path + "?" + urlencode({"lang": code}))
             for code in survey.languages if code != lang]
    context.setdefault("format_code", answering.format_code)
    context.setdefault("csrf_token", device.csrf_token)
    with force_locale(lang):
        html = render_template(
            template, survey=survey, definition=survey.definition, campaign=survey.campaign, lang=lang,
            text_dir=text_direction(lang), survey_language_links=links, label_in=label_in, forms=survey_forms,
            format_date=format_date, **context,
        )
    return html, status


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a value of ``state`` that says everything it renders."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple([_frozen(v) for v in value])
    if isinstance(value, Mapping):
        try:  # plain data (condition trees, texts): its JSON, written by the C encoder
            return ("json", json.dumps(value, sort_keys=True))
        except TypeError:
            return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if hasattr(value, "state_key"):
        return value.state_key
    if isinstance(value, Section) or hasattr(value, "type"):  # a section or a question of the snapshot
        return (type(value).__name__, value.id)
    raise TypeError(f"{type(value).__name__} cannot be part of a shared page")


def render_shared(template: str, survey: Survey, lang: str, state: dict, slots: dict[str, str]):
    """Render ``template`` from ``state`` once per (survey, language, path, state), then
    fill in ``slots`` (name → this resident's text, escaped here) and the CSRF token."""
    if "_flashes" in session:
        values = {name: Markup(text) if name == "script_answers" else text for name, text in slots.items()}
        return render(template, survey, lang, **state, **values)
    key = (survey.identity, lang, template, request.path, _frozen(state), tuple(sorted(slots)))
    html = caches.SHARED_PAGES.get(key)
    if html is None:
        placeholders = {name: Markup(_SLOT.format(name)) for name in slots}
        html, _status = render(template, survey, lang, csrf_token=lambda: Markup(_SLOT.format("csrf")),
                               **state, **placeholders)
        caches.SHARED_PAGES.put(key, html)
    if _SLOT.format("csrf") in html:
        html = html.replace(_SLOT.format("csrf"), device.csrf_token())
    for name, text in slots.items():
        html = html.replace(_SLOT.format(name), text if name == "script_answers" else str(Markup.escape(text)))
    return html, 200


# ------------------------------------------------------------------ pages
def page_context(survey: Survey, section: Section, answers: dict, values: dict, pages: list[str] | None = None) -> dict:
    """The questions of a page (with whether the script shows them live), the conditions
    for the script and the earlier answers they use, the page's number and count."""
    definition = survey.definition
    own = {q.id for q in section.questions}
    trees = definition.condition_trees()["questions"]
    shown = {q.id for q in visible_questions(survey, values, section)}
    questions, conditions, refs = [], {}, set()
    for q in section.questions:
        tree = trees.get(q.id)
        same_page = bool(tree) and bool(survey_forms.condition_refs(tree) & own)
        if q.id not in shown and not same_page:
            continue
        questions.append((q, same_page))
        if same_page:
            conditions[q.id] = tree
            refs |= survey_forms.condition_refs(tree) - own
    position = answering.page_position(survey, answers, section.id, pages)
    return {"questions": questions, "conditions": conditions,
            "script_answers": {k: answers[k] for k in sorted(refs) if k in answers},
            "page_number": position.number, "page_count": position.count,
            "count_at_most": position.at_most, "is_last": position.is_last}


def render_page(survey: Survey, response, section: Section, answers: dict, *, values: dict | None = None,
                errors: dict | None = None, status: int = 200, notice: str | None = None,
                pages: list[str] | None = None):
    """A page of the questionnaire: shared when blank and without message, else rendered for
    this request (``pages``: the sections shown for ``answers``, when already known)."""
    lang = language(survey)
    keys = answering.page_keys(section)
    values = answers if values is None else {**{k: v for k, v in answers.items() if k not in keys}, **values}
    context = page_context(survey, section, answers, values, pages)
    policies = current_app.jinja_env.policies
    token = device.token(survey)
    slots = {"page_number": str(context["page_number"]), "page_count": str(context["page_count"]),
             "script_answers": str(htmlsafe_json_dumps(context["script_answers"], dumps=policies["json.dumps_function"],
                                                       **policies["json.dumps_kwargs"]))}
    if token is not None:
        slots["code"] = answering.format_code(token)
    if status == 200 and not errors and notice is None and not any(k in values for k in keys):
        # the usual next page: blank questions, no message
        state = {"section": section, "questions": context["questions"], "conditions": context["conditions"],
                 "is_last": context["is_last"], "count_at_most": context["count_at_most"],
                 "has_code": token is not None,
                 "version_id": survey.version.id, "errors": {}, "values": {}, "notice": None,
                 "question_html": _BlankQuestions(survey, context["questions"], lang)}
        return render_shared("survey/page.html", survey, lang, state, slots)
    with force_locale(lang):
        question_html = [question_html_of(survey, q, values, errors or {}, conditional, lang)
                         for q, conditional in context["questions"]]
    return render("survey/page.html", survey, lang, status, section=section, questions=context["questions"],
                  conditions=context["conditions"], is_last=context["is_last"],
                  count_at_most=context["count_at_most"],
                  has_code=token is not None, version_id=response.questionnaire_version_id, errors=errors or {},
                  values=values, notice=notice, question_html=question_html, page_number=context["page_number"],
                  page_count=context["page_count"], code=slots.get("code"),
                  script_answers=Markup(slots["script_answers"]))


class _BlankQuestions:
    """The blank questions of a page, rendered only when the page itself is rendered."""

    def __init__(self, survey: Survey, questions: list, lang: str):
        self.survey, self.questions, self.lang = survey, questions, lang
        self.state_key = ("blank", tuple((q.id, conditional) for q, conditional in questions))

    def __iter__(self):
        return iter([question_html_of(self.survey, q, {}, {}, conditional, self.lang) for q, conditional in self.questions])


def question_html_of(survey: Survey, q, values: dict, errors: dict, conditional: bool, lang: str):
    """Render one question (``survey/_questions.html``)."""
    macro = current_app.jinja_env.get_template("survey/_questions.html").module.question
    return macro(q, values, errors, conditional, survey.districts, lang)
