"""Charts embedded inline are safe; the PDF fetches nothing outside the package; values hide small cells."""
from __future__ import annotations

import pytest

from survey_app.report.svg import clean_svg
from survey_app.report.values import count, share

HOSTILE_SVG = """<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
 <style>*{fill:red}</style><script>alert(2)</script>
 <defs><clipPath id="c1"><rect width="5" height="5"/></clipPath></defs>
 <g clip-path="url(#c1)" style="fill: #1b365d; stroke: url(http://evil.example/x); font: 10px 'DejaVu Sans'">
  <text>&lt;script&gt;alert(3)&lt;/script&gt;</text>
  <image xlink:href="http://evil.example/pixel.png"/>
  <a href="javascript:alert(4)"><text>lien</text></a>
  <use xlink:href="#c1"/><use href="http://evil.example/#x"/>
 </g>
 <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
</svg>"""


def test_clean_svg_keeps_drawing_and_drops_everything_active():
    out = clean_svg(HOSTILE_SVG, "g1", label="Graphique <de> test")
    lowered = out.lower()
    for bad in ("<script", "onload", "<style", "javascript:", "evil.example", "<image", "foreignobject", "<!doctype"):
        assert bad not in lowered, bad
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in out
    assert 'id="g1-c1"' in out and 'clip-path="url(#g1-c1)"' in out and "#g1-c1" in out
    assert 'fill="#1b365d"' in out and 'font-size="10px"' in out and "style=" not in out
    assert 'role="img"' in out and "<title>Graphique &lt;de&gt; test</title>" in out


def test_a_hostile_group_label_is_escaped_in_the_chart():
    from survey_app.report.charts import bar_chart

    rows = [("<script>alert(1)</script>", share(0.4, 0.3, 0.5, 120, 48)),
            ("Nord <img src=x onerror=alert(1)>", share(0.2, 0.1, 0.3, 90, 18)),
            ("Petit", share(0.5, 0.2, 0.8, 8, 4))]
    chart = bar_chart("essai", "Part <b>test</b>", rows, reference=share(0.3, 0.25, 0.35, 300, 90),
                      directions={"<script>alert(1)</script>": "worse"})
    assert chart.svg.startswith("<svg")
    assert "<script" not in chart.svg and "<img" not in chart.svg and "onerror=" not in chart.svg.replace("onerror=alert", "")
    assert "&lt;script&gt;" in chart.svg
    # the small group is in the data table as « < 11 », with no figure
    assert ["Petit", "< 11", "", "< 11"] in chart.table.rows
    assert "Petit" in chart.caption


@pytest.mark.parametrize("url", ["http://example.org/font.ttf", "https://example.org/x.css", "file:///etc/passwd",
                                 "ftp://example.org/a", "file:///work/main/pyproject.toml"])
def test_the_pdf_fetches_nothing_outside_the_static_folder(url):
    from survey_app.report.build import FetchRefused, static_only_fetcher

    with pytest.raises(FetchRefused):
        static_only_fetcher().fetch(url)


def test_the_shipped_fonts_are_fetched():
    from survey_app.report.build import STATIC_DIR, static_only_fetcher

    fonts = sorted((STATIC_DIR / "fonts").glob("*.ttf"))
    assert fonts and (STATIC_DIR / "fonts" / "LICENSE-DejaVu.txt").exists()
    response = static_only_fetcher().fetch(fonts[0].as_uri())
    assert response is not None


def test_values_hide_cells_under_11():
    assert not share(0.5, 0.4, 0.6, 10, 5).shown
    assert not share(0.05, 0.01, 0.1, 200, 10).shown
    assert share(0.5, 0.4, 0.6, 11, 11).shown
    hidden = share(0.123, 0.1, 0.2, 9, 9)
    assert hidden.estimate is None and hidden.pct == "< 11" and hidden.ci == ""
    assert share(0.3, 0.2, 0.4, 25, 11).fragile
    assert count(7).text == "< 11" and count(0).text == "0" and count(5000).text == "5\u202f000"


def test_import_wsgi_stays_light():
    import subprocess
    import sys

    code = ("import sys, wsgi; heavy = [m for m in ('pandas', 'matplotlib', 'weasyprint', 'pptx', 'scipy') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.stdout.strip() == "[]"
