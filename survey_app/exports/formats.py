"""Exports of a campaign's responses in the formats partners open: CSV, XLSX, SPSS, Stata.

The rows are the tidy table the analysis reads (:func:`survey_app.findings.frame.tidy_responses`,
one row per response, the statuses of ``ANALYSED_STATUSES`` unless every status is asked),
renamed and coded as :mod:`.dictionary` describes. pandas and pyreadstat are imported here:
only the download views and ``flask export`` import this module, lazily.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from ..campaigns import questionnaires as questionnaire_service
from ..domain import ServiceError
from ..findings.frame import ANALYSED_STATUSES
from ..findings.weights import current_weights
from ..infra.spreadsheet import safe_cell
from ..models import (Answer, Campaign, PaperEntry, PaperForm, QuestionnaireVersion, Response, ResponseChange,
                      ResponseStatus)
from ..questionnaire.model import OTHER_SUFFIX, Definition
from . import dictionary
from .dictionary import DTA_MISSING, MARKERS, SAV_MISSING, Variable

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "sav": ("application/x-spss-sav", "sav"),
    "dta": ("application/x-stata-dta", "dta"),
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "sav": "SPSS (.sav)", "dta": "Stata (.dta)"}
SPSS_NAME_BYTES = 64
STATA_NAME_CHARS = 32
STATA_LABELLED_NAME_CHARS = 28
SPSS_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
STATA_LABEL_CHARS = 80
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
                  "_N", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with"}


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


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is an export format, else refuse with the list of formats."""
    if fmt not in FORMATS:
        raise ServiceError(f"Format d'export inconnu : « {fmt} » (formats : {', '.join(FORMATS)}).")
    return fmt


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
    for rows in _raw_rows(session, statement):
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


