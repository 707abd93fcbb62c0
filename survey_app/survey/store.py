"""Every statement of the resident's survey, in one place: surveys, drafts, answers, codes.

The rest of the survey code asks this module in domain terms (``draft_rows``,
``replace_answers``, ``submit_draft``…) and never writes SQL. Every statement is a
:class:`~survey_app.infra.hot_sql.HotStatement` run on the driver's cursor, inside the
session's transaction (the caller commits or rolls back); rows are read by column name.

An answer's value columns are the ``value_*`` columns of the ``answer`` table: the
statements below are built from that list, a value is encoded by
:func:`survey_app.models.response.encode_value` and decoded by ``Answer.value``, so a
new value column means changing the model only.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

from sqlalchemy import JSON, bindparam, delete, exists, insert, null, select, true, update
from sqlalchemy.orm import Session

from ..infra.hot_sql import HotStatement, as_date, as_json, json_text
from ..models import Answer, Campaign, District, InvitationCode, QuestionnaireVersion, Response, ResponseStatus
from ..models.response import encode_value

_C, _V, _D, _I = Campaign.__table__.c, QuestionnaireVersion.__table__.c, District.__table__.c, InvitationCode.__table__.c
_R, _A = Response.__table__.c, Answer.__table__.c

#: The columns holding an answer's value (``value_text``, ``value_number``, ``value_json``, ``value_kind``).
VALUE_COLUMNS = tuple(c.name for c in Answer.__table__.c if c.name.startswith("value_"))
_JSON_COLUMNS = frozenset(name for name in VALUE_COLUMNS if isinstance(Answer.__table__.c[name].type, JSON))
_ANSWER_COLUMNS = ("response_id", "question_id", *VALUE_COLUMNS)
_DRAFT_COLUMNS = ("campaign_id", "questionnaire_version_id", "channel", "status", "created_on", "language",
                  "current_section", "resume_token_hash")

# ----------------------------------------------------------------- surveys
#: Everything a survey page needs of the campaign, the version and the districts, in one
#: query (one row per district).
_SURVEY = (
    select(_C.id.label("campaign_id"), _C.slug, _C.name, _C.organisation, _C.status, _C.opens_on, _C.closes_on,
           _C.information, exists().where(_I.campaign_id == _C.id).label("needs_invitation"),
           _V.id.label("version_id"), _V.key, _V.version, _V.content_hash,
           _D.code.label("district_code"), _D.name.label("district_name"), _D.qpv.label("district_qpv"))
    .join_from(Campaign.__table__, QuestionnaireVersion.__table__, _V.campaign_id == _C.id)
    .outerjoin(District.__table__, _D.campaign_id == _C.id)
    .order_by(_D.position, _D.id)
)
_CURRENT_SURVEY = HotStatement(_SURVEY.where(_C.slug == bindparam("slug"), _V.key == bindparam("key"), _V.is_current == true()))
_VERSION_SURVEY = HotStatement(_SURVEY.where(_V.id == bindparam("version_id")))
_DEFINITION = HotStatement(select(_V.definition).where(_V.id == bindparam("id")))
_VERSION_KEY = HotStatement(select(_V.key).where(_V.id == bindparam("id")))
_HAS_INVITATIONS = HotStatement(select(exists().where(_I.campaign_id == bindparam("id")).label("found")))
#: Whether a campaign takes answers and asks for invitation codes, read when a draft starts.
_CAMPAIGN_STATE = HotStatement(select(
    _C.status, _C.opens_on, _C.closes_on, exists().where(_I.campaign_id == _C.id).label("needs_invitation"),
).where(_C.id == bindparam("id")))

# ------------------------------------------------------------------ drafts
_DRAFT = (
    select(_R.id, _R.campaign_id, _R.questionnaire_version_id, _R.channel, _R.status, _R.created_on, _R.language,
           _R.current_section, _R.resume_token_hash, _C.status.label("campaign_status"),
           _C.opens_on.label("campaign_opens_on"), _C.closes_on.label("campaign_closes_on"),
           _A.question_id, *(_A[name] for name in VALUE_COLUMNS))
    .join_from(Response.__table__, Campaign.__table__, _C.id == _R.campaign_id)
    .outerjoin(Answer.__table__, _A.response_id == _R.id)
    .where(_R.resume_token_hash == bindparam("token_hash"))
)
_FIND_DRAFT = HotStatement(_DRAFT)
#: PostgreSQL locks the row until the page is saved; SQLite has one writer at a time anyway.
_FIND_DRAFT_FOR_UPDATE = HotStatement(_DRAFT.with_for_update(of=Response.__table__))
_ANSWERS = HotStatement(select(_A.question_id, *(_A[name] for name in VALUE_COLUMNS)).where(_A.response_id == bindparam("id")))
_INSERT_DRAFT = HotStatement(insert(Response.__table__).values({c: bindparam(c) for c in _DRAFT_COLUMNS}).returning(_R.id))
_MOVE_DRAFT = HotStatement(update(Response.__table__).where(_R.id == bindparam("draft_id")).values(
    current_section=bindparam("section"), language=bindparam("lang")))
_RETOKEN_DRAFT = HotStatement(update(Response.__table__).where(_R.id == bindparam("draft_id")).values(
    resume_token_hash=bindparam("token_hash"), language=bindparam("lang")))
_SUBMIT_DRAFT = HotStatement(update(Response.__table__).where(
    _R.id == bindparam("draft_id"), _R.status == bindparam("draft")).values(
    status=bindparam("complete"), submitted_on=bindparam("day"), resume_token_hash=null(), current_section=null(),
    language=bindparam("lang")))
#: Answers are deleted and inserted with one statement, built once per number of rows.
_DELETE_ANSWERS: dict[int, HotStatement] = {}
_INSERT_ANSWERS: dict[int, HotStatement] = {}
_INSERT_CHUNK = 50

# ------------------------------------------------------------- invitations
_INVITATION = HotStatement(
    select(_I.id, _I.response_id, _R.status.label("response_status"))
    .outerjoin(Response.__table__, _R.id == _I.response_id)
    .where(_I.code_hash == bindparam("code_hash"), _I.campaign_id == bindparam("campaign_id"))
    .with_for_update(of=InvitationCode.__table__)
)
_USE_INVITATION = HotStatement(update(InvitationCode.__table__).where(_I.id == bindparam("id")).values(
    used_on=bindparam("day"), response_id=bindparam("response_id")))
_INSERT_INVITATION = HotStatement(insert(InvitationCode.__table__).values(
    campaign_id=bindparam("campaign_id"), code_hash=bindparam("code_hash")))


def _day(value: dt.date) -> str:
    return value.isoformat()  # both drivers take ISO text for a date column


# ------------------------------------------------------------------ reads
def survey_rows(session: Session, *, slug: str | None = None, key: str | None = None,
                version_id: int | None = None) -> list:
    """Rows of a survey, one per district: the current version of ``key`` in campaign
    ``slug``, or version ``version_id``. Dates and JSON are decoded."""
    if version_id is not None:
        rows = _VERSION_SURVEY.rows(session, {"version_id": version_id})
    else:
        rows = _CURRENT_SURVEY.rows(session, {"slug": slug, "key": key})
    return [r._replace(opens_on=as_date(r.opens_on), closes_on=as_date(r.closes_on), information=as_json(r.information))
            for r in rows]


def stored_definition(session: Session, version_id: int) -> dict:
    """The definition stored with a questionnaire version (a dict)."""
    return as_json(_DEFINITION.rows(session, {"id": version_id})[0].definition)


def version_key(session: Session, version_id: int) -> str | None:
    rows = _VERSION_KEY.rows(session, {"id": version_id})
    return rows[0].key if rows else None


def has_invitations(session: Session, campaign_id: int) -> bool:
    return bool(_HAS_INVITATIONS.rows(session, {"id": campaign_id})[0].found)


def results_published(session: Session, campaign_id: int) -> bool:
    """Whether the campaign's public results page is published (``/resultats/<slug>``)."""
    return bool(session.scalar(select(Campaign.results_published_at.is_not(None)).where(Campaign.id == campaign_id)))


