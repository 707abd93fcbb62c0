"""Cells written to CSV and XLSX files, made inert for spreadsheet programs.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some programs skip before reading a formula) is run as a formula by Excel and
LibreOffice when the file is opened: a resident's answer ``=HYPERLINK("http://…")``
would become a live link, and worse. Such text gets a leading apostrophe, the
spreadsheet convention for "this is text"; numbers are left as they are.
"""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return ``value``, with a leading ``'`` when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame):
    """Return a copy of the pandas ``frame`` with :func:`safe_cell` applied to its text cells and headers."""
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if not (is_numeric_dtype(series) or is_bool_dtype(series) or is_datetime64_any_dtype(series)):
            frame[column] = series.astype(object).map(safe_cell)
    frame.columns = [safe_cell(name) if isinstance(name, str) else name for name in frame.columns]
    return frame
