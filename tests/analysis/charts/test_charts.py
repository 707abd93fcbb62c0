"""Charts: valid accessible SVG, text alternatives, suppressed cells, patterns, contrast."""
import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.charts import (
    bar_chart_with_ci, daily_counts_chart, distribution_chart, grouped_bar_chart,
)

ROOT = Path(__file__).resolve().parents[3]
SVG = "{http://www.w3.org/2000/svg}"
HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour ``#rrggbb``."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return (1.0 + 0.05) / (relative_luminance(colour) + 0.05)


@pytest.fixture
def districts():
    return pd.DataFrame({
        "district": ["Centre", "Gare", "Zola", "Port", "Les Tilleuls", "Plateau"],
        "estimate": [0.21, 0.15, 0.32, 0.40, 0.18, np.nan],
        "ci_low": [0.17, 0.11, 0.27, 0.30, 0.12, np.nan],
        "ci_high": [0.25, 0.19, 0.37, 0.50, 0.24, np.nan],
        "suppressed": [False, False, False, True, False, False],
        "direction": ["similar", "better", "worse", None, "similar", None],
    })


def bar_chart(frame, **options):
    return bar_chart_with_ci(frame, "district", "estimate", "ci_low", "ci_high",
                             "Sans médecin traitant, par quartier",
                             "Source : enquête CLS 2026, pondérée.", highlight="direction",
                             reference=0.2, **options)


def all_charts(frame):
    structure = pd.DataFrame({"age": ["18-29 ans", "30-44 ans", "45-59 ans", "75 ans et +"],
                              "sample": [0.12, 0.25, 0.33, np.nan],
                              "census": [0.20, 0.27, 0.25, 0.12]})
    weights = np.random.default_rng(3).lognormal(0, 0.4, 400)
    days = [dt.date(2026, 3, 1)] * 5 + [dt.date(2026, 3, 3)] * 2 + [dt.date(2026, 3, 6)]
    return [
        bar_chart(frame),
        grouped_bar_chart(structure, "age", ["sample", "census"], "Structure par âge",
                          "Recensement 2021", series_labels=["Échantillon", "Recensement"]),
        distribution_chart(weights, "Poids après calage", "Poids normalisés", reference=1.0),
        daily_counts_chart(days, "Réponses par jour", "Questionnaires en ligne et papier"),
    ]


