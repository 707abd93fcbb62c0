"""Keying paper questionnaires: which entry a serial calls for, saving it, cancelling it.

Services take the session, the acting agent and plain values. A first entry creates the
response (channel ``paper``) and the :class:`PaperForm`; a second entry, keyed blind by
another agent, is compared with the first at once (:mod:`.reconciliation`).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, defer

from ..campaigns.questionnaires import definition_of
from ..domain import ServiceError
from ..models import (Answer, Campaign, Channel, DoubleEntry, FormState, PaperEntry, PaperForm,
                      PaperSerial, PaperSettings, QuestionnaireVersion, Response, ResponseChange, ResponseStatus, User)
from ..models._types import utcnow
from ..questionnaire.model import Definition
from .. import audit
from . import keying, serials


class AlreadyKeyed(ServiceError):
    """The serial was keyed already (and no second entry of it is awaited)."""

    def __init__(self, message: str, form: PaperForm):
        super().__init__(message)
        self.form_id = form.id


class SerialTaken(ServiceError):
    """Another agent saved the same serial a moment before."""


@dataclass
class Start:
    """What keying a serial means: a first or a second entry, of which questionnaire."""

    serial: str
    round: int
    version: QuestionnaireVersion
    form: PaperForm | None = None
    #: The printed serial, when the copy was numbered at printing.
    printed: PaperSerial | None = None

    @property
    def definition(self) -> Definition:
        return definition_of(self.version)


def districts_of(campaign: Campaign) -> tuple:
    return tuple({"code": d.code, "name": d.name} for d in campaign.districts)


def settings_of(session: Session, campaign: Campaign) -> PaperSettings:
    found = session.get(PaperSettings, campaign.id)
    return found if found is not None else PaperSettings(
        campaign_id=campaign.id, double_entry=DoubleEntry.NONE, sample_percent=10)


def set_double_entry(session: Session, campaign: Campaign, mode: DoubleEntry, percent: int,
                     actor: User, *, draw: Callable[[], float] = random.random) -> PaperSettings:
    """Switch double entry on or off for the campaign (``percent`` for a random share).

    Switching it on puts the forms already keyed once under the new rule: with
    ``all``, every form keyed once and not validated waits for its second entry; with
    ``sample``, the share is drawn for them now. Such a form's response goes back from
    « complète » to « brouillon » (traced, with the reason), so that it counts neither in
    the collection's progress nor in the analysis or the exports until its second entry
    and, if they differ, the reconciliation. ``settings.reopened`` is the number of forms
    concerned. Switching it off leaves the forms waiting for a second entry as they are.
    """
    if mode is DoubleEntry.SAMPLE and not 1 <= percent <= 100:
        raise ServiceError("La part de questionnaires saisis deux fois va de 1 à 100 %.")
    settings = session.get(PaperSettings, campaign.id)
    old = None if settings is None else {"mode": settings.double_entry.value, "percent": settings.sample_percent}
    if settings is None:
        settings = PaperSettings(campaign_id=campaign.id)
        session.add(settings)
    settings.double_entry, settings.sample_percent = mode, percent
    settings.updated_at, settings.updated_by_id = utcnow(), actor.id
    reopened = _await_second_entries(session, campaign, mode, percent, actor, draw)
    audit.record(session, actor, "paper.double_entry", "campaign", campaign.id, old=old,
                 new={"mode": mode.value, "percent": percent, "awaiting_second": reopened})
    settings.reopened = reopened
    return settings


def _await_second_entries(session: Session, campaign: Campaign, mode: DoubleEntry, percent: int, actor: User,
                          draw: Callable[[], float]) -> int:
    """Forms keyed once (state ``keyed``) that the new rule asks a second entry of: make them wait for it."""
    if mode is DoubleEntry.NONE:
        return 0
    keyed = session.scalars(select(PaperForm).where(PaperForm.campaign_id == campaign.id,
                                                    PaperForm.state == FormState.KEYED)
                            .order_by(PaperForm.id)).all()
    reason = ("Double saisie demandée pour tous les questionnaires" if mode is DoubleEntry.ALL else
              f"Double saisie demandée pour {percent} % des questionnaires (tirage au sort)")
    reason += " : saisie unique, en attente de la seconde saisie."
    count = 0
    for form in keyed:
        if mode is DoubleEntry.SAMPLE and not draw() * 100 < percent:
            continue
        response = form.response
        old = {"kind": "status", "status": response.status.value}
        form.state, form.needs_second = FormState.AWAITING_SECOND, True
        response.status = ResponseStatus.DRAFT
        session.add(ResponseChange(response_id=response.id, actor_id=actor.id, action="await_second",
                                   old_value=old, new_value={"kind": "status", "status": ResponseStatus.DRAFT.value},
                                   reason=reason))
        audit.record(session, actor, "paper.await_second", "response", response.id, field="status",
                     old=old, new={"status": ResponseStatus.DRAFT.value, "reason": reason})
        count += 1
    session.flush()
    return count


def _check_open(campaign: Campaign, today: dt.date) -> None:
    if not campaign.is_open_on(today):
        raise ServiceError(
            f"La campagne « {campaign.name} » n'est pas ouverte : aucun questionnaire papier ne peut être "
            "enregistré. Rien n'a été modifié."
        )


def paper_versions(session: Session, campaign: Campaign) -> list[QuestionnaireVersion]:
    """The current questionnaire versions (their large definition column left unread)."""
    return list(session.scalars(
        select(QuestionnaireVersion).options(defer(QuestionnaireVersion.definition))
        .where(QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.is_current.is_(True))
        .order_by(QuestionnaireVersion.key)
    ))


def version_by_id(session: Session, version_id: int) -> QuestionnaireVersion | None:
    return session.scalar(select(QuestionnaireVersion).options(defer(QuestionnaireVersion.definition))
                          .where(QuestionnaireVersion.id == version_id))


def form_by_serial(session: Session, campaign: Campaign, serial: str) -> PaperForm | None:
    return session.scalar(select(PaperForm).where(PaperForm.campaign_id == campaign.id, PaperForm.serial == serial))


def form_by_id(session: Session, campaign: Campaign, form_id: int) -> PaperForm | None:
    form = session.get(PaperForm, form_id)
    return form if form is not None and form.campaign_id == campaign.id else None


def start(session: Session, campaign: Campaign, agent: User, serial_text: str,
          version_id: int | None = None, *, today: dt.date | None = None) -> Start:
    """Decide what keying ``serial_text`` means for ``agent``; raise ServiceError when refused."""
    _check_open(campaign, today or dt.date.today())
    serial = serials.normalise(serial_text)
    form = form_by_serial(session, campaign, serial)
    if form is None:
        printed = serials.check(session, campaign, serial)
        if printed is not None:
            return Start(serial, 1, version_by_id(session, printed.questionnaire_version_id), printed=printed)
        chosen = version_by_id(session, version_id) if version_id else None
        if chosen is not None and chosen.campaign_id == campaign.id and chosen.is_current:
            return Start(serial, 1, chosen)
        versions = paper_versions(session, campaign)
        if len(versions) == 1:
            return Start(serial, 1, versions[0])
        raise ServiceError("Choisissez le questionnaire saisi.")
    shown = serials.display(serial)
    if form.state is FormState.AWAITING_SECOND and form.entry(2) is None:
        first = form.entry(1)
        if first is not None and first.agent_id == agent.id:
            raise ServiceError(
                f"Vous avez fait la première saisie du questionnaire n° {shown} : la seconde saisie doit "
                "être faite par un autre agent."
            )
        return Start(serial, 2, version_by_id(session, form.questionnaire_version_id), form)
    raise AlreadyKeyed(f"Le questionnaire n° {shown} a déjà été saisi.", form)


def _keyed(start_: Start, campaign: Campaign, texts: dict) -> keying.Keyed:
    return keying.read(start_.definition, texts, districts_of(campaign))


def save(session: Session, campaign: Campaign, agent: User, serial_text: str, version_id: int | None,
         texts: dict, *, complete: bool = True, reason: str = "", today: dt.date | None = None,
         draw: Callable[[], float] = random.random, started: Start | None = None) -> tuple[PaperForm, int, dict]:
    """Check and store one entry of a paper form; return (form, round, errors).

    Nothing is written when ``errors`` is not empty. ``started`` is what :func:`start`
    decided for this request (decided here when not given); an entry saved by another
    agent in between is caught by the unique constraints (:class:`SerialTaken`), and the
    next attempt decides again.
    """
    today = today or dt.date.today()
    if started is not None:
        _check_open(campaign, today)
    start_ = started or start(session, campaign, agent, serial_text, version_id, today=today)
    reason = (reason or "").strip()
    if not complete and not reason:
        raise ServiceError("Indiquez pourquoi le questionnaire est enregistré comme incomplet.")
    definition, districts = start_.definition, districts_of(campaign)
    keyed = _keyed(start_, campaign, texts)
    errors = keying.check(definition, keyed, districts, require=complete)
    if errors:
        return start_.form, start_.round, errors
    values = keying.typed_answers(definition, keyed, districts)
    markers = keying.visible_markers(definition, keyed)
    entry = PaperEntry(round=start_.round, agent_id=agent.id, answers=values, markers=markers,
                       complete=complete, incomplete_reason=reason or None)
    try:
        if start_.round == 1:
            form = _first_entry(session, campaign, agent, start_, entry, values, today, draw)
        else:
            form = start_.form
            form.entries.append(entry)
            session.flush()
            from .reconciliation import compare_entries

            compare_entries(session, form, definition, agent)
    except IntegrityError:
        session.rollback()
        raise SerialTaken(
            f"Le questionnaire n° {serials.display(start_.serial)} vient d'être enregistré par un autre agent : "
            "votre saisie n'a pas été enregistrée, elle est toujours à l'écran. Vérifiez le numéro écrit sur le "
            "questionnaire, puis enregistrez de nouveau."
        ) from None
    return form, start_.round, {}


def _first_entry(session, campaign, agent, start_: Start, entry: PaperEntry, values: dict,
                 today: dt.date, draw) -> PaperForm:
    settings = settings_of(session, campaign)
    if not entry.complete:
        needs_second = False
    elif settings.double_entry is DoubleEntry.ALL:
        needs_second = True
    elif settings.double_entry is DoubleEntry.SAMPLE:
        needs_second = draw() * 100 < settings.sample_percent
    else:
        needs_second = False
    state = (FormState.INCOMPLETE if not entry.complete
             else FormState.AWAITING_SECOND if needs_second else FormState.KEYED)
    status = ResponseStatus.COMPLETE if state is FormState.KEYED else ResponseStatus.DRAFT
    printed = start_.printed
    response = Response(campaign_id=campaign.id, questionnaire_version_id=start_.version.id,
                        channel=Channel.PAPER, status=status, created_on=today,
                        submitted_on=today if entry.complete else None,
                        language=printed.language if printed else "fr", paper_serial=start_.serial,
                        entered_by_id=agent.id)
    for question_id, value in values.items():
        answer = Answer(question_id=question_id)
        answer.value = value
        response.answers.append(answer)
    session.add(response)
    session.flush()
    form = PaperForm(campaign_id=campaign.id, serial=start_.serial, keyed_serial=start_.serial,
                     questionnaire_version_id=start_.version.id, response_id=response.id, state=state,
                     needs_second=needs_second)
    session.add(form)
    session.flush()
    form.entries.append(entry)
    session.flush()
    return form


def cancel(session: Session, campaign: Campaign, form: PaperForm, agent: User, reason: str) -> None:
    """Cancel a form keyed by mistake (by its first agent, before validation), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Indiquez pourquoi cette saisie est annulée.")
    first = form.entry(1)
    if first is None or first.agent_id != agent.id:
        raise ServiceError("Seul l'agent qui a saisi ce questionnaire peut annuler sa saisie.")
    if form.state in (FormState.VALIDATED, FormState.CANCELLED):
        raise ServiceError("Ce questionnaire est déjà validé ou annulé : sa saisie ne peut plus être annulée.")
    response = form.response
    old = {"kind": "status", "status": response.status.value, "serial": form.serial}
    response.status = ResponseStatus.EXCLUDED
    response.exclusion_reason = f"Saisie annulée : {reason}"
    response.paper_serial = None
    form.state, form.serial, form.cancel_reason = FormState.CANCELLED, None, reason
    session.add(ResponseChange(response_id=response.id, actor_id=agent.id, action="cancel", old_value=old,
                               new_value={"kind": "status", "status": ResponseStatus.EXCLUDED.value, "serial": None},
                               reason=reason))
    audit.record(session, agent, "paper.cancel", "response", response.id, field="status",
                 old=old, new={"status": "excluded", "reason": reason})
    session.flush()


