"""Answering a questionnaire on the web: drafts, pages, resume codes, submission.

The web layer parses the form into plain values and calls these functions; every
decision (what is saved, what is dropped, where the respondent goes next) is taken
here. Nothing identifies the respondent: a draft is found by a random resume token
of which only the SHA-256 is stored, and only the day is kept.

Conditions are authoritative here. A page's answers are merged with the stored
answers, answers to questions that turn out hidden are dropped (``prune_hidden``)
and the page is validated again; a page is saved only when valid, in one
transaction (the caller commits), so a draft never holds an invalid answer nor an
answer to a hidden question.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, defer, selectinload

from ..models import Answer, Campaign, Channel, InvitationCode, QuestionnaireVersion, Response, ResponseStatus
from ..models.response import encode_value
from ..questionnaire import (OTHER_SUFFIX, Definition, Section, coerce_other_text, constraint_failures,
                             effective_answers, prune_hidden, validate_answers, visible_sections)
from ..questionnaire.answers import is_blank
from . import ServiceError
from .questionnaires import definition_of

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 12 characters of 31: about 59 bits, shown as three groups of four.
RESUME_LENGTH = 12
INVITATION_LENGTH = 10
#: A draft older than this can no longer be resumed.
DRAFT_LIFETIME = dt.timedelta(days=90)
#: Interface languages (Flask-Babel catalogues); questionnaires may add others.
INTERFACE_LANGUAGES = ("fr", "en")
#: Navigation after a page: next page, previous page, or save and stop for now.
DIRECTIONS = ("next", "back", "later")


class SurveyClosed(ServiceError):
    """The campaign does not accept answers today."""


class ResumeError(ServiceError):
    """A resume code that leads to no draft; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__({"unknown": "Code de reprise inconnu.", "expired": "Ce code de reprise a expiré.",
                          "submitted": "Ces réponses ont déjà été envoyées."}[reason])
        self.reason = reason


class InvitationError(ServiceError):
    """An invitation code that cannot start a response; ``reason`` is missing, unknown or used."""

    def __init__(self, reason: str):
        super().__init__({"missing": "Code d'invitation manquant.", "unknown": "Code d'invitation inconnu.",
                          "used": "Ce code d'invitation a déjà servi."}[reason])
        self.reason = reason


class StalePage(ServiceError):
    """A page posted for another version, an unknown or a hidden section, or a sent response."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Survey:
    """A questionnaire version of a campaign, ready to be answered."""

    campaign: Campaign
    version: QuestionnaireVersion
    definition: Definition
    districts: tuple

    @property
    def key(self) -> str:
        return self.version.key

    @property
    def languages(self) -> list[str]:
        """French, English, then the other languages of the questionnaire file."""
        return list(dict.fromkeys([*INTERFACE_LANGUAGES, *self.definition.languages]))

    def is_open_on(self, day: dt.date) -> bool:
        return self.campaign.is_open_on(day)


@dataclass
class PageOutcome:
    """What saving a page did."""

    saved: bool
    #: Messages per question id, in the respondent's language.
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: The section to show next; ``None`` means the review page (or the information page when going back).
    target: str | None = None
    #: Answers that were ignored because their question is hidden.
    dropped: list[str] = field(default_factory=list)


@dataclass
class SubmitOutcome:
    submitted: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: The first section holding an error.
    section_id: str | None = None


# ------------------------------------------------------------------ codes
def new_code(length: int) -> str:
    """Return a random code of ``length`` unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: Any) -> str:
    """Upper-case ``text`` and drop the spaces and dashes people type or copy with it."""
    if not isinstance(text, str) or len(text) > 100:
        return ""
    return re.sub(r"[\s\-_.]", "", text).upper()


