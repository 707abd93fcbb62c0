"""The tidy table of a campaign's responses: one row per response, one column per variable.

It is what ``analysis/`` reads, and what the coordinator downloads. Column naming:

- single choice, district, yes/no, scale, numbers, dates, texts: the question id;
- multiple choice: one 0/1 column per option, ``<question>__<code>``;
- ranking: ``<question>__rang1``, ``__rang2``... holding codes;
- matrix: one column per row, ``<question>__<row>``;
- "Autre, précisez" text: ``<question>__autre``.

A question not shown to a respondent is empty (NaN), never 0.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Answer, Campaign, QuestionnaireVersion, Response, ResponseStatus
from ..questionnaire import Definition
from ..questionnaire.model import OTHER_SUFFIX
from ..domain import ServiceError
from ..campaigns import questionnaires as questionnaire_service

ANALYSED_STATUSES = (ResponseStatus.COMPLETE, ResponseStatus.VALIDATED)
META_COLUMNS = ["response_id", "channel", "status", "language", "created_on", "submitted_on", "version"]


def column_names(definition: Definition) -> list[str]:
    """Return the tidy columns of ``definition``, in questionnaire order."""
    columns: list[str] = []
    for question in definition.questions.values():
        columns.extend(_columns_of(question))
    return columns


def _columns_of(question) -> list[str]:
    kind = question.type
    if kind == "note":
        return []
    if kind == "multiple":
        names = [f"{question.id}__{code}" for code in question.codes]
    elif kind == "ranking":
        names = [f"{question.id}__rang{i}" for i in range(1, (question.rank_count or len(question.codes)) + 1)]
    elif kind == "matrix":
        names = [f"{question.id}__{row}" for row in question.row_ids]
    else:
        names = [question.id]
    if question.other_option is not None:
        names.append(question.id + OTHER_SUFFIX)
    return names


def tidy_responses(
    session: Session,
    campaign: Campaign,
    key: str,
    *,
    statuses: Iterable[ResponseStatus] = ANALYSED_STATUSES,
) -> tuple[pd.DataFrame, Definition]:
    """Return the tidy DataFrame of the campaign's responses to questionnaire ``key``.

    Responses to every version of ``key`` are included; columns follow the current
    version (a column a former version had and the current one dropped is kept at the end).
    """
    current = questionnaire_service.current_version(session, campaign, key)
    if current is None:
        raise ServiceError(f"Le questionnaire « {key} » n'est pas chargé dans la campagne {campaign.slug}.")
    definition = questionnaire_service.definition_of(current)
    versions = {
        v.id: v
        for v in session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.key == key)
        )
    }
    response_rows = session.execute(
        select(
            Response.id, Response.channel, Response.status, Response.language,
            Response.created_on, Response.submitted_on, Response.questionnaire_version_id,
        )
        .where(Response.questionnaire_version_id.in_(versions), Response.status.in_(list(statuses)))
        .order_by(Response.id)
    ).all()
    meta = pd.DataFrame(
        [
            (rid, ch.value, st.value, lang, created, submitted, versions[vid].version)
            for rid, ch, st, lang, created, submitted, vid in response_rows
        ],
        columns=META_COLUMNS,
    )
    records: dict[str, dict[int, object]] = {}
    answer_rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value_text, Answer.value_number, Answer.value_json, Answer.value_kind)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.questionnaire_version_id.in_(versions), Response.status.in_(list(statuses)))
    )
    questions = definition.questions
    for response_id, question_id, text, number, value, kind in answer_rows:
        question = questions.get(question_id)
        if kind == "json":
            if question is not None and question.type == "multiple":
                for code in question.codes:
                    records.setdefault(f"{question_id}__{code}", {})[response_id] = 1 if code in value else 0
            elif question is not None and question.type == "ranking":
                for rank, code in enumerate(value, start=1):
                    records.setdefault(f"{question_id}__rang{rank}", {})[response_id] = code
            elif isinstance(value, dict):
                for row, code in value.items():
                    records.setdefault(f"{question_id}__{row}", {})[response_id] = code
            else:
                records.setdefault(question_id, {})[response_id] = "|".join(map(str, value))
        elif kind == "int":
            records.setdefault(question_id, {})[response_id] = int(number)
        elif kind == "float":
            records.setdefault(question_id, {})[response_id] = number
        else:
            records.setdefault(question_id, {})[response_id] = text
    ordered = column_names(definition)
    ordered += sorted(set(records) - set(ordered))
    index = pd.Index(meta["response_id"], name="response_id")
    data = {name: pd.Series(records.get(name, {}), dtype=object).reindex(index) for name in ordered}
    table = pd.concat([meta.set_index("response_id"), pd.DataFrame(data, index=index)], axis=1).reset_index()
    return _tighten_types(table, definition), definition


def _tighten_types(table: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    """Give numeric columns a numeric dtype (NaN for not asked)."""
    numeric = set()
    for question in definition.questions.values():
        if question.type in {"integer", "decimal", "year", "scale"}:
            numeric.add(question.id)
        if question.type == "multiple":
            numeric.update(f"{question.id}__{code}" for code in question.codes)
    for name in numeric & set(table.columns):
        table[name] = pd.to_numeric(table[name], errors="coerce").astype(np.float64)
    return table
