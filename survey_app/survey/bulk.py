"""Storing responses: one row per response, one row per answer."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..models import Campaign, Channel, QuestionnaireVersion, Response, ResponseStatus
from ..models.response import encode_value
from . import store


def bulk_store(
    session: Session,
    campaign: Campaign,
    version: QuestionnaireVersion,
    answer_sets: Iterable[Mapping],
    *,
    channel: Channel,
    status: ResponseStatus,
    days: Iterable[dt.date],
    language: str = "fr",
    batch_size: int = 2000,
) -> int:
    """Insert many complete responses at once (imports, demo data); return how many."""
    stored = 0
    batch: list[tuple[Mapping, dt.date]] = []
    for answers, day in zip(answer_sets, days):
        batch.append((answers, day))
        if len(batch) >= batch_size:
            stored += _insert_batch(session, campaign, version, batch, channel, status, language)
            batch = []
    if batch:
        stored += _insert_batch(session, campaign, version, batch, channel, status, language)
    return stored


def _insert_batch(session, campaign, version, batch, channel, status, language) -> int:
    submitted = status is not ResponseStatus.DRAFT
    response_rows = [
        {
            "campaign_id": campaign.id,
            "questionnaire_version_id": version.id,
            "channel": channel,
            "status": status,
            "created_on": day,
            "submitted_on": day if submitted else None,
            "language": language,
        }
        for _answers, day in batch
    ]
    ids = session.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True), response_rows
    ).all()
    answer_rows = [
        {"response_id": response_id, "question_id": question_id, **encode_value(value)}
        for response_id, (answers, _day) in zip(ids, batch)
        for question_id, value in answers.items()
        if value is not None
    ]
    if answer_rows:
        store.write_answers(session, answer_rows)  # the survey's one way to write answers
    return len(ids)
