"""Exports of a campaign's responses in the formats partners open: CSV, XLSX, SPSS, Stata.

The rows are the tidy table the analysis reads (:func:`survey_app.findings.frame.tidy_responses`,
one row per response, the statuses of ``ANALYSED_STATUSES`` unless every status is asked),
renamed and coded as :mod:`.dictionary` describes. This module chooses the format and
writes the file; the table is built in :mod:`.table`, written by :mod:`.spreadsheets`
(CSV, XLSX) or :mod:`.statistical` (SPSS, Stata), whose public names are also here.
pandas and pyreadstat are imported by those modules: only the download views and
``flask export`` import this module, lazily.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Campaign
from .spreadsheets import write_csv, write_xlsx
from .statistical import spss_names, stata_names, write_dta, write_sav
from .table import ExportTable, build_table, build_tables, default_key, questionnaire_keys

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "sav": ("application/x-spss-sav", "sav"),
    "dta": ("application/x-stata-dta", "dta"),
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "sav": "SPSS (.sav)", "dta": "Stata (.dta)"}


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is an export format, else refuse with the list of formats."""
    if fmt not in FORMATS:
        raise ServiceError(f"Format d'export inconnu : « {fmt} » (formats : {', '.join(FORMATS)}).")
    return fmt


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

__all__ = ["FORMATS", "FORMAT_NAMES", "ExportTable", "ExportResult", "build_table", "build_tables", "export",
           "export_bytes", "check_format", "questionnaire_keys", "default_key", "filename", "spss_names",
           "stata_names", "write_csv", "write_xlsx", "write_sav", "write_dta"]
