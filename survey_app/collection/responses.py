"""Responses and their cleaning: the filtered list, one response, exclude, restore, correct.

Every action is written to the response's change log (:class:`ResponseChange`, the one
paper entry writes: who, when, old and new value, why) and to the audit trail. A
correction is checked with the questionnaire's rules (the messages residents see) and
against the value the coordinator's page showed: when another coordinator changed the
answer meanwhile, nothing is changed.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from .. import audit
from ..campaigns.questionnaires import definition_of
from ..domain import ServiceError
from ..entry.reconciliation import MISSING, apply_cell, cell
from ..jobs.i18n import _
from ..models import (Answer, AuditEvent, Campaign, Channel, FormState, PaperForm, Response, ResponseChange,
                      ResponseStatus, User)
from ..questionnaire import coerce_answer, coerce_other_text, prune_hidden, validate_answers
from ..questionnaire.errors import AnswerError
from ..questionnaire.model import OTHER_SUFFIX, Definition, Question, label_in
from .dashboard import roles

PER_PAGE = 50
#: The motives of an exclusion, by code, in French: the stored reason starts with one.
EXCLUSION_REASONS = {
    "test": "Réponse de test",
    "doublon": "Doublon",
    "hors_territoire": "Hors du territoire",
    "incoherente": "Réponse incohérente",
}
#: The same motives as the pages show them, in the reader's language.
EXCLUSION_LABELS = {
    "test": _l("Réponse de test"),
    "doublon": _l("Doublon"),
    "hors_territoire": _l("Hors du territoire"),
    "incoherente": _l("Réponse incohérente"),
}
#: The reason paper entry stores when it cancels a form (``entry.services``), shown translated too.
CANCELLED_ENTRY = ("Saisie annulée", _l("Saisie annulée"))


def exclusion_reason_text(reason: str | None) -> str | None:
    """A stored exclusion reason (« Réponse de test : <note> ») as the page shows it: the
    motive in the reader's language, the coordinator's note as written."""
    if not reason:
        return reason
    motives = [(EXCLUSION_REASONS[code], EXCLUSION_LABELS[code]) for code in EXCLUSION_REASONS] + [CANCELLED_ENTRY]
    for french, label in motives:
        if reason == french:
            return str(label)
        if reason.startswith(french + " : "):
            return _("%(motive)s : %(note)s", motive=str(label), note=reason[len(french) + 3:])
    return reason


@dataclass
class Filters:
    district: str | None = None
    channel: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    agent_id: int | None = None
    page: int = 1


@dataclass
class ResponseRow:
    id: int
    channel: str
    status: str
    day: dt.date
    district: str | None
    serial: str | None
    agent: str | None


def list_responses(session: Session, campaign: Campaign, filters: Filters, *, per_page: int = PER_PAGE
                   ) -> tuple[list[ResponseRow], int]:
    """One page of the campaign's responses with the filters applied, and how many match."""
    found = roles(session, campaign)
    district = aliased(Answer)
    day = func.coalesce(Response.submitted_on, Response.created_on)
    conditions = [Response.campaign_id == campaign.id]
    if filters.channel:
        conditions.append(Response.channel == Channel(filters.channel))
    if filters.status:
        conditions.append(Response.status == ResponseStatus(filters.status))
    if filters.since:
        conditions.append(day >= filters.since)
    if filters.until:
        conditions.append(day <= filters.until)
    if filters.agent_id:
        conditions.append(Response.entered_by_id == filters.agent_id)
    join = and_(district.response_id == Response.id, district.question_id.in_(found.district or {""}),
                Response.questionnaire_version_id.in_(found.version_ids or {0}))
    if filters.district:
        conditions.append(district.value_text == filters.district)
    total = session.scalar(select(func.count()).select_from(Response).outerjoin(district, join).where(*conditions))
    page = max(filters.page, 1)
    rows = session.execute(
        select(Response.id, Response.channel, Response.status, day, district.value_text, Response.paper_serial,
               User.display_name)
        .outerjoin(district, join).outerjoin(User, User.id == Response.entered_by_id)
        .where(*conditions).order_by(Response.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return [ResponseRow(r[0], r[1].value, r[2].value, r[3], r[4], r[5], r[6]) for r in rows], total or 0


def agents(session: Session, campaign: Campaign) -> list[tuple[int, str]]:
    """Staff who keyed responses of the campaign (for the filter)."""
    return [(i, n) for i, n in session.execute(
        select(User.id, User.display_name).join(Response, Response.entered_by_id == User.id)
        .where(Response.campaign_id == campaign.id).distinct().order_by(User.display_name))]


def get_response(session: Session, campaign: Campaign, response_id: int) -> Response | None:
    response = session.get(Response, response_id)
    return response if response is not None and response.campaign_id == campaign.id else None


def districts_of(campaign: Campaign) -> tuple:
    return tuple({"code": d.code, "name": d.name} for d in campaign.districts)


def display_value(question: Question, value: Any, districts=(), lang: str = "fr") -> str:
    """An answer in words: option labels (in ``lang``), not codes."""
    if value is None:
        return ""
    options = {o.code: o.label(lang) for o in question.options_for(districts)}
    if isinstance(value, list):
        return " ; ".join(options.get(v, str(v)) for v in value)
    if isinstance(value, dict):
        rows = {r.id: r.label(lang) for r in question.rows}
        return " ; ".join(f"{rows.get(k, k)} : {options.get(v, v)}" for k, v in value.items())
    return options.get(str(value), str(value)) if options else str(value)


def cell_text(question: Question, value: dict, districts=(), lang: str = "fr") -> str:
    """A change-log cell in words (the interface's words in the request's language)."""
    kind = (value or {}).get("kind")
    if kind == "value":
        text = display_value(question, value.get("value"), districts, lang) if question else str(value.get("value"))
        return text + (_(" (précision : %(text)s)", text=value["other"]) if value.get("other") else "")
    if kind == "status":
        return _("statut : %(status)s", status=value.get("status"))
    words = {"missing": _("(pas de réponse)"), "blank": _("non renseigné"), "illegible": _("illisible")}
    return words.get(kind, str(value))


@dataclass
class Item:
    question: Question
    section: str
    value: Any
    text: str
    other: str | None
    #: the cell as stored now (JSON), carried by the correction form for the optimistic check
    token: str


def items(response: Response, definition: Definition, campaign: Campaign, lang: str = "fr") -> list[Item]:
    """Every answerable question in questionnaire order, with the response's answer in words (in ``lang``)."""
    answers = response.answers_dict()
    districts = districts_of(campaign)
    found = []
    for section in definition.sections:
        for question in section.questions:
            if not question.answerable:
                continue
            value = answers.get(question.id)
            found.append(Item(question, section.label(lang), value, display_value(question, value, districts, lang),
                              answers.get(question.id + OTHER_SUFFIX), token_of(question, answers)))
    return found


def token_of(question: Question, answers: Mapping[str, Any]) -> str:
    return json.dumps(cell(question, answers, {}), sort_keys=True, ensure_ascii=False)


def trail(session: Session, response: Response) -> tuple[list[ResponseChange], list[AuditEvent]]:
    """The response's change log and its audit events, oldest first."""
    changes = list(session.scalars(select(ResponseChange).where(ResponseChange.response_id == response.id)
                                   .order_by(ResponseChange.id)))
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "response",
                                                           AuditEvent.entity_id == str(response.id))
                                  .order_by(AuditEvent.id)))
    return changes, events


