"""Double entry: compare the two entries of a form, settle each difference from the paper.

Both entries stay as keyed; the response changes only through decisions that carry the
value read on the paper questionnaire and a reason, each written to the response's
change log (:class:`ResponseChange`).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..campaigns.questionnaires import definition_of
from ..domain import ServiceError
from ..models import (Answer, Campaign, FormState, PaperDiscrepancy, PaperForm, Response, ResponseChange,
                      ResponseStatus, User)
from ..models._types import utcnow
from ..questionnaire import coerce_answer, coerce_other_text, effective_answers
from ..questionnaire.errors import AnswerError
from ..questionnaire.model import OTHER_SUFFIX, Definition, Question
from . import keying
from .services import districts_of

MISSING = {"kind": "missing"}


def cell(question: Question, answers: Mapping[str, Any], markers: Mapping[str, str]) -> dict:
    """What an entry (or the response) holds for ``question``, comparable and storable as JSON."""
    qid = question.id
    if qid in markers:
        return {"kind": markers[qid]}
    value = answers.get(qid)
    row_marks = {n.split(".", 1)[1]: m for n, m in markers.items() if n.startswith(qid + ".")}
    other = answers.get(qid + OTHER_SUFFIX)
    if value is None and not row_marks:
        return dict(MISSING)
    out: dict[str, Any] = {"kind": "value", "value": value}
    if row_marks:
        out["marks"] = row_marks
    if other:
        out["other"] = other
    return out


def _comparable(c: dict) -> dict:
    def norm(v):
        if isinstance(v, str):
            return re.sub(r"\s+", " ", v).strip()
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v
    out = dict(c)
    if "value" in out:
        value = out["value"]
        out["value"] = {k: norm(v) for k, v in value.items()} if isinstance(value, dict) else (
            [norm(v) for v in value] if isinstance(value, list) else norm(value))
    if "other" in out:
        out["other"] = norm(out["other"])
    return out


def same(a: dict, b: dict) -> bool:
    return _comparable(a) == _comparable(b)


def compare_entries(session: Session, form: PaperForm, definition: Definition, actor: User) -> list[PaperDiscrepancy]:
    """Compare the two entries of ``form``; validate it when they agree, else list the differences."""
    first, second = form.entry(1), form.entry(2)
    found = []
    for question in definition.questions.values():
        if not question.answerable:
            continue
        a = cell(question, first.answers, first.markers)
        b = cell(question, second.answers, second.markers)
        if not same(a, b):
            found.append(PaperDiscrepancy(form_id=form.id, question_id=question.id, first=a, second=b))
    if found:
        form.state = FormState.RECONCILING
        session.add_all(found)
        session.flush()
    else:
        _validate(session, form, actor, "Les deux saisies sont identiques.")
    return found


def _validate(session: Session, form: PaperForm, actor: User, reason: str) -> None:
    response = form.response
    old = response.status
    response.status = ResponseStatus.VALIDATED
    form.state, form.validated_at = FormState.VALIDATED, utcnow()
    session.add(ResponseChange(response_id=response.id, actor_id=actor.id, action="validate",
                               old_value={"kind": "status", "status": old.value},
                               new_value={"kind": "status", "status": ResponseStatus.VALIDATED.value},
                               reason=reason))
    session.flush()


def open_discrepancies(form: PaperForm) -> list[PaperDiscrepancy]:
    return [d for d in form.discrepancies if d.decided_at is None]


def reconciling_forms(session: Session, campaign: Campaign) -> list[PaperForm]:
    return list(session.scalars(select(PaperForm).where(
        PaperForm.campaign_id == campaign.id, PaperForm.state == FormState.RECONCILING).order_by(PaperForm.id)))


def response_cell(question: Question, response: Response) -> dict:
    return cell(question, response.answers_dict(), {})


def read_paper_value(definition: Definition, question: Question, texts: Mapping[str, str],
                     districts: Iterable = ()) -> dict | None:
    """The cell for what the coordinator read on the paper (``None``: nothing typed); raise AnswerError."""
    names = keying.field_names(question)
    given = {n: str(texts.get(n) or "").strip() for n in names}
    if not any(given.values()):
        return None
    keyed = keying.read(definition, given, districts)
    if keyed.errors.get(question.id):
        raise AnswerError({"fr": keyed.errors[question.id][0], "en": keyed.errors[question.id][0]})
    raw = keyed.answers.get(question.id)
    typed = coerce_answer(question, raw, districts=tuple(districts)) if raw is not None else None
    values = {} if typed is None else {question.id: typed}
    other = keyed.answers.get(question.id + OTHER_SUFFIX)
    if other:
        values[question.id + OTHER_SUFFIX] = coerce_other_text(other)
    return cell(question, values, keyed.markers)


def _set_answer(session: Session, response: Response, question_id: str, value: Any) -> None:
    answers = {a.question_id: a for a in response.answers}
    existing = answers.get(question_id)
    if value is None:
        if existing is not None:
            response.answers.remove(existing)
        return
    if existing is None:
        existing = Answer(question_id=question_id)
        response.answers.append(existing)
    existing.value = value


def apply_cell(session: Session, response: Response, question: Question, new: dict, actor: User,
               action: str, reason: str) -> None:
    """Make the response hold ``new`` for ``question`` and write the change to its log."""
    old = response_cell(question, response)
    value = new.get("value") if new.get("kind") == "value" else None
    _set_answer(session, response, question.id, value)
    if question.other_option is not None:
        _set_answer(session, response, question.id + OTHER_SUFFIX, new.get("other") if value is not None else None)
    if not same(old, new) or action == "reconciliation":
        session.add(ResponseChange(response_id=response.id, actor_id=actor.id, action=action,
                                   question_id=question.id, old_value=old, new_value=new, reason=reason))
    session.flush()


def _prune_hidden(session: Session, response: Response, definition: Definition, actor: User) -> None:
    """Drop answers that the final answers leave hidden (a decision changed a condition)."""
    answers = response.answers_dict()
    kept = effective_answers(definition, {k: v for k, v in answers.items() if not k.endswith(OTHER_SUFFIX)})
    for question in definition.questions.values():
        if question.id in answers and question.id not in kept:
            apply_cell(session, response, question, dict(MISSING), actor, "prune",
                       "Question sautée d'après les réponses rapprochées.")


def resolve(session: Session, campaign: Campaign, form: PaperForm, decisions: Mapping[str, Mapping[str, str]],
            reasons: Mapping[str, str], actor: User) -> dict[str, str]:
    """Settle differences from the paper: ``decisions[qid]`` holds the keyed fields of the paper's value.

    Returns error messages per question (what was given without error is applied);
    validates the form once no difference is left.
    """
    if form.state is not FormState.RECONCILING:
        raise ServiceError("Ce questionnaire n'a pas de différence à rapprocher.")
    definition = definition_of(form.questionnaire_version)
    districts = districts_of(campaign)
    errors: dict[str, str] = {}
    for item in open_discrepancies(form):
        question = definition.questions[item.question_id]
        try:
            paper = read_paper_value(definition, question, decisions.get(item.question_id) or {}, districts)
        except AnswerError as error:
            errors[item.question_id] = error.message("fr")
            continue
        if paper is None:
            continue
        reason = (reasons.get(item.question_id) or "").strip()
        if not reason:
            errors[item.question_id] = "Indiquez la raison de la décision (par exemple : « lu sur le questionnaire papier »)."
            continue
        item.paper, item.reason, item.decided_by_id, item.decided_at = paper, reason, actor.id, utcnow()
        apply_cell(session, form.response, question, paper, actor, "reconciliation", reason)
    if not open_discrepancies(form):
        _prune_hidden(session, form.response, definition, actor)
        _validate(session, form, actor, "Différences tranchées d'après le questionnaire papier.")
    session.flush()
    return errors


def correct(session: Session, campaign: Campaign, form: PaperForm, question_id: str, texts: Mapping[str, str],
            reason: str, actor: User) -> None:
    """Correct one answer of a keyed form from the paper, with a reason (logged)."""
    if form.state in (FormState.CANCELLED, FormState.AWAITING_SECOND, FormState.RECONCILING):
        raise ServiceError("Ce questionnaire ne peut pas être corrigé maintenant (annulé, ou double saisie en cours).")
    definition = definition_of(form.questionnaire_version)
    question = definition.questions.get(question_id)
    if question is None or not question.answerable:
        raise ServiceError("Question inconnue dans ce questionnaire.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Indiquez la raison de la correction.")
    try:
        paper = read_paper_value(definition, question, texts, districts_of(campaign))
    except AnswerError as error:
        raise ServiceError(error.message("fr")) from None
    if paper is None:
        raise ServiceError("Saisissez la valeur lue sur le questionnaire papier (« . » s'il n'y a pas de réponse).")
    apply_cell(session, form.response, question, paper, actor, "correction", reason)
    _prune_hidden(session, form.response, definition, actor)