def campaign_state(session: Session, campaign_id: int):
    """``status``, ``opens_on``, ``closes_on``, ``needs_invitation`` of a campaign, read now."""
    row = _CAMPAIGN_STATE.rows(session, {"id": campaign_id})[0]
    return row._replace(opens_on=as_date(row.opens_on), closes_on=as_date(row.closes_on),
                        needs_invitation=bool(row.needs_invitation))


def draft_rows(session: Session, token_hash: str, *, for_update: bool = False) -> tuple[Any, dict] | None:
    """The draft row of a resume token hash with the campaign's dates, and its typed
    answers; ``None`` when no response has that token."""
    rows = (_FIND_DRAFT_FOR_UPDATE if for_update else _FIND_DRAFT).rows(session, {"token_hash": token_hash})
    if not rows:
        return None
    first = rows[0]
    first = first._replace(created_on=as_date(first.created_on), campaign_opens_on=as_date(first.campaign_opens_on),
                           campaign_closes_on=as_date(first.campaign_closes_on))
    return first, _typed(r for r in rows if r.question_id is not None)


def answers_of(session: Session, response_id: int) -> dict[str, Any]:
    """The typed answers of a response."""
    return _typed(_ANSWERS.rows(session, {"id": response_id}))


def _typed(rows: Iterable) -> dict[str, Any]:
    value = Answer.value.fget  # the model decodes: one place for the rule
    answers = {}
    for row in rows:
        if _JSON_COLUMNS and row.value_kind == "json":
            row = row._replace(**{name: as_json(getattr(row, name)) for name in _JSON_COLUMNS})
        answers[row.question_id] = value(row)
    return answers