def _lock(session: Session, response: Response) -> None:
    """Take the response's row for this transaction (a no-op update: PostgreSQL row lock,
    SQLite write lock), then read it again, so two coordinators act one after the other."""
    session.execute(update(Response).where(Response.id == response.id).values(language=Response.language)
                    .execution_options(synchronize_session=False))
    session.refresh(response)
    for answer in list(response.answers):
        session.refresh(answer)


def exclude(session: Session, campaign: Campaign, response: Response, reason_code: str, note: str,
            actor: User) -> None:
    """Exclude a response from the analysis (test, duplicate, out of area, incoherent), with a reason."""
    if reason_code not in EXCLUSION_REASONS:
        raise ServiceError("Choisissez le motif de l'exclusion : " + ", ".join(EXCLUSION_REASONS.values()).lower() + ".")
    note = (note or "").strip()
    if not note:
        raise ServiceError("Indiquez la raison de l'exclusion (ce qui a été constaté).")
    _lock(session, response)
    if response.status is ResponseStatus.EXCLUDED:
        raise ServiceError("Cette réponse est déjà exclue (peut-être par quelqu'un d'autre à l'instant) : rien n'a été changé.")
    if response.status is ResponseStatus.DRAFT:
        raise ServiceError("Un brouillon n'est pas analysé : il n'y a rien à exclure.")
    old = response.status
    reason = f"{EXCLUSION_REASONS[reason_code]} : {note}"
    response.status, response.exclusion_reason = ResponseStatus.EXCLUDED, reason
    session.add(ResponseChange(response_id=response.id, actor_id=actor.id, action="exclude",
                               old_value={"kind": "status", "status": old.value},
                               new_value={"kind": "status", "status": "excluded", "motive": reason_code}, reason=reason))
    audit.record(session, actor, "response.exclude", "response", response.id, field="status",
                 old=old.value, new={"status": "excluded", "reason": reason})
    session.flush()


