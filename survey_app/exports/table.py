"""The table an export writes: the responses to one questionnaire, one row per response.

The rows are the tidy table the analysis reads (:func:`survey_app.findings.frame.tidy_responses`,
one row per response, the statuses of ``ANALYSED_STATUSES`` unless every status is asked),
renamed and coded as :mod:`.dictionary` describes, with the cells the paper entry marked
« non renseigné » or « illisible ». The writers are in :mod:`.spreadsheets` (CSV, XLSX) and
:mod:`.statistical` (SPSS, Stata); :mod:`.formats` chooses one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from ..campaigns import questionnaires as questionnaire_service
from ..domain import ServiceError
from ..findings.frame import ANALYSED_STATUSES
from ..findings.weights import current_weights
from ..infra.raw_rows import raw_batches
from ..models import (Answer, Campaign, PaperEntry, PaperForm, QuestionnaireVersion, Response, ResponseChange,
                      ResponseStatus)
from ..questionnaire.model import OTHER_SUFFIX, Definition
from . import dictionary
from .dictionary import MARKERS, Variable


@dataclass
class ExportTable:
    """The export of the responses to one questionnaire."""

    key: str
    title: str
    definition: Definition
    variables: list[Variable]
    #: Export names as columns; option codes (strings), 0/1, numbers, texts, dates.
    frame: pd.DataFrame
    #: {(row position, variable name): "blank" | "illegible"} for empty cells keyed so on paper.
    markers: dict

    @property
    def rows(self) -> int:
        return len(self.frame)


def questionnaire_keys(session: Session, campaign: Campaign) -> list[str]:
    return [v.key for v in questionnaire_service.current_versions(session, campaign)]


def default_key(session: Session, campaign: Campaign) -> str:
    keys = questionnaire_keys(session, campaign)
    if not keys:
        raise ServiceError(f"Aucun questionnaire n'est chargé dans la campagne {campaign.slug} : rien à exporter.")
    return "resident" if "resident" in keys else keys[0]


def _paper_markers(session: Session, response_ids: list[int]) -> dict[int, dict[str, str]]:
    """What the paper entry left marked « non renseigné » or « illisible », per response.

    The last entry's marks, then every later decision of the response's change log
    (reconciliation, correction) in order.
    """
    if not response_ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    rounds: dict[int, int] = {}
    for response_id, round_, marks in session.execute(
        select(PaperForm.response_id, PaperEntry.round, PaperEntry.markers)
        .join(PaperEntry, PaperEntry.form_id == PaperForm.id)
        .where(PaperForm.response_id.in_(response_ids))
    ):
        if round_ >= rounds.get(response_id, 0):
            rounds[response_id] = round_
            found[response_id] = {k: v for k, v in (marks or {}).items() if v in MARKERS}
    for response_id, question_id, new in session.execute(
        select(ResponseChange.response_id, ResponseChange.question_id, ResponseChange.new_value)
        .where(ResponseChange.response_id.in_(response_ids), ResponseChange.question_id.is_not(None))
        .order_by(ResponseChange.id)
    ):
        kind = (new or {}).get("kind")
        marks = found.setdefault(response_id, {})
        if kind in MARKERS:
            marks[question_id] = kind
        else:
            marks.pop(question_id, None)
    return {k: v for k, v in found.items() if v}


def _answers_by_column(session: Session, version_ids, statuses, definition: Definition, ids: list[int],
                       variables: list[Variable]) -> dict[str, list]:
    """``{export name: [value of each response, in the order of ids]}`` read from the answers in one streamed pass.

    Not from the analysis frame's columns: there a multiple choice's option ``autre`` and
    the text of its "Autre, précisez" share the name ``q__autre``. The rows come through
    Core without type processing (the JSON column is decoded only where an answer holds
    a list or a mapping): on 100,000 responses that is most of the time of an export.
    """
    questions = definition.questions
    by_source = {v.source: v.name for v in variables}
    n = len(ids)
    positions = {rid: i for i, rid in enumerate(ids)}
    columns: dict[str, list] = {v.name: [None] * n for v in variables}
    scalar: dict[str, list] = {}
    structured: dict[str, tuple] = {}
    for v in variables:
        if v.source and v.source.endswith(OTHER_SUFFIX) and v.kind == "text" and v.name.endswith(".autre_texte"):
            scalar[v.source] = columns[v.name]
    for question in questions.values():
        name = by_source.get(question.id)
        if question.type == "multiple":
            structured[question.id] = ("multiple", [(code, columns[f"{question.id}.{code}"]) for code in question.codes])
        elif question.type == "matrix":
            structured[question.id] = ("matrix", {row: columns[f"{question.id}.{row}"] for row in question.row_ids})
        elif question.type == "ranking":
            count = question.rank_count or len(question.codes)
            structured[question.id] = ("ranking", [columns[f"{question.id}.rang{r}"] for r in range(1, count + 1)])
        elif name is not None:
            scalar[question.id] = columns[name]
    statement = (
        select(Answer.response_id, Answer.question_id, Answer.value_kind, Answer.value_text, Answer.value_number,
               type_coerce(Answer.value_json, Text))
        .join(Response, Answer.response_id == Response.id)
        .where(Response.questionnaire_version_id.in_(version_ids), Response.status.in_(statuses))
    )
    loads, decoded = json.loads, {}
    for rows in raw_batches(session, statement):
        for response_id, question_id, kind, text, number, value in rows:
            at = positions[response_id]
            if kind == "json":
                found = structured.get(question_id)
                if found is None:
                    continue
                if isinstance(value, str):  # the same few lists recur: decode each once
                    text_value = value
                    value = decoded.get(text_value)
                    if value is None:
                        value = loads(text_value)
                        if len(decoded) < 200_000:
                            decoded[text_value] = value
                shape, target = found
                if shape == "multiple":
                    chosen = set(value or ())
                    for code, column in target:
                        column[at] = 1 if code in chosen else 0
                elif shape == "matrix":
                    if isinstance(value, dict):
                        for row, code in value.items():
                            column = target.get(row)
                            if column is not None:
                                column[at] = code
                elif isinstance(value, list):
                    for column, code in zip(target, value):
                        column[at] = code
                continue
            column = scalar.get(question_id)
            if column is None:
                continue
            if kind == "int":
                column[at] = int(number)
            elif kind == "float":
                column[at] = number
            else:
                column[at] = text
    return columns


def build_table(session: Session, campaign: Campaign, key: str, *, all_statuses: bool = False) -> ExportTable:
    """The export of questionnaire ``key`` (codes; labels are applied when written).

    The responses are those the analysis reads (every version of ``key``, statuses
    ``ANALYSED_STATUSES`` of findings/frame.py), or every status with ``all_statuses``.
    """
    statuses = list(ResponseStatus) if all_statuses else list(ANALYSED_STATUSES)
    current = questionnaire_service.current_version(session, campaign, key)
    if current is None:
        raise ServiceError(f"Le questionnaire « {key} » n'est pas chargé dans la campagne {campaign.slug}.")
    definition = questionnaire_service.definition_of(current)
    versions = dict(session.execute(select(QuestionnaireVersion.id, QuestionnaireVersion.version).where(
        QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.key == key)).all())
    meta = session.execute(
        select(Response.id, Response.channel, Response.status, Response.language, Response.created_on,
               Response.submitted_on, Response.questionnaire_version_id)
        .where(Response.questionnaire_version_id.in_(versions), Response.status.in_(statuses))
        .order_by(Response.id)
    ).all()
    ids = [row[0] for row in meta]
    weights = current_weights(session, campaign)
    weights = weights[weights.index.isin(ids)] if not weights.empty else weights
    variables = dictionary.export_variables(campaign, definition, weighted=not weights.empty)
    answers = _answers_by_column(session, list(versions), statuses, definition, ids, variables)
    index = pd.Index(ids)
    columns: dict[str, object] = {}
    for variable in variables:
        name = variable.name
        if name == "response_id":
            columns[name] = np.asarray(ids, dtype=np.int64)
        elif name == "questionnaire":
            columns[name] = [f"{key} v{versions[row[6]]}" for row in meta]
        elif name == "channel":
            columns[name] = [row[1].value for row in meta]
        elif name == "status":
            columns[name] = [row[2].value for row in meta]
        elif name == "language":
            columns[name] = [row[3] for row in meta]
        elif name == "day":
            columns[name] = [row[5] or row[4] for row in meta]
        elif name == "poids":
            columns[name] = pd.Series(weights).reindex(index).to_numpy(dtype=np.float64)
        else:
            series = pd.Series(answers[name], dtype=object, index=index) if name in answers else pd.Series(
                [None] * len(ids), dtype=object, index=index)
            if variable.kind == "binary":
                series = pd.to_numeric(series, errors="coerce").astype("Int64")
            elif variable.kind == "number":
                numbers = pd.to_numeric(series, errors="coerce")
                whole = numbers.dropna()
                series = numbers.astype("Int64") if (whole == whole.round()).all() else numbers.astype(np.float64)
            columns[name] = series.to_numpy() if variable.kind not in ("binary", "number") else series.array
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(ids)))
    markers = {}
    by_question: dict[str, list[Variable]] = {}
    for variable in variables:
        if variable.markable and variable.question_id:
            by_question.setdefault(variable.question_id, []).append(variable)
    positions = {rid: i for i, rid in enumerate(ids)}
    for response_id, marks in _paper_markers(session, ids).items():
        row = positions[response_id]
        for mark_name, kind in marks.items():
            qid, _, row_id = mark_name.partition(".")
            for variable in by_question.get(qid, []):
                if row_id and variable.name != f"{qid}.{row_id}":
                    continue
                if pd.isna(frame.at[row, variable.name]):
                    markers[(row, variable.name)] = kind
    return ExportTable(key, definition.label("fr"), definition, variables, frame, markers)


def build_tables(session: Session, campaign: Campaign, keys: Iterable[str] | None = None, *,
                 all_statuses: bool = False) -> list[ExportTable]:
    """The export tables of ``keys`` (default: every questionnaire of the campaign); refuse when all are empty."""
    keys = list(keys) if keys else questionnaire_keys(session, campaign)
    if not keys:
        raise ServiceError(f"Aucun questionnaire n'est chargé dans la campagne {campaign.slug} : rien à exporter.")
    known = set(questionnaire_keys(session, campaign))
    for key in keys:
        if key not in known:
            raise ServiceError(f"Le questionnaire « {key} » n'est pas chargé dans la campagne {campaign.slug}.")
    tables = [build_table(session, campaign, key, all_statuses=all_statuses) for key in keys]
    if not any(t.rows for t in tables):
        which = "aucune réponse" if all_statuses else "aucune réponse complète ou validée"
        raise ServiceError(f"Rien à exporter : la campagne {campaign.slug} n'a {which} pour le moment "
                           "(aucun fichier n'est écrit).")
    return tables


__all__ = ["ExportTable", "build_table", "build_tables", "questionnaire_keys", "default_key"]
