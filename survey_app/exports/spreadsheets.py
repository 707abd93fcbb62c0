"""CSV and XLSX: the export table as text cells (codes or labels), markers written out,
every text a spreadsheet would run as a formula made inert (``infra.spreadsheet.safe_cell``).

Both are written a slice of rows at a time (:data:`CHUNK_ROWS`): the text cells of
100,000 responses are never all in memory beside the table.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import numpy as np
import pandas as pd

from ..domain import ServiceError
from ..infra.spreadsheet import FORMULA_STARTS, safe_cell
from . import dictionary
from .dictionary import MARKERS
from .table import ExportTable

#: Rows of the table turned into text cells and written at a time.
CHUNK_ROWS = 10_000


def _with_labels(column: pd.Series, value_labels: dict[str, str]) -> pd.Series:
    """Each code replaced by its label; anything else (empty cells, unknown codes) kept."""
    values = column.to_numpy(dtype=object)
    found = pd.Index(list(value_labels), dtype=object).get_indexer(values)
    known = found >= 0
    if known.any():
        values = values.copy()
        values[known] = np.asarray(list(value_labels.values()), dtype=object)[found[known]]
    return pd.Series(values, index=column.index, dtype=object)


def _inert(column: pd.Series) -> pd.Series | None:
    """The column with :func:`safe_cell` applied to the texts a spreadsheet would run, or None if there is none.

    Each distinct value looked at once (codes recur on every row)."""
    values = column.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    risky_values = np.fromiter((isinstance(u, str) and u.startswith(FORMULA_STARTS) for u in uniques), dtype=bool,
                               count=len(uniques))
    if not risky_values.any():
        return None
    risky = np.append(risky_values, False)[codes]  # -1 (empty): the False at the end
    values = values.copy()
    values[risky] = [safe_cell(v) for v in values[risky]]
    return pd.Series(values, index=column.index, dtype=object)


def _text_frame(table: ExportTable, labels: bool, rows: slice | None = None) -> pd.DataFrame:
    """Values for CSV and XLSX of the ``rows`` of the table (default all): codes or labels, markers written
    out, text made inert.

    A column holding a marker anywhere becomes text (object) in every slice, so a slice is
    written as the same rows of the whole table would be.
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    frame = table.frame if rows is None else table.frame.iloc[rows]
    touched = {name for _, name in table.markers}
    first, stop = frame.index[0] if len(frame) else 0, frame.index[-1] + 1 if len(frame) else 0
    data = {}
    for variable in table.variables:
        name = variable.name
        column = frame[name]
        if labels and variable.kind == "labelled":
            column = _with_labels(column, variable.value_labels)
        if name in touched:
            column = column.astype(object).where(column.notna(), None)
        data[name] = column
    for (row, name), kind in table.markers.items():
        if first <= row < stop:  # a column of its own (astype above), not the table's
            data[name].at[row] = MARKERS[kind]
    for name, column in data.items():
        if not (is_numeric_dtype(column) or is_bool_dtype(column)):
            inert = _inert(column)
            if inert is not None:
                data[name] = inert
    return pd.DataFrame(data, index=frame.index)


def _slices(rows: int):
    """The row slices written one after the other (one, empty, for an empty table)."""
    return [slice(start, start + CHUNK_ROWS) for start in range(0, rows, CHUNK_ROWS)] or [slice(0, 0)]


def write_csv(table: ExportTable, out, *, labels: bool = False, delimiter: str = ";") -> None:
    """CSV in UTF-8 with a byte-order mark (French Excel), ``;`` unless ``,`` is asked."""
    if delimiter not in (";", ","):
        raise ServiceError("Séparateur de colonnes : « ; » ou « , ».")
    header = [safe_cell(v.name) for v in table.variables]
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="")  # written as it goes, not built in memory
    stream.write("\ufeff")
    for number, rows in enumerate(_slices(table.rows)):
        frame = _text_frame(table, labels, rows)
        frame.columns = header
        frame.to_csv(stream, index=False, header=number == 0, sep=delimiter, lineterminator="\r\n",
                     quoting=csv.QUOTE_MINIMAL, decimal="," if delimiter == ";" else ".")
    stream.flush()
    stream.detach()


def write_xlsx(tables: list[ExportTable], out, *, labels: bool = False) -> None:
    """A workbook: the codebook sheet, then one sheet per questionnaire (xlsxwriter, rows streamed to the file)."""
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
        sheet.write_row(0, 0, [safe_cell(v.name) for v in table.variables], bold)
        write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
        for rows in _slices(table.rows):
            frame = _text_frame(table, labels, rows)
            columns = [frame[v.name].tolist() for v in table.variables]
            for r, values in enumerate(zip(*columns), start=rows.start + 1):
                for c, value in enumerate(values):
                    kind = type(value)
                    if kind is str:
                        write_string(r, c, value)
                    elif kind is float:
                        if value == value:
                            write_number(r, c, value)
                    elif kind is int:
                        write_number(r, c, float(value))
                    elif value is None or value is pd.NA or (isinstance(value, float) and value != value):
                        continue
                    elif isinstance(value, str):
                        write_string(r, c, value)
                    elif isinstance(value, dt.date):
                        write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
                    else:
                        write_number(r, c, float(value))
    book.close()


__all__ = ["write_csv", "write_xlsx", "CHUNK_ROWS"]