def restore(session: Session, campaign: Campaign, response: Response, reason: str, actor: User) -> None:
    """Bring an excluded response back to the status it had."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Indiquez pourquoi la réponse est rétablie.")
    _lock(session, response)
    if response.status is not ResponseStatus.EXCLUDED:
        raise ServiceError("Cette réponse n'est pas exclue (peut-être rétablie par quelqu'un d'autre à l'instant) : "
                           "rien n'a été changé.")
    form = session.scalar(select(PaperForm).where(PaperForm.response_id == response.id))
    if form is not None and form.state is FormState.CANCELLED:
        raise ServiceError("Ce questionnaire papier a été annulé à la saisie : saisissez-le à nouveau plutôt que de le rétablir.")
    last = session.scalar(select(ResponseChange).where(ResponseChange.response_id == response.id,
                                                       ResponseChange.action == "exclude")
                          .order_by(ResponseChange.id.desc()).limit(1))
    previous = ResponseStatus((last.old_value or {}).get("status", "complete")) if last else ResponseStatus.COMPLETE
    old_reason = response.exclusion_reason
    response.status, response.exclusion_reason = previous, None
    session.add(ResponseChange(response_id=response.id, actor_id=actor.id, action="restore",
                               old_value={"kind": "status", "status": "excluded"},
                               new_value={"kind": "status", "status": previous.value}, reason=reason))
    audit.record(session, actor, "response.restore", "response", response.id, field="status",
                 old={"status": "excluded", "reason": old_reason}, new=previous.value)
    session.flush()


def read_value(question: Question, raw: Mapping[str, Any], districts) -> tuple[Any, str | None]:
    """The typed value and "Autre, précisez" text from the correction form; raise ServiceError
    with the questionnaire's own message."""
    if question.type == "matrix":
        given = {row.id: raw.get(f"row-{row.id}") for row in question.rows}
        value_raw = {k: v for k, v in given.items() if v}
    elif question.type in ("multiple", "ranking"):
        value_raw = raw.get("values") or []
        if question.type == "ranking" and isinstance(value_raw, str):
            value_raw = [v.strip() for v in value_raw.split(",") if v.strip()]
    else:
        value_raw = raw.get("value")
    try:
        value = coerce_answer(question, value_raw, districts=districts)
        other = coerce_other_text(raw.get("other")) if question.other_option is not None else None
    except AnswerError as error:
        raise ServiceError(error.message("fr")) from None
    return value, other


def correct(session: Session, campaign: Campaign, response: Response, question_id: str, raw: Mapping[str, Any],
            *, expected: str, reason: str, actor: User) -> None:
    """Correct one answer with a reason; refuse (nothing changed) when the rules are broken or
    the answer changed since the page was shown (``expected``: the cell the page carried)."""
    definition = definition_of(response.questionnaire_version)
    question = definition.questions.get(question_id)
    if question is None or not question.answerable:
        raise ServiceError("Question inconnue dans ce questionnaire.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Indiquez la raison de la correction.")
    if response.status is ResponseStatus.DRAFT:
        raise ServiceError("Un brouillon se corrige en le terminant : seules les réponses complètes se corrigent ici.")
    districts = districts_of(campaign)
    value, other = read_value(question, raw, districts)
    _lock(session, response)
    before = response.answers_dict()
    if token_of(question, before) != expected:
        raise ServiceError("Cette réponse a été modifiée par quelqu'un d'autre depuis l'ouverture de la page : "
                           "rien n'a été changé. Relisez la valeur actuelle avant de corriger.")
    after = dict(before)
    after.pop(question.id, None)
    after.pop(question.id + OTHER_SUFFIX, None)
    if value is not None:
        after[question.id] = value
        if other:
            after[question.id + OTHER_SUFFIX] = other
    elif question.required:
        raise ServiceError("Cette question est obligatoire : elle ne peut pas rester sans réponse.")
    pruned = prune_hidden(definition, after)
    kept = set(pruned)
    new_errors = _new_errors(validate_answers(definition, before, districts=districts),
                             validate_answers(definition, pruned, districts=districts))
    if new_errors:
        raise ServiceError(" ".join(new_errors))
    new_cell = cell(question, pruned, {})
    if json.dumps(new_cell, sort_keys=True, ensure_ascii=False) == expected:
        raise ServiceError("La valeur saisie est celle déjà enregistrée : rien n'a été changé.")
    old_cell = json.loads(expected)
    apply_cell(session, response, question, new_cell, actor, "correction", reason)
    for other_question in definition.questions.values():
        if other_question.id in before and other_question.id not in kept and other_question.id != question.id:
            apply_cell(session, response, other_question, dict(MISSING), actor, "prune",
                       "Question sautée après la correction.")
    audit.record(session, actor, "response.correct", "response", response.id, field=question.id,
                 old=old_cell, new=new_cell)
    session.flush()


def _new_errors(before: Mapping[str, list[str]], after: Mapping[str, list[str]]) -> list[str]:
    found = []
    for key, messages in after.items():
        for message in messages:
            if message not in before.get(key, []):
                found.append(message)
    return found


__all__ = ["Filters", "list_responses", "exclude", "restore", "correct", "items", "trail",
           "EXCLUSION_REASONS", "EXCLUSION_LABELS", "exclusion_reason_text", "label_in"]
