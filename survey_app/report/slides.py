"""The key findings and candidate priorities as an editable slide deck (python-pptx).

One slide per key finding of the Synthèse, each with its chart (a PNG drawn by
matplotlib from the same published figures) or its table (a native, editable pptx
table), then the candidate priorities. Small cells are already suppressed in the
values the deck is made from.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

#: Rows of a table on one slide.
MAX_ROWS = 10


def _title_slide(deck, data) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = f"Diagnostic local de santé — {data.campaign['town']}"
    slide.placeholders[1].text = (f"{data.campaign['name']}\nEnquête du {data.campaign['opens_on']} au "
                                  f"{data.campaign['closes_on']} — données au {data.campaign['data_date']}\n"
                                  f"{data.weighting_note}")


def _add_table(slide, table, top, width, height) -> None:
    from pptx.util import Pt

    rows = table.rows[:MAX_ROWS]
    shape = slide.shapes.add_table(len(rows) + 1, len(table.columns), int(width * 0.05), top,
                                   int(width * 0.9), height)
    grid = shape.table
    for j, column in enumerate(table.columns):
        grid.cell(0, j).text = str(column)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            grid.cell(i, j).text = str(value)
    for cell in (grid.cell(i, j) for i in range(len(rows) + 1) for j in range(len(table.columns))):
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(12)


def _finding_slide(deck, number: int, finding) -> None:
    from pptx.util import Emu, Pt

    from .charts import bar_png

    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = f"Constat {number}"
    width, height = deck.slide_width, deck.slide_height
    box = slide.shapes.add_textbox(int(width * 0.05), int(height * 0.2), int(width * 0.9), int(height * 0.15))
    box.text_frame.word_wrap = True
    box.text_frame.text = finding.text
    for paragraph in box.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(16)
    top = int(height * 0.38)
    if finding.chart is not None and finding.chart.rows:
        rows = finding.chart.rows
        png = bar_png(rows, reference=finding.chart.reference) if any(s.shown for _, s in rows) else None
        if png:
            picture = slide.shapes.add_picture(io.BytesIO(png), int(width * 0.15), top, height=Emu(int(height * 0.58)))
            picture.name = finding.chart.alt_text[:250]
            _alt_text(picture, finding.chart.alt_text)
            return
    if finding.table is not None or (finding.chart is not None):
        table = finding.table if finding.table is not None else finding.chart.table
        _add_table(slide, table, top, width, int(height * 0.5))


def _alt_text(picture, text: str) -> None:
    """Set the picture's description (what a screen reader says in PowerPoint)."""
    properties = picture._element.xpath("./p:nvPicPr/p:cNvPr")
    if properties:
        properties[0].set("descr", text)


def _priorities_slides(deck, data) -> None:
    from .values import Table

    items = [c for c in data.priorities["items"] if c["status"] == "ranked"]
    for start in range(0, max(len(items), 1), MAX_ROWS):
        chunk = items[start:start + MAX_ROWS]
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = "Priorités candidates" + (f" ({start // MAX_ROWS + 1})" if len(items) > MAX_ROWS else "")
        table = Table("slide-priorites", "", ["Rang", "Priorité candidate", "Axe", "A", "B", "C", "Score"],
                      [[str(c["rank"]), c["label"], c["axis_label"], c["parts"]["A"], c["parts"]["B"],
                        c["parts"]["C"], c["total"]] for c in chunk] or [["–", "Aucune priorité classée", "", "", "", "", ""]])
        _add_table(slide, table, int(deck.slide_height * 0.2), deck.slide_width, int(deck.slide_height * 0.7))
        if start >= 2 * MAX_ROWS:
            break
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "La grille de priorisation"
    slide.placeholders[1].text = "\n".join(data.priorities["formula_text"])


def build_slides(data) -> bytes:
    """Return the deck as ``.pptx`` bytes: title, one slide per key finding, the priorities."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = f"Diagnostic local de santé — {data.campaign['town']}"
    deck.core_properties.language = "fr-FR"
    _title_slide(deck, data)
    for number, finding in enumerate(data.findings, start=1):
        _finding_slide(deck, number, finding)
    _priorities_slides(deck, data)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def write_slides(data, out: str | os.PathLike) -> Path:
    target = Path(out)
    target.write_bytes(build_slides(data))
    return target
