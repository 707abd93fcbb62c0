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
import functools
import hashlib
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import bindparam, delete, event, exists, func, insert, select, true, update
from sqlalchemy.orm import Session

from ..models import (Answer, Campaign, CampaignStatus, Channel, District, InvitationCode, QuestionnaireVersion,
                      Response, ResponseStatus)
from ..models.campaign import open_on
from ..models.response import encode_value
from ..questionnaire import (OTHER_SUFFIX, Definition, Section, coerce_other_text, constraint_failures,
                             effective_answers, prune_hidden, validate_answers, visible_sections)
from ..questionnaire.answers import is_blank
from ..domain import ServiceError
from ..infra.hot_sql import HotStatement, as_date, as_json, json_text
from ..campaigns.questionnaires import definition_by_hash

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
class CampaignInfo:
    """What answering needs of a campaign: a plain snapshot, shared between requests."""

    id: int
    slug: str
    name: str
    organisation: str
    status: CampaignStatus
    opens_on: dt.date | None
    closes_on: dt.date | None
    information: dict = field(hash=False, compare=False)
    #: The campaign mailed invitation codes: every response needs one.
    needs_invitation: bool = False

    def is_open_on(self, day: dt.date) -> bool:
        return open_on(self.status, self.opens_on, self.closes_on, day)


@dataclass(frozen=True)
class VersionInfo:
    """A questionnaire version (without its definition, which is rebuilt once per content)."""

    id: int
    key: str
    version: int
    content_hash: str


@dataclass(frozen=True, eq=False)
class Survey:
    """A questionnaire version of a campaign, ready to be answered.

    Surveys are immutable snapshots kept per process (see :func:`find_survey`); ``serial``
    tells two snapshots apart, for caches of what is rendered from them.
    """

    campaign: CampaignInfo
    version: VersionInfo
    definition: Definition
    districts: tuple
    serial: int = 0

    @property
    def key(self) -> str:
        return self.version.key

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """French, English, then the other languages of the questionnaire file."""
        return tuple(dict.fromkeys([*INTERFACE_LANGUAGES, *self.definition.languages]))

    @functools.cached_property
    def answerable_count(self) -> int:
        return sum(1 for q in self.definition.questions.values() if q.answerable)

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
#: Everything a survey page needs of the campaign, the version and the districts, in one
#: query (one row per district). Built once: this runs on every request of a resident.
_C, _V, _D, _I = Campaign.__table__.c, QuestionnaireVersion.__table__.c, District.__table__.c, InvitationCode.__table__.c
_R, _A = Response.__table__.c, Answer.__table__.c
_SURVEY_QUERY = (
    select(_C.id.label("campaign_id"), _C.slug, _C.name, _C.organisation, _C.status, _C.opens_on, _C.closes_on,
           _C.information, exists().where(_I.campaign_id == _C.id).label("needs_invitation"),
           _V.id.label("version_id"), _V.key, _V.version, _V.content_hash,
           _D.code.label("district_code"), _D.name.label("district_name"), _D.qpv.label("district_qpv"))
    .join_from(Campaign.__table__, QuestionnaireVersion.__table__, _V.campaign_id == _C.id)
    .outerjoin(District.__table__, _D.campaign_id == _C.id)
    .order_by(_D.position, _D.id)
)
_CURRENT_SURVEY = _SURVEY_QUERY.where(_C.slug == bindparam("slug"), _V.key == bindparam("key"), _V.is_current == true())
_VERSION_SURVEY = _SURVEY_QUERY.where(_V.id == bindparam("version_id"))
_HAS_INVITATIONS = select(_I.id).where(_I.campaign_id == bindparam("id")).limit(1)

#: Snapshots already built in this process, by the values they were built from: a change
#: of the campaign, its districts, its invitation codes or its current version gives other
#: values, hence a new snapshot; nothing goes stale.
_SURVEYS: dict = {}
_SURVEYS_LIMIT = 256
_SERIALS = itertools.count(1)


