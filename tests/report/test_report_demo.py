"""The demo campaign's report: chapters, figures, suppression, escaping, PDF and slides."""
from __future__ import annotations

import io
import math
import re

import pytest

from survey_app.report.values import number_fr

from .conftest import HOSTILE_DISTRICT

CHAPTERS = ["Synthèse", "Contexte et méthode", "Profil des répondants", "Les priorités candidates", "Annexes",
            "Tris à plat des questions fermées", "Les questionnaires", "Glossaire"]
AXIS_PARTS = ["D'après les données", "D'après les habitants", "D'après les professionnels", "Propositions"]
COUNT_COLUMNS = {"Répondants", "Réponses"}


def pct(value: float) -> str:
    return f"{number_fr(100 * value)} %"


def ci(low: float, high: float) -> str:
    return f"[{number_fr(100 * low)} ; {number_fr(100 * high)}]"


def all_tables(data):
    tables = list(data.profile) + list(data.annexes["tables"]) + list(data.annexes["flat"])
    tables += [data.method["channels"], data.priorities["table"]]
    if data.method["weighting"].get("margins") is not None:
        tables.append(data.method["weighting"]["margins"])
    if data.priorities["ranking"] is not None:
        tables.append(data.priorities["ranking"])
    tables += [f.table for f in data.findings if f.table is not None]
    return tables


def test_every_chapter_is_in_the_html_and_the_pdf(demo_report):
    html = demo_report.files["html"].decode("utf-8")
    text = demo_report.pdf_text
    assert re.search(r'<html lang="fr">', html)
    assert "<title>Diagnostic local de santé — Ville de Bellerive (fictive)</title>" in html
    for chapter in CHAPTERS:
        assert f">{chapter}</h" in html, chapter
        assert chapter in text, chapter
    axes = demo_report.data.axes
    assert [a["label"] for a in axes][:4] == ["Accès aux soins et aux droits", "Santé mentale",
                                              "Prévention et environnement favorable à la santé",
                                              "Parcours de santé des personnes vulnérables"]
    for axis in axes:
        assert f'id="axe-{axis["key"]}"' in html
    assert html.count("D'après les habitants") == len(axes)
    for part in AXIS_PARTS:
        assert html.count(f">{part}</h3>") == len(axes), part
    # the first page says how the figures were weighted, the town and the dates
    first_page = " ".join(text.split("Sommaire")[0].split())
    assert "Ville de Bellerive" in first_page and "pondérés par calage" in first_page
    assert demo_report.data.campaign["opens_on"] in first_page
    assert demo_report.data.weighted


def test_the_town_figures_are_those_of_the_analysis(demo_report):
    from analysis.crosstab import TOWN

    town = demo_report.tables[demo_report.tables["variable"] == TOWN].set_index("indicator")
    html = demo_report.files["html"].decode("utf-8")
    items = [i for a in demo_report.data.axes for i in a["indicators"]]
    assert len(items) == len(town) > 10
    checked = 0
    for item in items:
        row = town.loc[item["name"]]
        if row["suppressed"]:
            assert not item["town"].shown
            continue
        assert math.isclose(item["town"].estimate, row["estimate"], rel_tol=1e-12)
        assert math.isclose(item["town"].ci_low, row["ci_low"], rel_tol=1e-12)
        assert f"{pct(row['estimate'])}</strong> <span class=\"ci\">{ci(row['ci_low'], row['ci_high'])}" in html
        checked += 1
    assert checked > 10


def test_district_figures_and_gaps_match_the_analysis(demo_report):
    tables = demo_report.tables
    by_name = {i["name"]: i for a in demo_report.data.axes for i in a["indicators"]}
    shown = 0
    for _, row in tables[tables["variable"] == "district"].iterrows():
        figure = dict(by_name[row["indicator"]]["groups"]["district"])[demo_report.districts[row["group"]]]
        assert figure.shown == (not row["suppressed"])
        if figure.shown:
            assert math.isclose(figure.estimate, row["estimate"], rel_tol=1e-12)
            shown += 1
    assert shown > 20
    gaps = [g for i in by_name.values() for g in i["gaps"]]
    assert any(g["direction"] == "worse" for g in gaps)
    assert all("p ajustée" in g["text"] for g in gaps)


