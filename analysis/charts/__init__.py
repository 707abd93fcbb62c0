"""Accessible charts of the diagnostic, as SVG, for the coordinator's pages and the report.

Every function returns a :class:`Chart`: the SVG element (text kept as text,
``role="img"``, ``<title>`` and ``<desc>``), a French text alternative, the caption
and the DataFrame behind the chart, to print as a table beside it (RGAA: a text
alternative and a data table for every chart, information not carried by colour
alone, 3:1 contrast for graphical elements).

- :func:`bar_chart_with_ci`: shares with their confidence intervals, ordered, the town
  value as a reference line, categories (significantly worse / better / not
  different) in colour *and* hatching, suppressed cells shown as "s";
- :func:`grouped_bar_chart`: e.g. the structure of the sample beside the census;
- :func:`distribution_chart`: a histogram, e.g. of the weights;
- :func:`daily_counts_chart`: responses per day.

Colours are the Okabe-Ito colours with at least 3:1 contrast against white. Output is
deterministic (no date, ids derived from the content), and matplotlib is imported on
first use only: importing this package does not import it.

References
----------
Okabe M, Ito K (2008). *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people*. J*FLY.
W3C (2018). *Web Content Accessibility Guidelines (WCAG) 2.1*, 1.1.1 (text
alternatives), 1.4.1 (use of colour), 1.4.11 (non-text contrast).
"""
from __future__ import annotations

from ._bars import SECRET, SECRET_NOTE, bar_chart_with_ci, grouped_bar_chart
from ._counts import daily_counts_chart, distribution_chart
from ._render import AXIS, CATEGORY_STYLES, INK, PALETTE, SERIES_STYLES, Chart, Style

__all__ = [
    "Chart", "bar_chart_with_ci", "grouped_bar_chart", "distribution_chart",
    "daily_counts_chart", "PALETTE", "INK", "AXIS", "CATEGORY_STYLES", "SERIES_STYLES",
    "Style", "SECRET", "SECRET_NOTE",
]