def test_every_chart_is_accessible_svg(districts):
    for chart in all_charts(districts):
        root = ET.fromstring(chart.svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        first, second = list(root)[:2]
        assert first.tag == f"{SVG}title" and first.text == chart.title
        assert second.tag == f"{SVG}desc" and second.text == chart.alt_text
        assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
        assert chart.caption and isinstance(chart.data, pd.DataFrame)
        assert "<?xml" not in chart.svg and "<metadata" not in chart.svg
        assert "<text" in chart.svg                      # text stays text
        assert "dc:date" not in chart.svg


def test_ids_are_prefixed_so_charts_can_share_a_page(districts):
    charts = all_charts(districts)
    seen = []
    for chart in charts:
        ids = re.findall(r'\bid="([^"]+)"', chart.svg)
        assert all(i.startswith(chart.chart_id) for i in ids)
        for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', chart.svg):
            assert ref in ids
        seen += ids
    assert len(seen) == len(set(seen))


def test_output_is_identical_between_two_calls(districts):
    first, second = all_charts(districts), all_charts(districts)
    for a, b in zip(first, second):
        assert a.svg == b.svg and a.alt_text == b.alt_text and a.chart_id == b.chart_id


def test_alt_text_names_the_highest_and_lowest_bars(districts):
    chart = bar_chart(districts)
    text = chart.alt_text
    assert "Valeur la plus élevée : Zola (32 %, intervalle 27 % à 37 %)" in text
    assert "Valeur la plus basse : Gare (15 %" in text
    assert "Ensemble de la ville : 20 %" in text
    assert "Significativement moins favorable : Zola." in text
    assert "Significativement plus favorable : Gare." in text
    assert "Secret statistique (moins de 11 répondants) : Port et Plateau." in text
    assert "40 %" not in text                      # a suppressed figure never leaks


def test_bars_are_ordered_and_suppressed_cells_have_no_bar(districts):
    chart = bar_chart(districts)
    data = chart.data
    assert list(data["district"]) == ["Zola", "Centre", "Les Tilleuls", "Gare", "Port", "Plateau"]
    assert data["suppressed"].tolist() == [False] * 4 + [True] * 2
    assert data.loc[data["suppressed"], ["estimate", "ci_low", "ci_high"]].isna().all().all()
    for k, row in data.iterrows():
        bar = f'id="{chart.chart_id}-bar-{k}"'
        secret = f'id="{chart.chart_id}-secret-{k}"'
        assert (bar in chart.svg) != row["suppressed"]
        assert (secret in chart.svg) == row["suppressed"]
    root = ET.fromstring(chart.svg)
    marks = [t for t in root.iter(f"{SVG}text") if (t.text or "").strip() == "s"]
    assert len(marks) == 2
    assert "secret statistique" in chart.svg
    ascending = bar_chart(districts, order="asc").data["district"].tolist()
    assert ascending[:4] == ["Gare", "Les Tilleuls", "Centre", "Zola"]
    assert bar_chart(districts, order=None).data["district"].tolist()[:3] == \
        ["Centre", "Gare", "Zola"]


def test_categories_differ_by_hatching_as_well_as_colour(districts):
    chart = bar_chart(districts)
    root = ET.fromstring(chart.svg)
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert len(patterns) >= 2                        # worse (///) and better (xx)
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    for k, row in chart.data.iterrows():
        group = groups.get(f"{chart.chart_id}-bar-{k}")
        if group is None:
            continue
        style = group.find(f"{SVG}path").get("style")
        hatched = re.search(r"fill: url\(#([^)]+)\)", style)
        if row["category"] in ("worse", "better"):
            assert hatched and hatched.group(1) in patterns
        else:
            assert hatched is None
    worse, better = (groups[f"{chart.chart_id}-bar-{k}"].find(f"{SVG}path").get("style")
                     for k in (0, 3))
    assert worse != better


def test_every_colour_has_3_to_1_contrast_against_white(districts):
    for chart in all_charts(districts):
        colours = {c.lower() for c in HEX.findall(chart.svg)} - {"ffffff", "fff"}
        assert colours
        for colour in colours:
            assert contrast_with_white(colour) >= 3, (chart.title, colour)
        assert "opacity" not in chart.svg


def test_wcag_luminance_helper():
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_hostile_labels_are_escaped_not_executed():
    frame = pd.DataFrame({"district": ["<script>alert(1)</script>", "A & B", "$x$ \"q\""],
                          "estimate": [0.3, 0.2, 0.1], "ci_low": [0.25, 0.15, 0.05],
                          "ci_high": [0.35, 0.25, 0.15]})
    chart = bar_chart_with_ci(frame, "district", "estimate", "ci_low", "ci_high",
                              "<b>Titre</b> & co", "caption")
    root = ET.fromstring(chart.svg)
    assert "<script" not in chart.svg and "<b>" not in chart.svg
    assert not list(root.iter(f"{SVG}script"))
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts and "$x$" in texts
    assert list(root)[0].text == "<b>Titre</b> & co"
    assert "<script>alert(1)</script>" in chart.alt_text    # plain data; escaping is the renderer's


def test_grouped_chart_text_and_data():
    frame = pd.DataFrame({"sex": ["Femmes", "Hommes"], "sample": [0.62, 0.38],
                          "census": [0.52, 0.48]})
    chart = grouped_bar_chart(frame, "sex", ["sample", "census"], "Structure par sexe", "RP",
                              series_labels=["Échantillon", "Recensement"])
    assert "Femmes : Échantillon 62 % ; Recensement 52 %" in chart.alt_text
    assert "Écart le plus grand entre Échantillon et Recensement : Femmes" in chart.alt_text
    assert chart.data.columns.tolist() == ["sex", "sample", "census"]
    assert chart.svg.count("<pattern") == 1          # the second series is hatched
    with pytest.raises(ValueError):
        grouped_bar_chart(frame, "sex", ["sample", "census"], "t", "c", series_labels=["x"])


def test_distribution_chart_data_and_text():
    chart = distribution_chart([0.5, 0.5, 1.0, 1.5, 2.0, None], "Poids", "c", bins=3)
    assert chart.data["count"].tolist() == [2, 1, 2]
    assert chart.data["bin_low"].tolist()[0] == 0.5
    assert "5 valeurs, de 0,5 à 2" in chart.alt_text
    assert "médiane 1" in chart.alt_text and "1 valeur manquante" in chart.alt_text
    assert "Rapport de la plus grande à la plus petite : 4" in chart.alt_text


def test_daily_counts_fill_days_without_responses():
    stamps = pd.to_datetime(["2026-03-01 09:00", "2026-03-01 18:30", "2026-03-04 12:00"])
    chart = daily_counts_chart(stamps, "Réponses par jour", "c")
    assert chart.data["count"].tolist() == [2, 0, 0, 1]
    assert chart.data["cumulative"].tolist() == [2, 2, 2, 3]
    assert "3 réponses du 1er mars 2026 au 4 mars 2026 (4 jours)" in chart.alt_text
    assert "Le plus de réponses : 2, le 1er mars 2026" in chart.alt_text
    aggregated = daily_counts_chart(["2026-03-01", "2026-03-02"], "t", "c", counts=[5, 7])
    assert aggregated.data["count"].tolist() == [5, 7]
    empty = daily_counts_chart([], "t", "c")
    assert empty.data.empty and "Aucune réponse" in empty.alt_text
    ET.fromstring(empty.svg)


def test_importing_charts_does_not_import_matplotlib():
    code = ("import sys, analysis.charts, analysis.priorities\n"
            "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_hatches_are_line_patterns_small_enough_for_the_pdf(districts):
    """A dotted hatch is hundreds of tiny circles per pattern (150 KB a chart, half the report's PDF time)."""
    from analysis.charts import CATEGORY_STYLES, SERIES_STYLES

    for style in list(CATEGORY_STYLES.values()) + list(SERIES_STYLES):
        assert not set(style.hatch) & {".", "o", "O", "*"}, style
    chart = bar_chart(districts)
    root = ET.fromstring(chart.svg)
    patterns = list(root.iter(f"{SVG}pattern"))
    assert patterns
    for pattern in patterns:
        assert len(ET.tostring(pattern)) < 4_000
    assert len(chart.svg) < 60_000
    # told apart in black and white: the two patterns' drawings differ, not only their colour
    drawings = {re.sub(r'#[0-9a-fA-F]{6}|id="[^"]*"', "", "".join(ET.tostring(c).decode() for c in p))
                for p in patterns}
    assert len(drawings) >= 2