def _survey_from_rows(session: Session, rows: list) -> Survey | None:
    if not rows:
        return None
    first = rows[0]
    districts = tuple(
        (r.district_code, r.district_name, bool(r.district_qpv)) for r in rows if r.district_code is not None
    )
    information = first.information or {}
    key = (first.campaign_id, first.slug, first.name, first.organisation, first.status, first.opens_on,
           first.closes_on, bool(first.needs_invitation), first.version_id, first.content_hash, districts,
           json.dumps(information, sort_keys=True, default=str))
    found = _SURVEYS.get(key)
    if found is None:
        campaign = CampaignInfo(
            first.campaign_id, first.slug, first.name, first.organisation or "", CampaignStatus(first.status),
            first.opens_on, first.closes_on, information, bool(first.needs_invitation),
        )
        version = VersionInfo(first.version_id, first.key, first.version, first.content_hash)
        definition = definition_by_hash(session, version.id, version.content_hash, f"{version.key} v{version.version}")
        found = Survey(
            campaign, version, definition,
            tuple({"code": code, "name": name, "qpv": qpv} for code, name, qpv in districts),
            next(_SERIALS),
        )
        if len(_SURVEYS) >= _SURVEYS_LIMIT:
            _SURVEYS.clear()
        _SURVEYS[key] = found
    return found


#: Surveys served lately, per (database, campaign, questionnaire): (when, survey). A change
#: committed in this process forgets them all; other processes see it after ``max_age``.
_RECENT: dict = {}
_RECENT_LIMIT = 256
_SURVEY_MODELS = (Campaign, District, QuestionnaireVersion, InvitationCode)


def find_survey(session: Session, slug: str, key: str, *, max_age: float = 0.0) -> Survey | None:
    """Return the current version of questionnaire ``key`` in campaign ``slug``, or ``None``.

    With ``max_age`` (seconds), a survey found that recently is returned without a query.
    What must be exact is checked again where it matters: whether the campaign takes
    answers is read with the draft (:func:`find_draft`) and when a draft starts.
    """
    now = time.monotonic()
    if max_age > 0:
        cache_key = (session.get_bind().url, slug, key)
        hit = _RECENT.get(cache_key)
        if hit is not None and now - hit[0] < max_age:
            return hit[1]
    rows = session.connection().execute(_CURRENT_SURVEY, {"slug": slug, "key": key}).all()
    survey = _survey_from_rows(session, rows)
    if max_age > 0 and survey is not None:
        if len(_RECENT) >= _RECENT_LIMIT:
            _RECENT.clear()
        _RECENT[cache_key] = (now, survey)
    return survey


def forget_surveys() -> None:
    """Forget the surveys served lately (after a change made without the ORM)."""
    _RECENT.clear()


@event.listens_for(Session, "after_flush")
def _note_survey_changes(session: Session, _context) -> None:
    if any(isinstance(o, _SURVEY_MODELS) for o in itertools.chain(session.new, session.dirty, session.deleted)):
        session.info["surveys_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_changed_surveys(session: Session) -> None:
    if session.info.pop("surveys_changed", False):
        forget_surveys()


def survey_of(session: Session, response) -> Survey:
    """Return the survey (campaign and version) a draft answers."""
    rows = session.connection().execute(_VERSION_SURVEY, {"version_id": response.questionnaire_version_id}).all()
    return _survey_from_rows(session, rows)


def invitations_required(session: Session, campaign) -> bool:
    """Tell whether the campaign mailed invitation codes (then every response needs one)."""
    return session.connection().execute(_HAS_INVITATIONS, {"id": campaign.id}).first() is not None


def generate_invitation_codes(session: Session, campaign: Campaign, count: int) -> list[str]:
    """Create ``count`` invitation codes and return them: they are shown this once, only hashes are kept."""
    if not 1 <= count <= 100_000:
        raise ServiceError("Le nombre de codes doit être compris entre 1 et 100 000.")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code(INVITATION_LENGTH))
    session.execute(insert(InvitationCode), [{"campaign_id": campaign.id, "code_hash": hash_code(c)} for c in codes])
    session.info["surveys_changed"] = True  # the campaign now asks for a code
    return sorted(codes)


