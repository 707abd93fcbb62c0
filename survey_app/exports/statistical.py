"""SPSS (.sav) and Stata (.dta), written by pyreadstat: names each program accepts,
labelled variables as integer codes with their value labels, the paper entry's marks as
user-missing values (SPSS -1 / -2, Stata ``.a`` / ``.b``)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .dictionary import DTA_MISSING, MARKERS, SAV_MISSING
from .table import ExportTable

SPSS_NAME_BYTES = 64
STATA_NAME_CHARS = 32
STATA_LABELLED_NAME_CHARS = 28
SPSS_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
STATA_LABEL_CHARS = 80
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
                  "_N", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with"}


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


def _integer_codes(column: pd.Series, int_codes: dict[str, int]) -> np.ndarray:
    """The integer code of each cell (float64), NaN where the cell is not one of the codes (or empty)."""
    lookup = np.append(np.asarray(list(int_codes.values()), dtype=np.float64), np.nan)
    found = pd.Index(list(int_codes), dtype=object).get_indexer(column.to_numpy(dtype=object))
    return lookup[found]  # -1 (not a code): the NaN at the end


def _numeric_frame(table: ExportTable, names: dict[str, str], missing: dict):
    """Values for SPSS and Stata: labelled variables as integer codes; markers as user-missing codes."""
    data = {}
    for variable in table.variables:
        column = table.frame[variable.name]
        if variable.kind == "labelled":
            data[names[variable.name]] = _integer_codes(column, variable.int_codes)
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


__all__ = ["spss_names", "stata_names", "write_sav", "write_dta", "SPSS_NAME_BYTES", "STATA_NAME_CHARS",
           "STATA_LABELLED_NAME_CHARS", "SPSS_LABEL_BYTES", "SPSS_VALUE_LABEL_BYTES", "STATA_LABEL_CHARS"]