def format_code(code: str) -> str:
    """Group a code by four characters (``ABCD-EFGH-JKMN``) for reading and copying."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def _looks_like(code: str, length: int) -> bool:
    return len(code) == length and all(c in CODE_ALPHABET for c in code)


# ---------------------------------------------------------------- surveys
def _survey(campaign: Campaign, version: QuestionnaireVersion) -> Survey:
    districts = tuple({"code": d.code, "name": d.name, "qpv": d.qpv} for d in campaign.districts)
    return Survey(campaign, version, definition_of(version), districts)


def find_survey(session: Session, slug: str, key: str) -> Survey | None:
    """Return the current version of questionnaire ``key`` in campaign ``slug``, or ``None``."""
    row = session.execute(
        select(Campaign, QuestionnaireVersion)
        .join(QuestionnaireVersion, QuestionnaireVersion.campaign_id == Campaign.id)
        .options(defer(QuestionnaireVersion.definition), selectinload(Campaign.districts))
        .where(Campaign.slug == slug, QuestionnaireVersion.key == key, QuestionnaireVersion.is_current.is_(True))
    ).first()
    return None if row is None else _survey(*row)


def survey_of(session: Session, response: Response) -> Survey:
    """Return the survey (campaign and version) a draft answers."""
    version = session.scalar(
        select(QuestionnaireVersion).options(defer(QuestionnaireVersion.definition))
        .where(QuestionnaireVersion.id == response.questionnaire_version_id)
    )
    return _survey(session.get(Campaign, response.campaign_id), version)


def invitations_required(session: Session, campaign: Campaign) -> bool:
    """Tell whether the campaign mailed invitation codes (then every response needs one)."""
    return session.scalar(select(InvitationCode.id).where(InvitationCode.campaign_id == campaign.id).limit(1)) is not None


def generate_invitation_codes(session: Session, campaign: Campaign, count: int) -> list[str]:
    """Create ``count`` invitation codes and return them: they are shown this once, only hashes are kept."""
    if not 1 <= count <= 100_000:
        raise ServiceError("Le nombre de codes doit être compris entre 1 et 100 000.")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code(INVITATION_LENGTH))
    session.execute(insert(InvitationCode), [{"campaign_id": campaign.id, "code_hash": hash_code(c)} for c in codes])
    return sorted(codes)


# ----------------------------------------------------------------- drafts
def first_section(survey: Survey, answers: Mapping[str, Any] | None = None) -> Section:
    return visible_sections(survey.definition, answers or {})[0]


def start_draft(
    session: Session, survey: Survey, *, language: str, today: dt.date, invitation: str | None = None
) -> tuple[Response, str]:
    """Start a web response (starting is the respondent's consent); return it with its resume token.

    When the campaign mailed invitation codes, ``invitation`` must be one of them: an
    unused code starts a response, a code whose response is still a draft resumes it
    (with a new resume token), a code whose response was sent is refused.
    """
    if not survey.is_open_on(today):
        raise SurveyClosed("La campagne n'est pas ouverte.")
    code_row = None
    if invitations_required(session, survey.campaign):
        code = normalise_code(invitation)
        if not code:
            raise InvitationError("missing")
        code_row = session.scalar(
            select(InvitationCode).where(InvitationCode.code_hash == hash_code(code),
                                         InvitationCode.campaign_id == survey.campaign.id).with_for_update()
        ) if _looks_like(code, INVITATION_LENGTH) else None
        if code_row is None:
            raise InvitationError("unknown")
        if code_row.response_id is not None:
            earlier = session.get(Response, code_row.response_id)
            if earlier is None or earlier.status is not ResponseStatus.DRAFT:
                raise InvitationError("used")
            token = new_code(RESUME_LENGTH)
            earlier.resume_token_hash = hash_code(token)
            earlier.language = language
            return earlier, token
    token = new_code(RESUME_LENGTH)
    response = Response(
        campaign_id=survey.campaign.id,
        questionnaire_version_id=survey.version.id,
        channel=Channel.WEB,
        status=ResponseStatus.DRAFT,
        created_on=today,
        language=language,
        resume_token_hash=hash_code(token),
        current_section=first_section(survey).id,
    )
    session.add(response)
    session.flush()
    if code_row is not None:
        code_row.used_on = today
        code_row.response_id = response.id
    return response, token


def find_draft(
    session: Session, token: Any, *, today: dt.date, survey: Survey | None = None, for_update: bool = False
) -> Response:
    """Return the draft of resume code ``token``; raise :class:`ResumeError` otherwise.

    With ``survey``, a draft of another campaign or questionnaire counts as unknown.
    With ``for_update``, the row is locked until the transaction ends (page saves).
    """
    code = normalise_code(token)
    if not _looks_like(code, RESUME_LENGTH):
        raise ResumeError("unknown")
    query = select(Response).where(Response.resume_token_hash == hash_code(code))
    if for_update:
        query = query.with_for_update()
    response = session.scalar(query)
    if response is None or response.channel is not Channel.WEB:
        raise ResumeError("unknown")
    if response.status is not ResponseStatus.DRAFT:
        raise ResumeError("submitted")
    if survey is not None and (
        response.campaign_id != survey.campaign.id
        or response.questionnaire_version_id != survey.version.id  # an older version of the same key is fine
        and session.scalar(select(QuestionnaireVersion.key).where(QuestionnaireVersion.id == response.questionnaire_version_id))
        != survey.key
    ):
        raise ResumeError("unknown")
    campaign = survey.campaign if survey is not None else session.get(Campaign, response.campaign_id)
    if today - response.created_on > DRAFT_LIFETIME or not campaign.is_open_on(today):
        raise ResumeError("expired")
    return response


def stored_answers(session: Session, response: Response) -> dict[str, Any]:
    """Return the typed answers of ``response`` (one query, no relationship loading)."""
    rows = session.execute(
        select(Answer.question_id, Answer.value_text, Answer.value_number, Answer.value_json, Answer.value_kind)
        .where(Answer.response_id == response.id)
    )
    answers = {}
    for question_id, text, number, value_json, kind in rows:
        if kind == "json":
            answers[question_id] = value_json
        elif kind == "int":
            answers[question_id] = int(number)
        elif kind == "float":
            answers[question_id] = number
        else:
            answers[question_id] = text
    return answers


def section_ids(survey: Survey, answers: Mapping[str, Any]) -> list[str]:
    """Ids of the sections shown for ``answers``, in order (the pages of the questionnaire)."""
    return [s.id for s in visible_sections(survey.definition, answers)]


def resume_section(survey: Survey, response: Response, answers: Mapping[str, Any]) -> str:
    """The page to show a returning respondent: where they stopped, if still shown."""
    shown = section_ids(survey, answers)
    return response.current_section if response.current_section in shown else shown[0]


def page_keys(section: Section) -> set[str]:
    """The answer keys a page may post: its questions and their « Autre, précisez » texts."""
    keys = set()
    for q in section.questions:
        if q.answerable:
            keys.add(q.id)
            if q.other_option is not None:
                keys.add(q.id + OTHER_SUFFIX)
    return keys


def check_page(survey: Survey, response: Response, answers: Mapping[str, Any], *, version_id: Any, section_id: str) -> Section:
    """Return the section of a posted page; raise :class:`StalePage` when the post does not fit the draft."""
    if response.status is not ResponseStatus.DRAFT:
        raise StalePage("submitted")
    if str(version_id) != str(response.questionnaire_version_id):
        raise StalePage("version")
    section = survey.definition.sections_by_id.get(section_id)
    if section is None:
        raise StalePage("section")
    if section_id not in section_ids(survey, answers):
        raise StalePage("hidden")
    return section


def _page_errors(survey: Survey, kept: Mapping[str, Any], section: Section, lang: str) -> dict[str, list[str]]:
    definition = survey.definition
    errors = validate_answers(definition, kept, lang=lang, districts=survey.districts, section_id=section.id)
    # questionnaire-wide rules are shown on the page of the question they are attached to
    effective = effective_answers(definition, kept, districts=survey.districts)
    own = {q.id for q in section.questions}
    for constraint in constraint_failures(definition, effective, [], include_global=True):
        if constraint.target in own:
            messages = errors.setdefault(constraint.target, [])
            if constraint.message(lang) not in messages:
                messages.append(constraint.message(lang))
    return errors


def save_page(
    session: Session,
    survey: Survey,
    response: Response,
    section_id: str,
    raw: Mapping[str, Any],
    *,
    version_id: Any,
    direction: str = "next",
    lang: str = "fr",
) -> PageOutcome:
    """Validate and store the answers of one page, replacing the page's earlier answers.

    Keys that do not belong to the page are ignored; answers to questions that the
    page's own answers hide are dropped before validation. Going back or stopping
    for later does not require the required answers, but never stores an invalid one.
    Raise :class:`StalePage` when the post does not fit the draft.
    """
    if direction not in DIRECTIONS:
        direction = "next"
    definition = survey.definition
    stored = stored_answers(session, response)
    section = check_page(survey, response, stored, version_id=version_id, section_id=section_id)
    keys = page_keys(section)
    page = {k: v for k, v in raw.items() if k in keys and not is_blank(v)}
    merged = {k: v for k, v in stored.items() if k not in keys}
    merged.update(page)
    kept = prune_hidden(definition, merged)
    dropped = sorted(k for k in page if k not in kept)
    errors = _page_errors(survey, kept, section, lang)
    if direction != "next":
        errors = {k: v for k, v in errors.items() if not is_blank(page.get(k))}
    if errors:
        return PageOutcome(saved=False, errors=errors, target=section.id, dropped=dropped)

    effective = effective_answers(definition, kept, districts=survey.districts)
    final = {k: v for k, v in effective.items() if definition.questions[k].answerable}
    for key, value in kept.items():
        if key.endswith(OTHER_SUFFIX):
            text = coerce_other_text(value)
            if text is not None:
                final[key] = text
    _replace_answers(session, response, stored, final)
    shown = section_ids(survey, final)
    position = shown.index(section.id)
    if direction == "next":
        target = shown[position + 1] if position + 1 < len(shown) else None
    elif direction == "back":
        target = shown[position - 1] if position > 0 else None
    else:
        target = section.id
    response.current_section = target or section.id
    response.language = lang
    return PageOutcome(saved=True, target=target, dropped=dropped)


def _replace_answers(session: Session, response: Response, stored: Mapping[str, Any], final: Mapping[str, Any]) -> None:
    """Write only what changed: delete the rows that differ or vanished, insert the new ones."""
    changed = [k for k in stored if k not in final or final[k] != stored[k] or type(final[k]) is not type(stored[k])]
    if changed:
        session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(changed)))
    rows = [
        {"response_id": response.id, "question_id": k, **encode_value(v)}
        for k, v in final.items()
        if k not in stored or k in changed
    ]
    if rows:
        session.execute(insert(Answer), rows)
    session.expire(response, ["answers"])


def submit(session: Session, survey: Survey, response: Response, *, version_id: Any, lang: str, today: dt.date) -> SubmitOutcome:
    """Check every answer once more and mark the response complete; it can no longer change from the web."""
    if response.status is not ResponseStatus.DRAFT:
        raise StalePage("submitted")
    if str(version_id) != str(response.questionnaire_version_id):
        raise StalePage("version")
    definition = survey.definition
    stored = stored_answers(session, response)
    kept = prune_hidden(definition, stored)
    errors = validate_answers(definition, kept, lang=lang, districts=survey.districts)
    if errors:
        first = next(
            (q.section_id for q in definition.questions.values() if q.id in errors),
            section_ids(survey, kept)[0],
        )
        return SubmitOutcome(submitted=False, errors=errors, section_id=first)
    _replace_answers(session, response, stored, kept)
    response.status = ResponseStatus.COMPLETE
    response.submitted_on = today
    response.resume_token_hash = None
    response.current_section = None
    response.language = lang
    return SubmitOutcome(submitted=True)


def count_answers(session: Session, response: Response) -> int:
    return session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id))