def keyed_today(session: Session, campaign: Campaign, agent: User, now: dt.datetime | None = None) -> int:
    """Entries the agent saved today (UTC day) in this campaign."""
    now = now or utcnow()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return session.scalar(
        select(func.count(PaperEntry.id)).join(PaperForm, PaperForm.id == PaperEntry.form_id)
        .where(PaperForm.campaign_id == campaign.id, PaperEntry.agent_id == agent.id,
               PaperEntry.created_at >= day_start)
    ) or 0


def recent_entries(session: Session, campaign: Campaign, agent: User, limit: int = 15) -> list[PaperEntry]:
    return list(session.scalars(
        select(PaperEntry).join(PaperForm, PaperForm.id == PaperEntry.form_id)
        .options(contains_eager(PaperEntry.form), defer(PaperEntry.answers), defer(PaperEntry.markers))
        .where(PaperForm.campaign_id == campaign.id, PaperEntry.agent_id == agent.id)
        .order_by(PaperEntry.id.desc()).limit(limit)
    ))


def forms(session: Session, campaign: Campaign, states: Iterable[FormState] | None = None,
          limit: int = 500) -> list[PaperForm]:
    query = select(PaperForm).where(PaperForm.campaign_id == campaign.id)
    if states is not None:
        query = query.where(PaperForm.state.in_(list(states)))
    return list(session.scalars(query.order_by(PaperForm.id.desc()).limit(limit)))


def change_log(session: Session, response: Response) -> list[ResponseChange]:
    return list(session.scalars(
        select(ResponseChange).where(ResponseChange.response_id == response.id).order_by(ResponseChange.id)
    ))
