"""Drawing with matplotlib and writing accessible, deterministic SVG.

Private module of :mod:`analysis.charts`. matplotlib is imported inside the
functions, on first use. Figures are made with :class:`matplotlib.figure.Figure`
directly, not ``pyplot``: no global figure registry, no backend to select, nothing
shared between two requests of a worker. Settings apply inside an ``rc_context``
only.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pandas as pd

__all__ = ["Chart", "Style", "PALETTE", "INK", "AXIS", "CATEGORY_STYLES", "SERIES_STYLES",
           "figure", "to_svg", "chart_id_for"]

#: Okabe-Ito colours with at least 3:1 contrast against white (WCAG 2.1, 1.4.11),
#: and the greys used for text and axes. Orange, sky blue and yellow of the
#: Okabe-Ito set are left out: they have less than 3:1 against white.
PALETTE = {
    "blue": "#0072b2",           # 5.2:1
    "vermillion": "#d55e00",     # 3.9:1
    "bluish_green": "#009e73",   # 3.4:1
    "reddish_purple": "#cc79a7", # 3.1:1
    "grey": "#767676",           # 4.5:1
    "black": "#000000",
}
#: Text colour (17:1) and axes colour (7:1).
INK = "#1a1a1a"
AXIS = "#595959"


@dataclass(frozen=True)
class Style:
    """Fill colour, hatching and legend wording of one category of bars."""

    colour: str
    hatch: str
    label: str | None = None


#: Styles of the categories of :func:`bar_chart_with_ci`: the directions of a
#: district-vs-rest comparison. Colour and hatching differ, so that the category is
#: never carried by colour alone: in black and white, single diagonals ("moins
#: favorable") against a cross-hatch ("plus favorable"). Hatches are line patterns only:
#: a dotted hatch ("...") is written by matplotlib as one SVG pattern of hundreds of tiny
#: circles (about 150 KB per chart, and half of the report's PDF time in WeasyPrint).
CATEGORY_STYLES = {
    "worse": Style(PALETTE["vermillion"], "///", "Significativement moins favorable"),
    "better": Style(PALETTE["blue"], "xx", "Significativement plus favorable"),
    "similar": Style(PALETTE["grey"], "", "Pas de différence significative"),
    None: Style(PALETTE["blue"], "", None),
}
#: Styles of the series of a grouped chart (and of other categories), in order.
SERIES_STYLES = (
    Style(PALETTE["blue"], ""), Style(PALETTE["vermillion"], "///"),
    Style(PALETTE["bluish_green"], "\\\\\\"), Style(PALETTE["reddish_purple"], "xx"),
    Style(PALETTE["black"], "++"),
)

_RC = {
    "svg.fonttype": "none",          # text stays text: selectable, read by screen readers
    "svg.hashsalt": "cls-diagnostic",  # ids from content, not from random numbers
    "text.parse_math": False,        # "$" in a label is a dollar, not TeX
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # shipped with matplotlib: same metrics everywhere
    "font.size": 10,
    "text.color": INK, "axes.labelcolor": INK, "xtick.labelcolor": INK,
    "ytick.labelcolor": INK, "axes.edgecolor": AXIS, "xtick.color": AXIS,
    "ytick.color": AXIS, "axes.facecolor": "#ffffff", "figure.facecolor": "#ffffff",
    "savefig.facecolor": "#ffffff", "savefig.edgecolor": "#ffffff",
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": False,
    "legend.frameon": False, "hatch.color": INK, "hatch.linewidth": 0.8,
    "patch.force_edgecolor": False, "lines.solid_capstyle": "butt",
}


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart ready for a page or the report.

    Attributes
    ----------
    svg : str
        The SVG element (no XML prolog, ready to inline in HTML), with ``role="img"``,
        ``aria-labelledby`` and ``<title>`` / ``<desc>`` as its first children. Its
        ids all start with `chart_id`, so several charts can share a page.
    alt_text : str
        French text alternative summarising what the chart shows.
    caption : str
        Caption to print under the chart (source, field, method).
    data : DataFrame
        The figures behind the chart, in the order shown: print it as a table
        beside the chart (RGAA).
    title : str
    chart_id : str
    """

    svg: str
    alt_text: str
    caption: str
    data: pd.DataFrame
    title: str
    chart_id: str

    def __str__(self) -> str:
        return self.svg


def chart_id_for(kind: str, title: str, data: pd.DataFrame) -> str:
    """A stable id from the chart's content: the same chart always gets the same id."""
    digest = hashlib.sha1(f"{kind}\n{title}\n{data.to_csv()}".encode()).hexdigest()[:10]
    return f"graphique-{digest}"


# rc_context changes matplotlib's process-wide settings: one chart at a time per process,
# so that a threaded worker never draws with another chart's settings half applied.
_LOCK = threading.Lock()


@contextmanager
def figure(width: float, height: float) -> Iterator:
    """A white matplotlib Figure of `width` x `height` inches with the charts' settings."""
    import matplotlib
    from matplotlib.figure import Figure

    with _LOCK, matplotlib.rc_context(_RC), warnings.catch_warnings():
        # A character DejaVu Sans lacks (an emoji in a label) is still written as
        # text; matplotlib's warning about its width is no error of the data.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield Figure(figsize=(width, height), layout="constrained")


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^")]+)')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def to_svg(fig, chart_id: str, title: str, description: str) -> str:
    """Write `fig` as an accessible SVG element.

    The XML prolog and doctype and the RDF metadata are dropped (the element is meant
    to be inlined), every id is prefixed with `chart_id`, and the root gets
    ``role="img"``, ``aria-labelledby`` and ``<title>`` and ``<desc>`` children.
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = _METADATA.sub("", svg, count=1)
    svg = _ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", svg)
    head_end = svg.index(">") + 1
    root = svg[:head_end - 1]
    title_id, desc_id = f"{chart_id}-titre", f"{chart_id}-description"
    root += (f' id="{chart_id}" role="img" aria-labelledby="{title_id} {desc_id}"'
             ' focusable="false">')
    children = (f'\n <title id="{title_id}">{escape(title)}</title>'
                f'\n <desc id="{desc_id}">{escape(description)}</desc>')
    return root + children + svg[head_end:].rstrip() + "\n"
