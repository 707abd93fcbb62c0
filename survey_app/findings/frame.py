"""The tidy table of a campaign's responses: one row per response, one column per variable.

It is what ``analysis/`` reads, and what the coordinator downloads. Column naming:

- single choice, district, yes/no, scale, numbers, dates, texts: the question id;
- multiple choice: one 0/1 column per option, ``<question>__<code>``;
- ranking: ``<question>__rang1``, ``__rang2``... holding codes;
- matrix: one column per row, ``<question>__<row>``;
- "Autre, précisez" text: ``<question>__autre_texte`` (:data:`OTHER_TEXT_SUFFIX`), the
  name the exports give it (``question.autre_texte``): a multiple choice's option coded
  ``autre`` has the column ``<question>__autre`` (0/1), so the text needs its own.

A question not shown to a respondent is empty (NaN), never 0.

The answers are read in one pass on the driver's cursor, without SQLAlchemy's type
processing of each row, and spread into columns with numpy, question by question (no
Python loop over answer values but for the JSON of matrices, multiple choices and
rankings, decoded in one call): on 100,000 responses that was most of the time of the
weights and indicator jobs.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from ..models import Answer, Campaign, QuestionnaireVersion, Response, ResponseStatus
from ..questionnaire import Definition
from ..questionnaire.model import OTHER_SUFFIX
from ..domain import ServiceError
from ..campaigns import questionnaires as questionnaire_service
from ..infra.raw_rows import raw_rows

ANALYSED_STATUSES = (ResponseStatus.COMPLETE, ResponseStatus.VALIDATED)
META_COLUMNS = ["response_id", "channel", "status", "language", "created_on", "submitted_on", "version"]
#: Column of the text of an « Autre, précisez » answer: ``<question>__autre_texte``.
OTHER_TEXT_SUFFIX = OTHER_SUFFIX + "_texte"


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
        names.append(question.id + OTHER_TEXT_SUFFIX)
    return names


def other_text_column(question_id: str) -> str:
    """The tidy column of the « Autre, précisez » text of question ``question_id``."""
    return question_id + OTHER_TEXT_SUFFIX


def tidy_responses(
    session: Session,
    campaign: Campaign,
    key: str,
    *,
    statuses: Iterable[ResponseStatus] = ANALYSED_STATUSES,
    questions: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, Definition]:
    """Return the tidy DataFrame of the campaign's responses to questionnaire ``key``.

    Responses to every version of ``key`` are included; columns follow the current
    version (a column a former version had and the current one dropped is kept at the end).
    ``questions`` (ids) keeps only the columns of those questions (with the metadata of
    every response): the weights need the few profile questions, not every answer.
    """
    definition = current_definition(session, campaign, key)
    versions = dict(session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.version)
        .where(QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.key == key)
    ).all())
    status_values = [ResponseStatus(s).value for s in statuses]
    meta = _meta_frame(session, versions, status_values)
    ids = meta["response_id"].to_numpy(dtype=np.int64)
    wanted = None if questions is None else list(dict.fromkeys(questions))
    columns = _answer_columns(session, definition, versions, status_values, ids, wanted)
    if wanted is None:
        ordered = column_names(definition)
    else:
        ordered = [c for q in wanted if q in definition.questions for c in _columns_of(definition.questions[q])]
    ordered += sorted(set(columns) - set(ordered))
    empty = None
    data = {}
    for name in ordered:
        values = columns.get(name)
        if values is None:
            if empty is None:
                empty = np.full(len(ids), np.nan, dtype=object)
            values = empty.copy()
        data[name] = values
    answers = pd.DataFrame(data, index=range(len(ids)), columns=ordered, dtype=object)
    table = pd.concat([meta, answers], axis=1)
    return _tighten_types(table, definition), definition


def current_definition(session: Session, campaign: Campaign, key: str) -> Definition:
    """The definition of the current version of questionnaire ``key`` (a French error if not loaded)."""
    current = questionnaire_service.current_version(session, campaign, key)
    if current is None:
        raise ServiceError(f"Le questionnaire « {key} » n'est pas chargé dans la campagne {campaign.slug}.")
    return questionnaire_service.definition_of(current)


def _as_dates(values) -> np.ndarray:
    """``datetime.date`` objects (None where missing) from what the driver returns (dates or ISO text)."""
    out = np.empty(len(values), dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    days = [u if isinstance(u, dt.date) else dt.date.fromisoformat(str(u)[:10]) for u in uniques]
    lookup = np.array(days + [None], dtype=object)
    out[:] = lookup[codes]
    return out


def _meta_frame(session: Session, versions: dict[int, int], statuses: list[str]) -> pd.DataFrame:
    statement = (
        select(Response.id, type_coerce(Response.channel, String), type_coerce(Response.status, String),
               Response.language, type_coerce(Response.created_on, String),
               type_coerce(Response.submitted_on, String), Response.questionnaire_version_id)
        .where(Response.questionnaire_version_id.in_(list(versions)), type_coerce(Response.status, String).in_(statuses))
        .order_by(Response.id)
    )
    rows = raw_rows(session, statement)
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in META_COLUMNS})
    rid, channel, status, language, created, submitted, version = zip(*rows)
    version_of = pd.Series(versions)
    # built from rows, as pandas infers each column's type from Python values
    return pd.DataFrame(
        zip(rid, channel, status, language, _as_dates(created), _as_dates(submitted),
            version_of.reindex(np.asarray(version)).tolist()),
        columns=META_COLUMNS,
    )


def _decode_json(texts) -> list:
    """Decode the JSON texts of many answers in one call."""
    return json.loads("[" + ",".join(texts) + "]")


def _answer_columns(session, definition: Definition, versions, statuses, ids: np.ndarray,
                    questions: list[str] | None = None) -> dict[str, np.ndarray]:
    """``{tidy column: object array aligned on ids}`` of every answer of the responses ``ids``
    (of the questions ``questions`` only, with their « Autre, précisez » texts, when given)."""
    statement = (
        select(Answer.response_id, Answer.question_id, Answer.value_kind, Answer.value_text, Answer.value_number,
               cast(Answer.value_json, Text))
        .join(Response, Answer.response_id == Response.id)
        .where(Response.questionnaire_version_id.in_(list(versions)), type_coerce(Response.status, String).in_(statuses))
    )
    if questions is not None:
        statement = statement.where(Answer.question_id.in_(questions + [q + OTHER_SUFFIX for q in questions]))
    rows = raw_rows(session, statement)
    n = len(ids)
    out: dict[str, np.ndarray] = {}
    if not rows:
        return out
    grid = np.array(rows, dtype=object)  # every value a scalar: the JSON is read as text
    del rows
    qid, kind, text, number, value = (grid[:, j] for j in range(1, 6))
    position = np.searchsorted(ids, grid[:, 0].astype(np.int64))
    questions = definition.questions
    codes, uniques = pd.factorize(qid)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))

    def column(name):
        found = out.get(name)
        if found is None:
            found = out[name] = np.full(n, np.nan, dtype=object)
        return found

    for index, question_id in enumerate(uniques):
        take = order[bounds[index]:bounds[index + 1]]
        question = questions.get(question_id)
        if question is None and question_id.endswith(OTHER_SUFFIX):
            base = questions.get(question_id[: -len(OTHER_SUFFIX)])
            if base is not None and base.other_option is not None:
                question_id = other_text_column(base.id)
        kinds = kind[take]
        present = pd.unique(kinds)
        for this_kind in present:
            rows_of = take[kinds == this_kind] if len(present) > 1 else take
            if this_kind == "json":
                rows_of = rows_of[pd.notna(value[rows_of])]
                decoded = _decode_json(value[rows_of].tolist())
                keep = np.fromiter((v is not None for v in decoded), dtype=bool, count=len(decoded))
                _spread_json(question, question_id, [v for v in decoded if v is not None],
                             position[rows_of[keep]], column)
                continue
            at = position[rows_of]
            if this_kind == "int":
                column(question_id)[at] = number[rows_of].astype(np.float64).astype(np.int64).astype(object)
            elif this_kind == "float":
                column(question_id)[at] = number[rows_of]
            else:
                column(question_id)[at] = text[rows_of]
    return out


def _spread_json(question, question_id: str, values: list, at: np.ndarray, column) -> None:
    """Spread the decoded JSON answers of one question into its tidy columns."""
    kind = question.type if question is not None else None
    if kind == "multiple":
        for code in question.codes:
            column(f"{question_id}__{code}")[at] = [1 if code in v else 0 for v in values]
        return
    if kind == "ranking":
        longest = max((len(v) for v in values), default=0)
        for rank in range(1, longest + 1):
            ranked = [(p, v[rank - 1]) for p, v in zip(at, values) if len(v) >= rank]
            target = column(f"{question_id}__rang{rank}")
            target[np.fromiter((p for p, _ in ranked), dtype=np.intp, count=len(ranked))] = [c for _, c in ranked]
        return
    is_mapping = np.fromiter((isinstance(v, dict) for v in values), dtype=bool, count=len(values))
    if is_mapping.any():
        mappings = values if is_mapping.all() else [v for v, m in zip(values, is_mapping) if m]
        spread = pd.DataFrame(mappings, dtype=object)  # one column per key, NaN where absent
        for row in spread.columns:
            column(f"{question_id}__{row}")[at[is_mapping]] = spread[row].to_numpy()
    if not is_mapping.all():
        lists = [v for v, m in zip(values, is_mapping) if not m]
        column(question_id)[at[~is_mapping]] = ["|".join(map(str, v)) for v in lists]


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