# ----------------------------------------------------------------- drafts
@dataclass
class Draft:
    """A web response being answered: a plain copy of its row.

    The resident's pages read and write drafts with a few plain SQL statements rather
    than through the ORM: they are the hot path of the service.
    """

    id: int
    campaign_id: int
    questionnaire_version_id: int
    channel: Channel
    status: ResponseStatus
    created_on: dt.date
    language: str
    current_section: str | None
    resume_token_hash: str | None
    #: The typed answers, read with the draft and kept up to date by the saves of this
    #: transaction (see :func:`stored_answers`).
    answers: dict | None = field(default=None, compare=False, repr=False)


_DRAFT_QUERY = (
    select(_R.id, _R.campaign_id, _R.questionnaire_version_id, _R.channel, _R.status, _R.created_on, _R.language,
           _R.current_section, _R.resume_token_hash, _C.status.label("campaign_status"),
           _C.opens_on.label("campaign_opens_on"), _C.closes_on.label("campaign_closes_on"))
    .join_from(Response.__table__, Campaign.__table__, _C.id == _R.campaign_id)
    .where(_R.resume_token_hash == bindparam("token_hash"))
)
#: The draft with its answers, one row per answer: one round trip for both.
_DRAFT_WITH_ANSWERS = (
    _DRAFT_QUERY.add_columns(_A.question_id, _A.value_text, _A.value_number, _A.value_json, _A.value_kind)
    .outerjoin(Answer.__table__, _A.response_id == _R.id)
)
#: Whether a campaign takes answers and asks for invitation codes, read when a draft starts.
_CAMPAIGN_STATE = HotStatement(select(
    _C.status, _C.opens_on, _C.closes_on, exists().where(_I.campaign_id == _C.id)).where(_C.id == bindparam("id")))
_FIND_DRAFT = _DRAFT_QUERY
#: PostgreSQL locks the row until the page is saved; SQLite has one writer at a time anyway.
_FIND_DRAFT_FOR_UPDATE = HotStatement(_DRAFT_WITH_ANSWERS.with_for_update(of=Response.__table__))
_FIND_DRAFT_WITH_ANSWERS = HotStatement(_DRAFT_WITH_ANSWERS)
_VERSION_KEY = select(_V.key).where(_V.id == bindparam("id"))
_ANSWERS = select(_A.question_id, _A.value_text, _A.value_number, _A.value_json, _A.value_kind).where(
    _A.response_id == bindparam("id"))
#: Answers are deleted with one statement, built once per number of answers.
_DELETE_ANSWERS: dict[int, HotStatement] = {}
_ANSWER_COLUMNS = ("response_id", "question_id", "value_text", "value_number", "value_json", "value_kind")
#: Answers are inserted with one multi-row statement, built once per number of rows.
_INSERT_ANSWERS: dict[int, HotStatement] = {}
_INSERT_CHUNK = 50
_INSERT_DRAFT = HotStatement(insert(Response.__table__).values(
    {c: bindparam(c) for c in ("campaign_id", "questionnaire_version_id", "channel", "status", "created_on", "language",
                               "current_section", "resume_token_hash")}).returning(_R.id))
_MOVE_DRAFT = HotStatement(update(Response.__table__).where(_R.id == bindparam("draft_id")).values(
    current_section=bindparam("section"), language=bindparam("lang")))
_RETOKEN_DRAFT = update(Response.__table__).where(_R.id == bindparam("draft_id")).values(
    resume_token_hash=bindparam("token_hash"), language=bindparam("lang"))
_SUBMIT_DRAFT = update(Response.__table__).where(_R.id == bindparam("draft_id"), _R.status == ResponseStatus.DRAFT).values(
    status=ResponseStatus.COMPLETE, submitted_on=bindparam("day"), resume_token_hash=None, current_section=None,
    language=bindparam("lang"))


def _draft_of(row) -> Draft:
    return Draft(row.id, row.campaign_id, row.questionnaire_version_id, Channel(row.channel), ResponseStatus(row.status),
                 row.created_on, row.language, row.current_section, row.resume_token_hash)


