"""Answering a questionnaire on the web: drafts, pages, submission.

The web layer parses the form into plain values and calls these functions; every
decision (what is saved, what is dropped, where the respondent goes next, which version
a draft answers) is taken here, and every statement is asked of :mod:`.store`. Nothing
identifies the respondent: a draft is found by a random resume token of which only the
SHA-256 is stored, and only the day is kept.

Conditions are authoritative here. A page's answers are merged with the stored
answers, answers to questions that turn out hidden are dropped (``prune_hidden``)
and the page is validated again; a page is saved only when valid, in one
transaction (the caller commits), so a draft never holds an invalid answer nor an
answer to a hidden question.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Channel, ResponseStatus
from ..models.campaign import open_on
from ..questionnaire import OTHER_SUFFIX, Section, coerce_other_text, constraint_failures
from ..questionnaire.answers import is_blank
from ..questionnaire.conditions import tree_refs
from . import store
from .conditions import effective_answers, prune_hidden, validate_answers, visible_sections
from .codes import (CODE_ALPHABET, INVITATION_LENGTH, MAX_INVITATIONS, RESUME_LENGTH, format_code,  # noqa: F401
                    generate_invitation_codes, hash_code, invitations_required, looks_like, new_code, normalise_code)
from .store import read_only, write_answers  # noqa: F401
from .surveys import CampaignInfo, Survey, VersionInfo, find_survey, forget_surveys, survey_of  # noqa: F401

#: A draft older than this can no longer be resumed.
DRAFT_LIFETIME = dt.timedelta(days=90)
#: Navigation after a page: next page, previous page, or save and stop for now.
DIRECTIONS = ("next", "back", "later")
#: The answer by which a professional asks to be listed in the directory of local health
#: services (``questionnaires/professional.yaml``): their response then holds the details
#: to publish with their name, and is no longer anonymous.
DIRECTORY_CONSENT = ("annuaire_accord", "oui")


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


@dataclass
class Draft:
    """A web response being answered: a plain copy of its row, with its typed answers."""

    id: int
    campaign_id: int
    questionnaire_version_id: int
    channel: Channel
    status: ResponseStatus
    created_on: dt.date
    language: str
    current_section: str | None
    resume_token_hash: str | None
    #: The typed answers, read with the draft and kept up to date by the saves of this transaction.
    answers: dict = field(default_factory=dict, compare=False, repr=False)


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
    #: Messages per question id of every page.
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: The first section holding an error.
    section_id: str | None = None
    #: The messages to show on that section's page (``"__page__"`` for those of other pages).
    page_errors: dict[str, list[str]] = field(default_factory=dict)
    #: The response holds details the respondent asked to publish (a directory entry).
    directory_entry: bool = False


# ----------------------------------------------------------------- drafts
def first_section(survey: Survey, answers: Mapping[str, Any] | None = None) -> Section:
    return visible_sections(survey, answers or {})[0]


def start_draft(
    session: Session, survey: Survey, *, language: str, today: dt.date, invitation: str | None = None
) -> tuple[Draft, str]:
    """Start a web response (starting is the respondent's consent); return it with its resume token.

    When the campaign mailed invitation codes, ``invitation`` must be one of them: an
    unused code starts a response, a code whose response is still a draft resumes it
    (with a new resume token), a code whose response was sent is refused.
    """
    state = store.campaign_state(session, survey.campaign.id)
    if not open_on(state.status, state.opens_on, state.closes_on, today):
        raise SurveyClosed("La campagne n'est pas ouverte.")
    code_row = None
    if state.needs_invitation:
        code = normalise_code(invitation)
        if not code:
            raise InvitationError("missing")
        if looks_like(code, INVITATION_LENGTH):
            code_row = store.invitation(session, survey.campaign.id, hash_code(code))
        if code_row is None:
            raise InvitationError("unknown")
        if code_row.response_id is not None:
            if code_row.response_status != ResponseStatus.DRAFT.value:
                raise InvitationError("used")
            token = new_code(RESUME_LENGTH)
            store.retoken_draft(session, code_row.response_id, hash_code(token), language)
            return _draft_of(*store.draft_rows(session, hash_code(token))), token
    token = new_code(RESUME_LENGTH)
    draft = Draft(id=0, campaign_id=survey.campaign.id, questionnaire_version_id=survey.version.id,
                  channel=Channel.WEB, status=ResponseStatus.DRAFT, created_on=today, language=language,
                  current_section=first_section(survey).id, resume_token_hash=hash_code(token))
    draft.id = store.insert_draft(session, {**vars(draft), "channel": draft.channel.value, "status": draft.status.value})
    if code_row is not None:
        store.use_invitation(session, code_row.id, draft.id, today)
    return draft, token


def _draft_of(row, answers: dict) -> Draft:
    return Draft(row.id, row.campaign_id, row.questionnaire_version_id, Channel(row.channel), ResponseStatus(row.status),
                 row.created_on, row.language, row.current_section, row.resume_token_hash, answers)


def find_draft(
    session: Session, token: Any, *, today: dt.date, survey: Survey | None = None, for_update: bool = False
) -> Draft:
    """Return the draft of resume code ``token``; raise :class:`ResumeError` otherwise.

    With ``survey``, a draft of another campaign or questionnaire counts as unknown (an
    older version of the same questionnaire is fine). With ``for_update``, the row is
    locked until the transaction ends (page saves).
    """
    code = normalise_code(token)
    if not looks_like(code, RESUME_LENGTH):
        raise ResumeError("unknown")
    found = store.draft_rows(session, hash_code(code), for_update=for_update)
    if found is None or found[0].channel != Channel.WEB.value:
        raise ResumeError("unknown")
    row, answers = found
    if row.status != ResponseStatus.DRAFT.value:
        raise ResumeError("submitted")
    draft = _draft_of(row, answers)
    if survey is not None and (
        draft.campaign_id != survey.campaign.id
        or draft.questionnaire_version_id != survey.version.id
        and store.version_key(session, draft.questionnaire_version_id) != survey.key
    ):
        raise ResumeError("unknown")
    if today - draft.created_on > DRAFT_LIFETIME or not open_on(
            row.campaign_status, row.campaign_opens_on, row.campaign_closes_on, today):
        raise ResumeError("expired")
    return draft


def open_draft(session: Session, survey: Survey, token: Any, *, today: dt.date,
               for_update: bool = False) -> tuple[Survey, Draft]:
    """The draft of ``token`` and the survey it answers: a draft keeps the version it
    started with, even when a newer version of the questionnaire was loaded since.
    Raise :class:`ResumeError` as :func:`find_draft`."""
    draft = find_draft(session, token, today=today, survey=survey, for_update=for_update)
    if draft.questionnaire_version_id != survey.version.id:
        survey = survey_of(session, draft.questionnaire_version_id)
    return survey, draft


def stored_answers(session: Session, response) -> dict[str, Any]:
    """Return the typed answers of ``response`` (a draft, which brought them along, or a response)."""
    if isinstance(response, Draft):
        return dict(response.answers)
    return store.answers_of(session, response.id)


# ------------------------------------------------------------------ pages
def section_ids(survey: Survey, answers: Mapping[str, Any]) -> list[str]:
    """Ids of the sections shown for ``answers``, in order (the pages of the questionnaire)."""
    return [s.id for s in visible_sections(survey, answers)]


@dataclass(frozen=True)
class PagePosition:
    """Where a page stands in the respondent's questionnaire."""

    #: the page's number among the pages shown for the answers so far
    number: int
    #: pages shown for the answers so far, plus the later pages that answers not given
    #: yet (on this page or after it) may still bring: the total only ever goes down as
    #: the respondent moves on without changing earlier answers
    count: int
    #: whether ``count`` holds pages that may still be left out (« 9 pages at most »)
    at_most: bool
    #: no page follows this one for the answers so far (the next step is the review)
    is_last: bool


def page_position(survey: Survey, answers: Mapping[str, Any], section_id: str,
                  pages: list[str] | None = None) -> PagePosition:
    """The page's number and the questionnaire's length for the respondent's answers
    (``pages``: their :func:`section_ids`, when already known).

    Counting only the pages shown so far made the total grow as conditional pages
    appeared (« Étape 1 sur 8 », then « Étape 2 sur 9 »). A later page hidden now, whose
    condition reads a question of this page or of a later one, is counted too, and the
    total said to be a maximum: it never grows while the respondent goes forward.
    """
    pages = section_ids(survey, answers) if pages is None else pages
    definition = survey.definition
    order = {s.id: index for index, s in enumerate(definition.sections)}
    here = order.get(section_id, 0)
    shown = set(pages)
    trees = definition.condition_trees()["sections"]

    def still_open(section) -> bool:
        for ref in tree_refs(trees.get(section.id)):
            question = definition.questions.get(ref)
            if question is not None and order.get(question.section_id, -1) >= here:
                return True
        return False

    possible = sum(1 for s in definition.sections
                   if s.id not in shown and order[s.id] > here and still_open(s))
    number = pages.index(section_id) + 1 if section_id in pages else 1
    return PagePosition(number, len(pages) + possible, possible > 0, number == len(pages))


def resume_section(survey: Survey, response: Draft, answers: Mapping[str, Any] | None = None) -> str:
    """The page to show a returning respondent: where they stopped, if still shown."""
    shown = section_ids(survey, response.answers if answers is None else answers)
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


def _page_errors(survey: Survey, kept: Mapping[str, Any], effective: Mapping[str, Any], section: Section,
                 lang: str) -> dict[str, list[str]]:
    definition = survey.definition
    errors = validate_answers(survey, kept, lang=lang, section_id=section.id)
    # questionnaire-wide rules are shown on the page of the question they are attached to
    own = {q.id for q in section.questions}
    for constraint in constraint_failures(definition, effective, [], include_global=True):
        if constraint.target in own:
            messages = errors.setdefault(constraint.target, [])
            if constraint.message(lang) not in messages:
                messages.append(constraint.message(lang))
    return errors


def save_page(session: Session, survey: Survey, response: Draft, section_id: str, raw: Mapping[str, Any], *,
              version_id: Any, direction: str = "next", lang: str = "fr") -> PageOutcome:
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
    kept = prune_hidden(survey, merged)
    dropped = sorted(k for k in page if k not in kept)
    effective = effective_answers(survey, kept)
    errors = _page_errors(survey, kept, effective, section, lang)
    if direction != "next":
        errors = {k: v for k, v in errors.items() if not is_blank(page.get(k))}
    if errors:
        return PageOutcome(saved=False, errors=errors, target=section.id, dropped=dropped)

    final = {k: v for k, v in effective.items() if definition.questions[k].answerable}
    for key, value in kept.items():
        if key.endswith(OTHER_SUFFIX):
            text = coerce_other_text(value)
            if text is not None:
                final[key] = text
    store.replace_answers(session, response.id, stored, final)
    response.answers = dict(final)
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
    store.move_draft(session, response.id, response.current_section, lang)
    return PageOutcome(saved=True, target=target, dropped=dropped)


def submit(session: Session, survey: Survey, response: Draft, *, version_id: Any, lang: str, today: dt.date) -> SubmitOutcome:
    """Check every answer once more and mark the response complete; it can no longer change from the web."""
    if response.status is not ResponseStatus.DRAFT:
        raise StalePage("submitted")
    if str(version_id) != str(response.questionnaire_version_id):
        raise StalePage("version")
    definition = survey.definition
    stored = stored_answers(session, response)
    kept = prune_hidden(survey, stored)
    errors = validate_answers(survey, kept, lang=lang)
    if errors:
        first = next((q.section_id for q in definition.questions.values() if q.id in errors), section_ids(survey, kept)[0])
        own = {q.id for q in definition.section(first).questions}
        shown = {k: v for k, v in errors.items() if k in own} or {"__page__": list(errors.values())[0]}
        return SubmitOutcome(submitted=False, errors=errors, section_id=first, page_errors=shown)
    store.replace_answers(session, response.id, stored, kept)
    response.answers = dict(kept)
    if not store.submit_draft(session, response.id, today, lang):
        raise StalePage("submitted")
    response.status = ResponseStatus.COMPLETE
    response.resume_token_hash = None
    response.current_section = None
    response.language = lang
    question, answer = DIRECTORY_CONSENT
    return SubmitOutcome(submitted=True, directory_entry=kept.get(question) == answer)