def _raw_rows(session: Session, statement, size: int = 20_000):
    """Batches of rows straight from the driver's cursor, inside the session's transaction.

    The statement is ours and holds only integers and status names, rendered in the SQL.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


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


# --- values as written --------------------------------------------------------------------


def _text_frame(table: ExportTable, labels: bool) -> pd.DataFrame:
    """Values for CSV and XLSX: codes or labels, markers written out, text made inert."""
    frame = table.frame.copy()
    for variable in table.variables:
        column = frame[variable.name]
        if labels and variable.kind == "labelled":
            frame[variable.name] = column.map(lambda c, m=variable.value_labels: m.get(c, c) if isinstance(c, str) else c)
    if table.markers:
        touched = {name for _, name in table.markers}
        for name in touched:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        for (row, name), kind in table.markers.items():
            frame.at[row, name] = MARKERS[kind]
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    from ..infra.spreadsheet import FORMULA_STARTS

    for variable in table.variables:
        column = frame[variable.name]
        if not (is_numeric_dtype(column) or is_bool_dtype(column)):
            # safe_cell, column-wise: only the texts a spreadsheet would run get the apostrophe
            column = column.astype(object)
            try:
                risky = column.str.startswith(FORMULA_STARTS, na=False).to_numpy(dtype=bool)
            except AttributeError:  # no text in the column (days)
                continue
            if risky.any():
                column = column.copy()
                column[risky] = [safe_cell(v) for v in column[risky]]
            frame[variable.name] = column
    return frame


def write_csv(table: ExportTable, out, *, labels: bool = False, delimiter: str = ";") -> None:
    """CSV in UTF-8 with a byte-order mark (French Excel), ``;`` unless ``,`` is asked."""
    if delimiter not in (";", ","):
        raise ServiceError("Séparateur de colonnes : « ; » ou « , ».")
    frame = _text_frame(table, labels)
    frame.columns = [safe_cell(c) for c in frame.columns]
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="")  # written as it goes, not built in memory
    stream.write("\ufeff")
    frame.to_csv(stream, index=False, sep=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL,
                 decimal="," if delimiter == ";" else ".")
    stream.flush()
    stream.detach()


def write_xlsx(tables: list[ExportTable], out, *, labels: bool = False) -> None:
    """A workbook: the codebook sheet, then one sheet per questionnaire."""
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False,
                                     "in_memory": False})
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("codebook")
    sheet.write_row(0, 0, ["questionnaire", *dictionary.DICTIONARY_COLUMNS], bold)
    line = 1
    for table in tables:
        for row in dictionary.dictionary_rows(table.variables):
            sheet.write_row(line, 0, [safe_cell(table.key)] + [safe_cell(row[c]) for c in dictionary.DICTIONARY_COLUMNS])
            line += 1
    used = {"codebook"}
    for table in tables:
        name = re.sub(r"[\[\]:*?/\\]", "_", table.key)[:31] or "reponses"
        while name.lower() in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name.lower())
        sheet = book.add_worksheet(name)
        frame = _text_frame(table, labels)
        sheet.write_row(0, 0, [safe_cell(v.name) for v in table.variables], bold)
        columns = [frame[v.name].tolist() for v in table.variables]
        for r in range(len(frame)):
            for c, values in enumerate(columns):
                value = values[r]
                if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                    continue
                if isinstance(value, str):
                    sheet.write_string(r + 1, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r + 1, c, dt.datetime(value.year, value.month, value.day), date_format)
                else:
                    sheet.write_number(r + 1, c, float(value))
    book.close()


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def spss_names(names: list[str]) -> dict[str, str]:
    """Names SPSS accepts: letters, digits, ``_`` and ``.``; a letter first; not ending with ``.``;
    at most 64 bytes; unique ignoring case."""
    out, seen = {}, set()
    for name in names:
        clean = re.sub(r"[^A-Za-z0-9_.]", "_", name)
        if not clean or not clean[0].isalpha():
            clean = "v" + clean
        clean = _truncate_bytes(clean, SPSS_NAME_BYTES).rstrip(".") or "v"
        if clean.lower() in SPSS_RESERVED:
            clean += "_"
        candidate, n = clean, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f"_{n}"
            candidate = clean[: SPSS_NAME_BYTES - len(suffix)].rstrip(".") + suffix
        seen.add(candidate.lower())
        out[name] = candidate
    return out


def stata_names(names: list[str], labelled: set[str] = frozenset()) -> dict[str, str]:
    """Names Stata accepts: letters, digits and ``_``, not a digit first, at most 32 characters, unique.

    A labelled variable's label set is named after it with a number appended (pyreadstat),
    so its name keeps room for four digits.
    """
    out, seen = {}, set()
    for name in names:
        limit = STATA_LABELLED_NAME_CHARS if name in labelled else STATA_NAME_CHARS
        clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not clean or clean[0].isdigit():
            clean = "v" + clean
        clean = clean[:limit]
        if clean.lower() in STATA_RESERVED:
            clean = clean[: limit - 1] + "_"
        candidate, n = clean, 1
        while candidate in seen:
            n += 1
            suffix = f"_{n}"
            candidate = clean[: limit - len(suffix)] + suffix
        seen.add(candidate)
        out[name] = candidate
    return out


def _numeric_frame(table: ExportTable, names: dict[str, str], missing: dict):
    """Values for SPSS and Stata: labelled variables as integer codes; markers as user-missing codes."""
    data = {}
    for variable in table.variables:
        column = table.frame[variable.name]
        if variable.kind == "labelled":
            values = column.map(lambda c, m=variable.int_codes: m.get(c, np.nan) if isinstance(c, str) else np.nan)
            data[names[variable.name]] = values.astype(np.float64)
        elif variable.kind in ("binary", "number"):
            data[names[variable.name]] = pd.to_numeric(column, errors="coerce").astype(np.float64)
        elif variable.kind == "id":
            data[names[variable.name]] = column.astype(np.int64)
        elif variable.name == "day":
            data[names[variable.name]] = column.astype(object)  # datetime.date: a date in both formats
        else:
            data[names[variable.name]] = column.astype(object).where(column.notna(), "")
    frame = pd.DataFrame(data)
    numeric = {names[v.name] for v in table.variables if v.kind in ("labelled", "binary", "number")}
    marked: set[str] = set()
    for (row, name), kind in table.markers.items():
        target = names[name]
        if target not in numeric:
            continue
        if isinstance(missing[kind], str) and frame[target].dtype != object:  # Stata's .a, .b
            frame[target] = frame[target].astype(object)
        frame.at[row, target] = missing[kind]
        marked.add(target)
    return frame, marked


def _labels(table: ExportTable, names: dict[str, str], value_limit: int | None):
    column_labels, value_labels = [], {}
    for variable in table.variables:
        column_labels.append(variable.label)
        if variable.kind in ("labelled", "binary"):
            value_labels[names[variable.name]] = {
                variable.int_codes[code]: (_truncate_bytes(label, value_limit) if value_limit else label)
                for code, label in variable.value_labels.items()
            }
    return column_labels, value_labels


def write_sav(table: ExportTable, path: str | Path) -> None:
    """SPSS: variable and value labels, integer codes, -1 « non renseigné » and -2 « illisible » user-missing."""
    import pyreadstat

    names = spss_names([v.name for v in table.variables])
    frame, marked = _numeric_frame(table, names, SAV_MISSING)
    column_labels, value_labels = _labels(table, names, SPSS_VALUE_LABEL_BYTES)
    column_labels = [_truncate_bytes(label, SPSS_LABEL_BYTES).rstrip() for label in column_labels]
    for name in marked:
        value_labels.setdefault(name, {})
        value_labels[name].update({SAV_MISSING[k]: label for k, label in MARKERS.items()})
    missing_ranges = {name: list(SAV_MISSING.values()) for name in marked}
    pyreadstat.write_sav(frame, str(path), column_labels=column_labels, variable_value_labels=value_labels,
                         missing_ranges=missing_ranges or None, file_label=_truncate_bytes(table.title, 64))


def write_dta(table: ExportTable, path: str | Path) -> None:
    """Stata: integer codes with value labels, ``.a`` « non renseigné » and ``.b`` « illisible »."""
    import pyreadstat

    names = stata_names([v.name for v in table.variables],
                        {v.name for v in table.variables if v.kind in ("labelled", "binary")})
    frame, marked = _numeric_frame(table, names, DTA_MISSING)
    column_labels, value_labels = _labels(table, names, None)
    column_labels = [label[:STATA_LABEL_CHARS].rstrip() for label in column_labels]
    missing = {name: list(DTA_MISSING.values()) for name in marked}
    pyreadstat.write_dta(frame, str(path), column_labels=column_labels, variable_value_labels=value_labels,
                         missing_user_values=missing or None, file_label=table.title[:STATA_LABEL_CHARS])


@dataclass
class ExportResult:
    fmt: str
    rows: int
    keys: list[str]
    filename: str


def export(session: Session, campaign: Campaign, fmt: str, out: str | Path, *, labels: bool = False,
           all_statuses: bool = False, delimiter: str = ";", key: str | None = None) -> ExportResult:
    """Write the export of ``campaign`` in ``fmt`` to the file ``out``; nothing written on refusal.

    CSV, SPSS and Stata hold one questionnaire (``key``, default the residents'); XLSX holds
    every questionnaire unless ``key`` is given.
    """
    check_format(fmt)
    if fmt == "xlsx":
        tables = build_tables(session, campaign, [key] if key else None, all_statuses=all_statuses)
    else:
        tables = build_tables(session, campaign, [key or default_key(session, campaign)], all_statuses=all_statuses)
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-", suffix="." + fmt)
    os.close(handle)
    try:
        if fmt == "csv":
            with open(temporary, "wb") as stream:
                write_csv(tables[0], stream, labels=labels, delimiter=delimiter)
        elif fmt == "xlsx":
            write_xlsx(tables, temporary, labels=labels)
        elif fmt == "sav":
            write_sav(tables[0], temporary)
        else:
            write_dta(tables[0], temporary)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    keys = [t.key for t in tables]
    return ExportResult(fmt, sum(t.rows for t in tables), keys, filename(campaign, fmt, keys, labels=labels))


def filename(campaign: Campaign, fmt: str, keys: list[str], *, labels: bool = False) -> str:
    part = keys[0] if len(keys) == 1 else "questionnaires"
    return f"{campaign.slug}-{part}{'-libelles' if labels else ''}.{FORMATS[fmt][1]}"


def export_bytes(session: Session, campaign: Campaign, fmt: str, **options) -> tuple[bytes, ExportResult]:
    """The export as bytes (for a download), through a temporary file."""
    folder = tempfile.mkdtemp(prefix="cls-export-")
    path = Path(folder) / f"export.{fmt if fmt in FORMATS else 'bin'}"
    try:
        result = export(session, campaign, fmt, path, **options)
        return path.read_bytes(), result
    finally:
        if path.exists():
            path.unlink()
        os.rmdir(folder)


__all__ = ["FORMATS", "ExportTable", "build_table", "build_tables", "export", "export_bytes", "check_format",
           "spss_names", "stata_names", "write_csv", "write_xlsx", "write_sav", "write_dta"]
