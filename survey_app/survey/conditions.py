"""The questionnaire's conditions and checks, as the survey asks them: remembered per
survey and set of answers (``caches.CONDITIONS``).

A page asks the same questions of the same answers several times (which pages are shown,
what is hidden, what is valid), and the next request asks them again of the answers just
saved. The functions of :mod:`survey_app.questionnaire` are pure functions of the
definition, the campaign's districts and the answers, so their results are kept by those
(the definition by its content hash) and never go stale. Callers get copies.
"""
from __future__ import annotations

from typing import Any, Mapping

from .. import questionnaire
from ..infra import caches
from .surveys import Survey


def _frozen(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int:  # the usual answers: the value is its own key (1 != "1")
        return value
    if kind is list:
        return ("list", *(_frozen(v) for v in value))
    if kind is dict:
        return ("dict", *sorted((str(k), _frozen(v)) for k, v in value.items()))
    return (kind.__name__, value)  # floats (1.0 == 1), booleans (True == 1) and the rest


def _remembered(name: str, survey: Survey, answers: Mapping[str, Any], extra: tuple, compute):
    try:
        key = (name, survey.conditions_key, extra, tuple([(k, _frozen(answers[k])) for k in sorted(answers)]))
        hash(key)
    except TypeError:  # an unhashable value (a forged post): computed, not kept
        return compute()
    found = caches.CONDITIONS.get(key)
    if found is None:
        found = caches.CONDITIONS.put(key, compute())
    return found


def visible_sections(survey: Survey, answers: Mapping[str, Any]) -> list:
    return list(_remembered("sections", survey, answers, (),
                            lambda: questionnaire.visible_sections(survey.definition, answers)))


def visible_questions(survey: Survey, answers: Mapping[str, Any], section=None) -> list:
    section_id = section if section is None or isinstance(section, str) else section.id
    return list(_remembered("questions", survey, answers, (section_id,),
                            lambda: questionnaire.visible_questions(survey.definition, answers, section_id)))


def prune_hidden(survey: Survey, answers: Mapping[str, Any]) -> dict:
    return dict(_remembered("pruned", survey, answers, (),
                            lambda: questionnaire.prune_hidden(survey.definition, answers)))


def effective_answers(survey: Survey, answers: Mapping[str, Any]) -> dict:
    return dict(_remembered("effective", survey, answers, (), lambda: questionnaire.effective_answers(
        survey.definition, answers, districts=survey.districts)))


def validate_answers(survey: Survey, answers: Mapping[str, Any], *, lang: str, section_id: str | None = None) -> dict:
    found = _remembered("errors", survey, answers, (lang, section_id), lambda: questionnaire.validate_answers(
        survey.definition, answers, lang=lang, districts=survey.districts, section_id=section_id))
    return {k: list(v) for k, v in found.items()}