def first_section(survey: Survey, answers: Mapping[str, Any] | None = None) -> Section:
    return visible_sections(survey.definition, answers or {})[0]


def start_draft(
    session: Session, survey: Survey, *, language: str, today: dt.date, invitation: str | None = None
) -> tuple[Draft, str]:
    """Start a web response (starting is the respondent's consent); return it with its resume token.

    When the campaign mailed invitation codes, ``invitation`` must be one of them: an
    unused code starts a response, a code whose response is still a draft resumes it
    (with a new resume token), a code whose response was sent is refused.
    """
    status, opens_on, closes_on, needs_invitation = _CAMPAIGN_STATE.rows(session, {"id": survey.campaign.id})[0]
    if not open_on(status, as_date(opens_on), as_date(closes_on), today):
        raise SurveyClosed("La campagne n'est pas ouverte.")
    code_row = None
    if needs_invitation:
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
            session.connection().execute(
                _RETOKEN_DRAFT, {"token_hash": hash_code(token), "lang": language, "draft_id": earlier.id})
            session.expire(earlier)
            return _draft_of(session.connection().execute(_FIND_DRAFT, {"token_hash": hash_code(token)}).one()), token
    token = new_code(RESUME_LENGTH)
    draft = Draft(
        id=0,
        campaign_id=survey.campaign.id,
        questionnaire_version_id=survey.version.id,
        channel=Channel.WEB,
        status=ResponseStatus.DRAFT,
        created_on=today,
        language=language,
        current_section=first_section(survey).id,
        resume_token_hash=hash_code(token),
    )
    values = {k: v for k, v in vars(draft).items() if k not in ("id", "answers")}
    values.update(channel=draft.channel.value, status=draft.status.value, created_on=today.isoformat())
    cursor = _INSERT_DRAFT.send(session, values)
    try:
        draft.id = cursor.fetchone()[0]
    finally:
        cursor.close()
    draft.answers = {}
    if code_row is not None:
        code_row.used_on = today
        code_row.response_id = draft.id
    return draft, token


def read_only(session: Session) -> None:
    """Run the rest of this session's work without a transaction (a page that only reads).

    Each read is then one statement, with no BEGIN and ROLLBACK around it. Only before
    the session's first statement (afterwards the session keeps its transaction); the
    connection gets its usual isolation level back when it returns to the pool.
    """
    current = session if isinstance(session, Session) else session()  # a scoped session gives its session
    # SQLite's driver opens no transaction for reads anyway: nothing to save there
    if not current.in_transaction() and current.get_bind().dialect.name != "sqlite":
        current.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def find_draft(
    session: Session, token: Any, *, today: dt.date, survey: Survey | None = None, for_update: bool = False
) -> Draft:
    """Return the draft of resume code ``token``; raise :class:`ResumeError` otherwise.

    With ``survey``, a draft of another campaign or questionnaire counts as unknown.
    With ``for_update``, the row is locked until the transaction ends (page saves).
    """
    code = normalise_code(token)
    if not _looks_like(code, RESUME_LENGTH):
        raise ResumeError("unknown")
    connection = session.connection()
    query = _FIND_DRAFT_FOR_UPDATE if for_update else _FIND_DRAFT_WITH_ANSWERS
    rows = query.rows(session, {"token_hash": hash_code(code)})
    if not rows or rows[0][3] != Channel.WEB.value:
        raise ResumeError("unknown")
    (draft_id, campaign_id, version_id, channel, status, created_on, language, current_section, token_hash,
     campaign_status, opens_on, closes_on) = rows[0][:12]
    if status != ResponseStatus.DRAFT.value:
        raise ResumeError("submitted")
    draft = Draft(draft_id, campaign_id, version_id, Channel(channel), ResponseStatus(status), as_date(created_on),
                  language, current_section, token_hash)
    draft.answers = _typed_answers(
        (r[12], r[13], r[14], as_json(r[15]), r[16]) for r in rows if r[12] is not None)
    if survey is not None and (
        draft.campaign_id != survey.campaign.id
        or draft.questionnaire_version_id != survey.version.id  # an older version of the same key is fine
        and connection.execute(_VERSION_KEY, {"id": draft.questionnaire_version_id}).scalar() != survey.key
    ):
        raise ResumeError("unknown")
    if today - draft.created_on > DRAFT_LIFETIME or not open_on(campaign_status, as_date(opens_on), as_date(closes_on), today):
        raise ResumeError("expired")
    return draft