def test_no_suppressed_cell_is_shown_anywhere(demo_report):
    """Every district cell under 11 respondents: its figure is in no table, chart or text."""
    html = demo_report.files["html"].decode("utf-8")
    page = demo_report.files["page"].decode("utf-8")
    text = re.sub(r"\s+", " ", demo_report.pdf_text)
    hidden = demo_report.tables["suppressed"].astype(bool)
    raw = demo_report.raw[hidden.to_numpy()]
    raw = raw[raw["estimate"].notna() & raw["ci_low"].notna() & (raw["n_cell"] > 0)]
    assert len(raw) > 5, "the demo should have small cells to hide"
    for _, row in raw.iterrows():
        interval = ci(row["ci_low"], row["ci_high"])
        assert interval not in html and interval not in page, (row["indicator"], row["group"], interval)
        assert interval not in text, (row["indicator"], row["group"], interval)
    # no count of 1 to 10 respondents in any table of the report
    for table in all_tables(demo_report.data):
        for position, column in enumerate(table.columns):
            if column not in COUNT_COLUMNS:
                continue
            for row in table.rows:
                value = row[position].replace("\u202f", "")
                assert value in ("< 11", "n.p.", "0", "–") or int(value) >= 11, (table.title, row)
    # the chart of a district under 11 draws no bar for it
    for chart in demo_report.data.charts:
        for group, figure in chart.rows:
            if not figure.shown:
                assert figure.estimate is None and figure.ci_low is None


def test_free_text_is_inert_in_html_and_pdf(demo_report):
    html = demo_report.files["html"].decode("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"<img[^>]*onerror", html, re.I)
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    # the hostile district name reaches tables and charts, escaped
    assert "Les Coteaux &lt;script&gt;alert(2)&lt;/script&gt;" in html
    quoted = [q for a in demo_report.data.axes for q in a["proposals"]]
    assert any("<script>" in q or "<img" in q for q in quoted), "a hostile answer should be quoted"
    assert "&lt;script&gt;alert(&#39;rapport&#39;)&lt;/script&gt;" in html or "&lt;img src=x onerror=" in html
    pdf = demo_report.files["pdf"]
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/Launch" not in pdf
    assert HOSTILE_DISTRICT.split(" <")[0] in demo_report.pdf_text


def test_the_pdf_opens_tagged_with_a_sensible_page_count(demo_report):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(demo_report.files["pdf"]))
    assert 30 <= len(reader.pages) <= 250
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("fr")
    assert reader.metadata.title.startswith("Diagnostic local de santé")


def test_charts_have_text_alternatives_and_data_tables(demo_report):
    html = demo_report.files["html"].decode("utf-8")
    charts = demo_report.data.charts
    assert len(charts) > 10
    for chart in charts:
        if not chart.svg:
            continue
        assert chart.svg.startswith("<svg") and 'role="img"' in chart.svg
        assert f'id="{chart.table.id}"' in html
        assert f'href="#{chart.table.id}"' in html
    assert html.count("<svg") == sum(1 for c in charts if c.svg)


def test_priorities_show_the_formula_and_every_part(demo_report):
    priorities = demo_report.data.priorities
    html = demo_report.files["html"].decode("utf-8")
    assert "Score de priorité = (A + B + I + D) × C / 3" in html
    assert "PEARL" in html
    ranked = [c for c in priorities["items"] if c["status"] == "ranked"]
    assert ranked and ranked[0]["rank"] == 1
    for candidate in ranked:
        assert set(candidate["parts"]) == {"A", "B", "C", "I", "D"}
        assert candidate["computation"].endswith(candidate["total"])


def test_slides_open_with_one_slide_per_key_finding(demo_report):
    from pptx import Presentation

    deck = Presentation(io.BytesIO(demo_report.files["pptx"]))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    findings = demo_report.data.findings
    assert len(findings) >= 4
    assert [t for t in titles if t.startswith("Constat ")] == [f"Constat {i}" for i in range(1, len(findings) + 1)]
    for slide in [s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text.startswith("Constat ")]:
        visuals = [shape for shape in slide.shapes if shape.shape_type in (13, 19) or shape.has_table]
        assert len(visuals) == 1, slide.shapes.title.text
    assert any(t.startswith("Priorités candidates") for t in titles)


def test_public_summary_has_no_small_cell(demo_report):
    from survey_app.report.results_page import public_summary

    summary = public_summary(demo_report.data, None)
    assert summary["indicators"]
    for item in summary["indicators"]:
        for district in item["districts"]:
            assert district["shown"] or district["pct"] == "< 11"


@pytest.mark.parametrize("kind", ["html", "page"])
def test_the_html_versions_load_nothing_from_outside(demo_report, kind):
    html = demo_report.files[kind].decode("utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', html)
    if kind == "page":
        assert "<style" not in html and not re.search(r'\sstyle="', html)
