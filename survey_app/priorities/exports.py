"""The list of candidate priorities as CSV (UTF-8 with BOM, ``;``) and XLSX.

One row per candidate, in the order of the page (ranked first, then those the PEARL
gate set aside, then those too thin to score), with every part of the score beside the
total, where each part comes from, the PEARL answers, the comité's decision, the lead
figure with its interval and count, the districts concerned and the masked verbatims.
Two lines above the headers say how the figures are weighted and the formula.

Text cells go through :func:`survey_app.infra.spreadsheet.safe_cell`: text a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
first) gets a leading ``'``. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import math

from analysis.priorities import PEARL_ITEMS, format_number_fr

from ..infra.spreadsheet import safe_cell

SHEET_TITLE = "Priorités candidates"
HEADERS = [
    "rang", "clé", "priorité candidate", "libellé d'origine", "axe du CLS", "décision du comité",
    "statut selon la grille", "A taille", "B gravité", "C efficacité", "I inégalités",
    "D demande exprimée", "score", "calcul", "source de A", "source de B", "source de C",
    "source de I", "source de D",
    *[f"PEARL {text.split(' (')[0].lower()}" for text in PEARL_ITEMS.values()],
    "constat principal", "part (%)", "IC 95 % bas (%)", "IC 95 % haut (%)", "répondants",
    "fragile (moins de 30)", "quartiers moins favorables", "regroupe", "note",
    "verbatim 1", "verbatim 2", "verbatim 3",
]


def _number(value, digits: int = 2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _percent(value):
    return _number(None if value is None else 100 * value, 1)


def _pearl(value) -> str:
    return "oui" if value is True else "non" if value is False else "non évalué"


def rows(work) -> list[list]:
    """The list of :class:`.services.Workspace` `work` as rows of values, in :data:`HEADERS` order."""
    found = work.evidence
    out = []
    for item in work.ranking.all:
        candidate, score = item.candidate, item.score
        lead = candidate.lead
        figure = lead[1] if lead else None
        worse = [f"{found.group_label(g.variable, g.group)} (écart de {format_number_fr(100 * g.difference)} points)"
                 for g in candidate.worse_districts]
        merged = [work.original_label(k) for k in work.members.get(item.key, [])]
        verbatims = list(candidate.verbatims) + [None] * 3
        out.append([
            item.rank, item.key, candidate.label, work.original_label(item.key),
            work.axis_label(candidate.axis), work.status_label(item.key), score.status_fr,
            *[_number(v) for v in score.parts().values()], _number(score.total),
            score.computation_fr() if not score.thin else candidate.thin_reason,
            *[score.sources.get(letter, "") for letter in "ABCID"],
            *[_pearl(score.pearl.get(key)) for key in PEARL_ITEMS],
            lead[0] if lead else "données insuffisantes",
            _percent(figure.estimate) if figure else None, _percent(figure.ci_low) if figure else None,
            _percent(figure.ci_high) if figure else None, figure.n if figure else None,
            ("oui" if figure.fragile else "non") if figure else "",
            " ; ".join(worse), " ; ".join(merged), candidate.assessment.note, *verbatims[:3],
        ])
    return out


def notes(work) -> list[str]:
    """The lines above the headers: weighting, then the formula with its terms."""
    return [work.evidence.weighting_note, *work.ranking.formula.split("\n")]


def to_csv(work) -> bytes:
    """CSV for a French spreadsheet: UTF-8 with BOM, ``;`` separated, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in notes(work):
        writer.writerow([safe_cell(line)])
    writer.writerow([safe_cell(h) for h in HEADERS])
    for row in rows(work):
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, str):
        return safe_cell(value)
    return value


def to_xlsx(work) -> bytes:
    """An XLSX workbook of one sheet: the notes, the headers (bold), the rows (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    page.title = SHEET_TITLE
    for line in notes(work):
        page.append([safe_cell(line)])
    page.append([safe_cell(h) for h in HEADERS])
    for cell in page[page.max_row]:
        cell.font = Font(bold=True)
    for row in rows(work):
        page.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
