"""Every result table as CSV (UTF-8 with BOM, ``;``) and XLSX, with the same suppression.

The tables are built from what the pages show (the rows of :mod:`.tables`, already
through the publication rules): a blanked cell is an empty cell here too. Text cells are
neutralised against formula injection by :func:`survey_app.infra.spreadsheet.safe_cell`
(one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, so that a spreadsheet shows it as text). Numbers are written as numbers (they come
from the statistics, not from anyone's input).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..infra.spreadsheet import safe_cell

#: The shared escaping under this module's older name.
neutralise = safe_cell

FLAG_TEXT = {"higher": "plus élevé que le reste de la ville", "lower": "moins élevé que le reste de la ville"}


@dataclass
class Sheet:
    """A table to download: a title, the publication rule, headers and rows of values."""

    title: str
    headers: list[str]
    rows: list[list]
    note: str = ""


def _percent(value):
    return None if value is None else round(100 * value, 4)


def _yes(value) -> str:
    return "oui" if value else "non"


def indicator_sheet(result: dict) -> Sheet:
    """Every indicator row: town, districts, QPV, ages, sexes, with the district flags."""
    labels = {i["name"]: i for i in result.get("indicators", [])}
    from .table_common import VARIABLE_LABELS

    headers = [
        "indicateur", "libellé", "axe", "niveau", "groupe", "part (%)", "IC 95 % bas (%)", "IC 95 % haut (%)",
        "erreur type (points)", "répondants", "répondants avec le besoin", "fragile (moins de 30)",
        "non publié", "écart au reste de la ville (points)", "p ajustée (Benjamini-Hochberg)", "signalement",
    ]
    rows = []
    for row in result.get("rows", []):
        meta = labels.get(row["indicator"], {})
        rows.append([
            row["indicator"], meta.get("label", ""), meta.get("axis_label", ""),
            VARIABLE_LABELS.get(row["variable"], row["variable"]), row["group_label"],
            _percent(row["estimate"]), _percent(row["ci_low"]), _percent(row["ci_high"]), _percent(row["se"]),
            row["n"], row["n_cell"], _yes(row["fragile"]), _yes(row["suppressed"]),
            _percent(row.get("difference")), row.get("q_value"), FLAG_TEXT.get(row.get("flag"), ""),
        ])
    return Sheet("Indicateurs", headers, rows, result.get("rule", ""))


def cross_table_sheet(result: dict) -> Sheet:
    """The cross-table in long form: one row per pair of answers, then the test."""
    which = "ligne" if result["shares"] == "row" else "colonne"
    headers = [result["row"]["label"], result["column"]["label"], f"part dans la {which} (%)",
               "IC 95 % bas (%)", "IC 95 % haut (%)", "répondants du groupe", "répondants de la cellule",
               "fragile (moins de 30)", "non publié"]
    rows = []
    for r, line in zip(result["rows"], result["cells"]):
        for c, cell in zip(result["columns"], line):
            cell = cell or {}
            rows.append([r["label"], c["label"], _percent(cell.get("estimate")), _percent(cell.get("ci_low")),
                         _percent(cell.get("ci_high")), cell.get("n"), cell.get("n_cell"),
                         _yes(cell.get("fragile")), _yes(cell.get("suppressed"))])
    test = result["test"]
    kind = "Rao-Scott second ordre (F)" if result["statistic"] == "F" else "Rao-Scott premier ordre (khi-deux)"
    rows.append([])
    rows.append(["test", kind, "statistique", test["statistic"], "p", test["p_value"], "ddl", test["ndf"], test["ddf"]])
    if result["statistic"] != "F":
        rows.append(["test", kind, "khi-deux corrigé", test.get("adjusted")])
    return Sheet("Tableau croisé", headers, rows, result.get("rule", ""))


def themes_sheet(result: dict) -> Sheet:
    """Theme shares and indicators, the town then each district."""
    districts = result["districts"]
    headers = ["type", "libellé", "ensemble (%)"] + [f"{name} (%)" for _code, name in districts]
    rows = []
    for theme in result["themes"]:
        rows.append(["thème", theme["label"], _percent((theme["town"] or {}).get("estimate"))]
                    + [_percent((cell or {}).get("estimate")) for cell in theme["districts"]])
    for indicator in result["indicators"]:
        rows.append(["indicateur", indicator["label"], _percent((indicator["town"] or {}).get("estimate"))]
                    + [_percent((cell or {}).get("estimate")) for cell in indicator["districts"]])
    return Sheet("Thèmes par quartier", headers, rows, result.get("rule", ""))


def to_csv(sheet: Sheet) -> bytes:
    """CSV for a French spreadsheet: UTF-8 with BOM, ``;`` separated, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if sheet.note:
        writer.writerow([safe_cell(sheet.note)])
    writer.writerow([safe_cell(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return safe_cell(value)


def to_xlsx(sheet: Sheet) -> bytes:
    """An XLSX workbook of one sheet: the rule, the headers, the rows (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    page.title = sheet.title[:31]
    if sheet.note:
        page.append([safe_cell(sheet.note)])
    page.append([safe_cell(h) for h in sheet.headers])
    for cell in page[page.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        page.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    return safe_cell(value)
