"""A questionnaire version of a campaign, ready to be answered: plain snapshots.

A :class:`Survey` holds what the resident's pages need of the campaign, the version
(with its definition) and the districts. Snapshots are shared between requests; the
caches that keep them, and their rules, are in :mod:`survey_app.infra.caches`.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import time
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..config import LANGUAGES
from ..infra import caches
from ..models import Campaign, CampaignStatus, District, InvitationCode, QuestionnaireVersion
from ..models.campaign import open_on
from ..questionnaire import Definition
from ..campaigns.questionnaires import definition_by_hash
from . import store


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

    ``identity`` holds every value the snapshot was built from: equal identities, equal
    surveys (what is rendered from a survey is kept by its identity).
    """

    campaign: CampaignInfo
    version: VersionInfo
    definition: Definition
    districts: tuple
    identity: tuple = ()

    @property
    def key(self) -> str:
        return self.version.key

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """The interface's languages, then the other languages of the questionnaire file."""
        return tuple(dict.fromkeys([*LANGUAGES, *self.definition.languages]))

    @functools.cached_property
    def conditions_key(self) -> tuple:
        """What the answers' conditions and checks depend on: the content and the districts."""
        return self.version.content_hash, tuple((d["code"], d["name"]) for d in self.districts)

    @functools.cached_property
    def answerable_count(self) -> int:
        return sum(1 for q in self.definition.questions.values() if q.answerable)

    @property
    def minutes(self) -> int:
        """How long answering takes, about: 12 s a question, by 5 minutes, at least 5."""
        return max(5, round(self.answerable_count * 12 / 60 / 5) * 5)

    def is_open_on(self, day: dt.date) -> bool:
        return self.campaign.is_open_on(day)


_SURVEY_MODELS = (Campaign, District, QuestionnaireVersion, InvitationCode)


def _survey_from_rows(session: Session, rows: list) -> Survey | None:
    if not rows:
        return None
    first = rows[0]
    districts = tuple((r.district_code, r.district_name, bool(r.district_qpv)) for r in rows if r.district_code is not None)
    information = first.information or {}
    key = (first.campaign_id, first.slug, first.name, first.organisation, first.status, first.opens_on,
           first.closes_on, bool(first.needs_invitation), first.version_id, first.content_hash, districts,
           json.dumps(information, sort_keys=True, default=str))
    campaign = CampaignInfo(
        first.campaign_id, first.slug, first.name, first.organisation or "", CampaignStatus(first.status),
        first.opens_on, first.closes_on, information, bool(first.needs_invitation),
    )
    version = VersionInfo(first.version_id, first.key, first.version, first.content_hash)
    definition = definition_by_hash(session, version.id, version.content_hash, f"{version.key} v{version.version}")
    return Survey(campaign, version, definition,
                  tuple({"code": code, "name": name, "qpv": qpv} for code, name, qpv in districts), key)


def find_survey(session: Session, slug: str, key: str, *, max_age: float = 0.0) -> Survey | None:
    """Return the current version of questionnaire ``key`` in campaign ``slug``, or ``None``.

    With ``max_age`` (seconds), a survey found that recently is returned without a query.
    What must be exact is checked again where it matters: whether the campaign takes
    answers is read with the draft and when a draft starts.
    """
    now = time.monotonic()
    if max_age > 0:
        cache_key = (session.get_bind().engine.url, slug, key)  # the bind may be a Connection
        hit = caches.RECENT_SURVEYS.get(cache_key)
        if hit is not None and now - hit[0] < max_age:
            return hit[1]
    survey = _survey_from_rows(session, store.survey_rows(session, slug=slug, key=key))
    if max_age > 0 and survey is not None:
        caches.RECENT_SURVEYS.put(cache_key, (now, survey))
    return survey


def survey_of(session: Session, version_id: int) -> Survey:
    """Return the survey (campaign and version) of questionnaire version ``version_id``."""
    return _survey_from_rows(session, store.survey_rows(session, version_id=version_id))


def forget_surveys() -> None:
    """Forget the surveys served lately (after a change made without the ORM)."""
    caches.RECENT_SURVEYS.clear()


def note_change(session: Session) -> None:
    """Tell that this transaction changes what a survey is built from (forgotten at commit)."""
    session.info["surveys_changed"] = True


def watch(session_factory) -> None:
    """Forget the recent surveys when a session of ``session_factory`` (the application's
    scoped session, not every SQLAlchemy session of the process) commits a change of a
    campaign, its districts, its invitation codes or its questionnaire versions."""
    if event.contains(session_factory, "after_flush", _note_flushed):
        return
    event.listen(session_factory, "after_flush", _note_flushed)
    event.listen(session_factory, "after_commit", _forget_if_changed)


def _note_flushed(session: Session, _context) -> None:
    if any(isinstance(o, _SURVEY_MODELS) for o in itertools.chain(session.new, session.dirty, session.deleted)):
        note_change(session)


def _forget_if_changed(session: Session) -> None:
    if session.info.pop("surveys_changed", False):
        forget_surveys()