def invitation(session: Session, campaign_id: int, code_hash: str):
    """The invitation code row (``id``, ``response_id``, ``response_status``), locked; or ``None``."""
    rows = _INVITATION.rows(session, {"code_hash": code_hash, "campaign_id": campaign_id})
    return rows[0] if rows else None


# ----------------------------------------------------------------- writes
def insert_draft(session: Session, values: Mapping[str, Any]) -> int:
    """Insert a draft (``values`` holds the draft columns, plain values); return its id."""
    params = {c: values[c] for c in _DRAFT_COLUMNS}
    params["created_on"] = _day(params["created_on"])
    cursor = _INSERT_DRAFT.send(session, params)
    try:
        return cursor.fetchone()[0]
    finally:
        cursor.close()


def retoken_draft(session: Session, draft_id: int, token_hash: str, lang: str) -> None:
    _RETOKEN_DRAFT.run(session, {"token_hash": token_hash, "lang": lang, "draft_id": draft_id})


def move_draft(session: Session, draft_id: int, section: str, lang: str) -> None:
    _MOVE_DRAFT.run(session, {"section": section, "lang": lang, "draft_id": draft_id})


def submit_draft(session: Session, draft_id: int, day: dt.date, lang: str) -> bool:
    """Mark a draft complete (its token erased); ``False`` if it was no longer a draft."""
    return _SUBMIT_DRAFT.run(session, {"day": _day(day), "lang": lang, "draft_id": draft_id,
                                       "draft": ResponseStatus.DRAFT.value, "complete": ResponseStatus.COMPLETE.value}) == 1


def use_invitation(session: Session, invitation_id: int, response_id: int, day: dt.date) -> None:
    _USE_INVITATION.run(session, {"id": invitation_id, "response_id": response_id, "day": _day(day)})


def insert_invitations(session: Session, campaign_id: int, code_hashes: Iterable[str]) -> None:
    session.flush()  # the campaign may be new in this transaction
    _INSERT_INVITATION.many(session, [{"campaign_id": campaign_id, "code_hash": h} for h in code_hashes])


def replace_answers(session: Session, response_id: int, stored: Mapping[str, Any], final: Mapping[str, Any]) -> None:
    """Write only what changed from ``stored`` to ``final``: delete the rows that differ
    or vanished, insert the new ones."""
    changed = [k for k in stored if k not in final or final[k] != stored[k] or type(final[k]) is not type(stored[k])]
    if changed:
        statement = _DELETE_ANSWERS.get(len(changed))
        if statement is None:
            statement = _DELETE_ANSWERS[len(changed)] = HotStatement(delete(Answer.__table__).where(
                _A.response_id == bindparam("id"), _A.question_id.in_([bindparam(f"q_{i}") for i in range(len(changed))])))
        statement.run(session, {"id": response_id, **{f"q_{i}": k for i, k in enumerate(changed)}})
    rows = [{"response_id": response_id, "question_id": k, **encode_value(v)}
            for k, v in final.items() if k not in stored or k in changed]
    if rows:
        write_answers(session, rows)


def write_answers(session: Session, rows: list[dict]) -> None:
    """Insert answer rows (``response_id``, ``question_id`` and the value columns), 50 per statement."""
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
                params[f"{column}_{i}"] = json_text(value) if column in _JSON_COLUMNS else value
        statement.run(session, params)


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
