"""The table an export writes: the responses to one questionnaire, one row per response.

The rows are the tidy table the analysis reads (:func:`survey_app.findings.frame.tidy_responses`,
one row per response, the statuses of ``ANALYSED_STATUSES`` unless every status is asked),
renamed and coded as :mod:`.dictionary` describes, with the cells the paper entry marked
« non renseigné » or « illisible ». The writers are in :mod:`.spreadsheets` (CSV, XLSX) and
:mod:`.statistical` (SPSS, Stata); :mod:`.formats` chooses one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from ..campaigns import questionnaires as questionnaire_service
from ..domain import ServiceError
from ..findings.frame import ANALYSED_STATUSES, _as_dates, _decode_json
from ..findings.weights import current_weights
from ..infra.raw_rows import raw_batches, raw_rows
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
                       variables: list[Variable]) -> dict[str, np.ndarray]:
    """``{export name: object array of each response's value, in the order of ids}`` read in one streamed pass.

    Not from the analysis frame's columns: the export keeps its own reading of odd answers
    (a list stored for a single choice is left out, a multiple choice stored as null is all 0).
    The rows come in batches on the driver's cursor (infra/raw_rows.py) and are spread
    with numpy one question at a time, as findings/frame.py does: each distinct JSON text
    of a question decoded once (one ``json.loads`` per question and batch), codes and
    texts placed by position, repeated codes held as one string object each.
    """
    questions = definition.questions
    by_source = {v.source: v.name for v in variables}
    n = len(ids)
    ordered = np.asarray(ids, dtype=np.int64)
    columns: dict[str, np.ndarray] = {v.name: np.full(n, None, dtype=object) for v in variables}
    scalar: dict[str, np.ndarray] = {}
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
               cast(Answer.value_json, Text))
        .join(Response, Answer.response_id == Response.id)
        .where(Response.questionnaire_version_id.in_(version_ids), Response.status.in_(statuses))
    )
    same: dict[str, str] = {}  # one string object per distinct text (codes recur on every row)
    for rows in raw_batches(session, statement):  # 20,000 rows at a time: 100,000 took 35 MB more for no gain
        grid = np.array(rows, dtype=object)  # every value a scalar (the JSON read as text); not zip(*rows), whose
        del rows                             # 100,000 iterators set off the garbage collector again and again
        response_id, question_id, kind, text, number, value = (grid[:, j] for j in range(6))
        position = np.searchsorted(ordered, response_id.astype(np.int64))
        codes, uniques = pd.factorize(question_id)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for index, qid in enumerate(uniques):
            found, column = structured.get(qid), scalar.get(qid)
            if found is None and column is None:
                continue
            take = order[bounds[index]:bounds[index + 1]]
            kinds = kind[take]
            is_json = kinds == "json"
            if found is not None and is_json.any():
                rows_of = take[is_json]
                _spread_json(found, value[rows_of], position[rows_of])
            if column is None or is_json.all():
                continue
            rows_of = take[~is_json]
            kinds = kinds[~is_json]
            for this_kind in pd.unique(kinds):
                at = rows_of[kinds == this_kind]
                if this_kind == "int":
                    column[position[at]] = [int(x) for x in number[at]]
                elif this_kind == "float":
                    column[position[at]] = number[at]
                else:
                    column[position[at]] = _shared(text[at], same)
    return columns


def _shared(texts: np.ndarray, same: dict) -> np.ndarray:
    """``texts`` with equal strings as one object (None kept)."""
    codes, uniques = pd.factorize(texts)
    if len(uniques) == len(texts):  # all different (free text): nothing to share
        return texts
    if len(same) < 500_000:
        uniques = [same.setdefault(u, u) for u in uniques]
    lookup = np.empty(len(uniques) + 1, dtype=object)
    lookup[:-1] = uniques
    return lookup[codes]


def _spread_json(found: tuple, texts: np.ndarray, at: np.ndarray) -> None:
    """Place the JSON answers of one question (their texts, NULL as None) into its export columns."""
    shape, target = found
    codes, uniques = pd.factorize(texts)  # NULL: code -1, read as JSON null
    values = _decode_json([u for u in uniques] + ["null"])
    if shape == "multiple":
        chosen = [set(v or ()) for v in values]
        for code, column in target:
            column[at] = np.array([1 if code in c else 0 for c in chosen], dtype=object)[codes]
        return
    for key, column in (target.items() if shape == "matrix" else enumerate(target)):
        lookup = np.empty(len(values), dtype=object)
        present = np.zeros(len(values), dtype=bool)
        for i, v in enumerate(values):
            if shape == "matrix":
                if isinstance(v, dict) and key in v:
                    lookup[i], present[i] = v[key], True
            elif isinstance(v, list) and len(v) > key:
                lookup[i], present[i] = v[key], True
        keep = present[codes]
        column[at[keep]] = lookup[codes[keep]]


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
    meta = raw_rows(session, (
        select(Response.id, type_coerce(Response.channel, String), type_coerce(Response.status, String),
               Response.language, type_coerce(Response.created_on, String),
               type_coerce(Response.submitted_on, String), Response.questionnaire_version_id)
        .where(Response.questionnaire_version_id.in_(list(versions)),
               type_coerce(Response.status, String).in_([ResponseStatus(s).value for s in statuses]))
        .order_by(Response.id)
    ))
    ids, channels, status_values, languages, created, submitted, version_ids = (
        (list(c) for c in zip(*meta)) if meta else ([] for _ in range(7)))
    del meta
    days = _as_dates(submitted)
    missing = pd.isna(days)
    days[missing] = _as_dates(created)[missing]  # day of submission, else of creation
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
            columns[name] = [f"{key} v{versions[v]}" for v in version_ids]
        elif name == "channel":
            columns[name] = channels
        elif name == "status":
            columns[name] = status_values
        elif name == "language":
            columns[name] = languages
        elif name == "day":
            columns[name] = days.tolist()
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