def stored_answers(session: Session, response) -> dict[str, Any]:
    """Return the typed answers of ``response`` (a draft or a response).

    A draft found by :func:`find_draft` brought its answers along; otherwise one query.
    """
    if getattr(response, "answers", None) is not None and isinstance(response, Draft):
        return dict(response.answers)
    return _typed_answers(session.connection().execute(_ANSWERS, {"id": response.id}))


def _typed_answers(rows) -> dict[str, Any]:
    answers = {}
    for question_id, value_text, number, value_json, kind in rows:
        if kind == "json":
            answers[question_id] = value_json
        elif kind == "int":
            answers[question_id] = int(number)
        elif kind == "float":
            answers[question_id] = number
        else:
            answers[question_id] = value_text
    return answers


def section_ids(survey: Survey, answers: Mapping[str, Any]) -> list[str]:
    """Ids of the sections shown for ``answers``, in order (the pages of the questionnaire)."""
    return [s.id for s in visible_sections(survey.definition, answers)]


def resume_section(survey: Survey, response: Draft, answers: Mapping[str, Any]) -> str:
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


def check_page(survey: Survey, response: Draft, answers: Mapping[str, Any], *, version_id: Any, section_id: str) -> Section:
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
    response: Draft,
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
    _MOVE_DRAFT.run(session, {"section": response.current_section, "lang": lang, "draft_id": response.id})
    return PageOutcome(saved=True, target=target, dropped=dropped)


def _replace_answers(session: Session, response, stored: Mapping[str, Any], final: Mapping[str, Any]) -> None:
    """Write only what changed: delete the rows that differ or vanished, insert the new ones."""
    changed = [k for k in stored if k not in final or final[k] != stored[k] or type(final[k]) is not type(stored[k])]
    if changed:
        statement = _DELETE_ANSWERS.get(len(changed))
        if statement is None:
            statement = _DELETE_ANSWERS[len(changed)] = HotStatement(delete(Answer.__table__).where(
                _A.response_id == bindparam("id"), _A.question_id.in_([bindparam(f"q_{i}") for i in range(len(changed))])))
        statement.run(session, {"id": response.id, **{f"q_{i}": k for i, k in enumerate(changed)}})
    rows = [
        {"response_id": response.id, "question_id": k, **encode_value(v)}
        for k, v in final.items()
        if k not in stored or k in changed
    ]
    if rows:
        write_answers(session, rows)
    if isinstance(response, Draft):
        response.answers = dict(final)


def write_answers(session: Session, rows: list[dict]) -> None:
    """Insert answer rows, in one statement (up to 50 rows)."""
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start:start + _INSERT_CHUNK]
        statement = _INSERT_ANSWERS.get(len(chunk))
        if statement is None:
            statement = _INSERT_ANSWERS[len(chunk)] = HotStatement(insert(Answer.__table__).values(
                [{c: bindparam(f"{c}_{i}") for c in _ANSWER_COLUMNS} for i in range(len(chunk))]))
        params = {}
        for i, row in enumerate(chunk):
            for column in _ANSWER_COLUMNS:
                value = row[column]
                params[f"{column}_{i}"] = json_text(value) if column == "value_json" else value
        statement.run(session, params)


def submit(session: Session, survey: Survey, response: Draft, *, version_id: Any, lang: str, today: dt.date) -> SubmitOutcome:
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
    sent = session.connection().execute(_SUBMIT_DRAFT, {"day": today, "lang": lang, "draft_id": response.id})
    if sent.rowcount != 1:
        raise StalePage("submitted")
    response.status = ResponseStatus.COMPLETE
    response.submitted_on = today
    response.resume_token_hash = None
    response.current_section = None
    response.language = lang
    return SubmitOutcome(submitted=True)


def count_answers(session: Session, response: Draft) -> int:
    return session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id))
