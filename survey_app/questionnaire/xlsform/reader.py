"""Read an XLSForm workbook (``.xlsx``, legacy ``.xls`` or CSV) into plain rows.

Sheet and column names are matched case-insensitively, with pyxform's aliases
(``list name``, ``relevance``, ``bind:relevant``…). Every row keeps its spreadsheet
row number, so that each problem can be reported where the author will find it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Issue", "Sheet", "Workbook", "XLSFormError", "read_workbook", "read_rows",
           "normalise_header"]


@dataclass(frozen=True, order=True)
class Issue:
    """Something about one cell or row of a workbook: where (sheet, row) and what (French)."""

    sheet: str
    row: int | None
    name: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}:{self.row}" if self.row else self.sheet
        name = f" [{self.name}]" if self.name else ""
        return f"{where}:{name} {self.message}"


class XLSFormError(ValueError):
    """A workbook that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass
class Sheet:
    name: str  #: as written in the workbook
    headers: list[str]  #: normalised
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  #: (row number, cells)


@dataclass
class Workbook:
    source: str
    sheets: dict[str, Sheet]  #: lower-case name -> sheet

    def sheet(self, name: str) -> Sheet | None:
        return self.sheets.get(name)


_ALIASES = {
    "list name": "list_name", "listname": "list_name",
    "relevance": "relevant", "bind:relevant": "relevant", "bind::relevant": "relevant",
    "bind:constraint": "constraint", "bind::constraint": "constraint",
    "bind:required": "required", "bind::required": "required",
    "bind:calculate": "calculation", "bind::calculate": "calculation",
    "constraint message": "constraint_message", "jr:constraintmsg": "constraint_message",
    "bind::jr:constraintmsg": "constraint_message", "bind:jr:constraintmsg": "constraint_message",
    "required message": "required_message", "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message", "bind::jr:requiredmsg": "required_message",
    "choice filter": "choice_filter", "caption": "label", "value": "name",
    "repeat count": "repeat_count", "jr:count": "repeat_count",
}


def normalise_header(header) -> str:
    """``'Label :: English (en) '`` -> ``'label::english (en)'``, with aliases resolved."""
    text = re.sub(r"\s+", " ", str(header).strip().lower())
    text = re.sub(r"\s*::\s*", "::", text)
    base, sep, rest = text.partition("::")
    base = _ALIASES.get(base, base)
    if base in ("constraint_message", "required_message", "label", "hint") or not sep:
        return base + sep + rest
    # bind::relevant style prefixes
    return _ALIASES.get(text, text)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _make_sheet(name: str, table: list[list]) -> tuple[Sheet, list[Issue]]:
    """Build a sheet from its raw rows (the first one holds the headers)."""
    issues = []
    if not table:
        return Sheet(name, []), issues
    headers = [normalise_header(h) if _cell(h) else "" for h in table[0]]
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header and header in seen:
            issues.append(Issue(name, 1, None, f"colonne en double « {header} » (colonnes "
                                f"{seen[header] + 1} et {index + 1}) : une seule est permise"))
        seen.setdefault(header, index)
    sheet = Sheet(name, [h for h in headers if h])
    for number, raw in enumerate(table[1:], start=2):
        cells = {}
        for index, value in enumerate(raw):
            if index < len(headers) and headers[index] and headers[index] not in cells:
                text = _cell(value)
                if text:
                    cells[headers[index]] = text
        if cells:
            sheet.rows.append((number, cells))
    return sheet, issues


def _rows_until_blank(rows, blank_run: int = 1000) -> list[list]:
    """Rows of a sheet; stop after ``blank_run`` empty rows (some workbooks declare a
    million formatted rows)."""
    out, blanks = [], 0
    for row in rows:
        if any(v is not None and v != "" for v in row):
            out.extend([[]] * blanks)
            out.append(list(row))
            blanks = 0
        else:
            blanks += 1
            if blanks >= blank_run:
                break
    return out


def _read_xlsx(path: Path) -> dict[str, list[list]]:
    import openpyxl

    with warnings.catch_warnings():  # "Unknown extension is not supported" and the like
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return {ws.title: _rows_until_blank(ws.iter_rows(values_only=True))
                    for ws in book.worksheets}
        finally:
            book.close()


def _read_xls(path: Path) -> dict[str, list[list]]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        out = {}
        for sheet in book.sheets():
            rows = []
            for r in range(sheet.nrows):
                row = []
                for c, cell in enumerate(sheet.row(r)):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(cell.value))
                    else:
                        row.append(cell.value)
                rows.append(row)
            out[sheet.name] = rows
        return out
    finally:
        book.release_resources()


def read_rows(text: str) -> list[list[str]]:
    """Rows of a CSV text; ``;`` or ``,`` delimited (whichever the first line uses)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


_SHEETS = ("survey", "choices", "settings")


def _read_csv(path: Path) -> dict[str, list[list]]:
    text = path.read_text(encoding="utf-8-sig")
    rows = read_rows(text)
    first = rows[0][0].strip().lower() if rows and rows[0] else ""
    if first in _SHEETS:  # pyxform's one-file form: a sheet name, then its rows indented
        out: dict[str, list[list]] = {}
        current = None
        for row in rows:
            head = row[0].strip() if row else ""
            if head:
                current = out.setdefault(head, [])
            elif current is not None:
                current.append(row[1:])
        return out
    # Kobo-style sibling files: form.survey.csv, form.choices.csv, form.settings.csv
    stem = path.name[:-len(".csv")]
    base, _, kind = stem.rpartition(".")
    if kind.lower() not in _SHEETS:
        return {"survey": rows}
    out = {}
    for sheet in _SHEETS:
        sibling = path.with_name(f"{base}.{sheet}.csv")
        if sibling.is_file():
            out[sheet] = rows if sibling == path else read_rows(sibling.read_text(encoding="utf-8-sig"))
    return out


def read_workbook(path: str | Path) -> Workbook:
    """Read every sheet of an XLSForm file; raise :class:`XLSFormError` when it is no
    spreadsheet at all or has duplicate columns."""
    path = Path(path)
    name = path.name
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise XLSFormError([Issue(name, None, None, f"fichier illisible : {exc.strerror}")]) from None
    try:
        if head.startswith(b"PK\x03\x04"):
            tables = _read_xlsx(path)
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            tables = _read_xls(path)
        elif path.suffix.lower() == ".csv" or b"\0" not in head:
            tables = _read_csv(path)
        else:
            raise ValueError("format inconnu")
    except UnicodeDecodeError:
        raise XLSFormError([Issue(name, None, None, "le fichier n'est pas un classeur XLSForm "
                                  "(xlsx, xls ou csv en UTF-8)")]) from None
    except Exception as exc:  # zip, OLE or CSV readers: each has its own exceptions
        raise XLSFormError([Issue(name, None, None, "le fichier n'est pas un classeur XLSForm "
                                  f"lisible (xlsx, xls ou csv) : {exc}")]) from None
    sheets, issues = {}, []
    for title, table in tables.items():
        sheet, found = _make_sheet(title, table)
        sheets.setdefault(title.strip().lower(), sheet)
        issues += found
    if issues:
        raise XLSFormError(issues)
    return Workbook(name, sheets)
