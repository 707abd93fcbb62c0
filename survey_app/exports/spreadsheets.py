"""CSV and XLSX: the export table as text cells (codes or labels), markers written out,
every text a spreadsheet would run as a formula made inert (``infra.spreadsheet.safe_cell``)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd

from ..domain import ServiceError
from ..infra.spreadsheet import safe_cell
from . import dictionary
from .dictionary import MARKERS
from .table import ExportTable


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


__all__ = ["write_csv", "write_xlsx"]
