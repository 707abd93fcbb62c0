"""The report's charts: SVG for the page and the PDF, PNG for the slides.

Drawn by :mod:`analysis.charts` when it is installed (its accessible matplotlib
charts, each with ``svg``, ``alt_text``, ``caption`` and ``data``); otherwise by the
small matplotlib drawings below, with the same rules: patterns as well as colours,
dark colours on white (contrast above 3:1), text kept as text. Either way the SVG is
cleaned by :func:`.svg.clean_svg` before it is embedded, and every chart carries the
table of its figures for the annex.
"""
from __future__ import annotations

import io

from .svg import clean_svg
from .values import Chart, Share, Table, number_fr

#: Dark colours readable on white, each at least 3:1 against it and its neighbours told
#: apart by a hatch pattern as well.
COLOURS = ("#1b365d", "#7a1f3d", "#1d5e3a", "#5b2c83", "#7a3b00", "#243c4f")
HATCHES = ("", "//", "--", "xx", "\\\\", "++")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    figure.patch.set_facecolor("white")
    return figure


def _render(figure, fmt: str) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cls-report",
                                "font.family": "DejaVu Sans"}):
        figure.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else 100,
                       metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def _wrap(label: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(label, width)[:3]) or label


def bar_figure(rows: list[tuple[str, Share]], *, reference: Share | None = None,
               reference_label: str = "Ensemble de la ville", xlabel: str = "% des répondants"):
    """Horizontal bars with confidence intervals, ordered from the highest share."""
    shown = sorted([(g, s) for g, s in rows if s.shown], key=lambda r: r[1].estimate)
    figure = _figure(6.4, 0.45 * max(len(shown), 2) + 1.2)
    axes = figure.add_subplot()
    labels = [_wrap(g) for g, _ in shown]
    values = [100 * s.estimate for _, s in shown]
    low = [100 * (s.estimate - (s.ci_low if s.ci_low is not None else s.estimate)) for _, s in shown]
    high = [100 * ((s.ci_high if s.ci_high is not None else s.estimate) - s.estimate) for _, s in shown]
    bars = axes.barh(range(len(shown)), values, color=COLOURS[0], edgecolor="#000000", linewidth=0.6,
                     xerr=[low, high], error_kw={"ecolor": "#000000", "capsize": 3, "linewidth": 1})
    for bar, (_, s) in zip(bars, shown):
        if s.fragile:
            bar.set_hatch("//")
            bar.set_facecolor("#6b7f99")
    axes.set_yticks(range(len(shown)), labels)
    if reference is not None and reference.shown:
        axes.axvline(100 * reference.estimate, color="#7a1f3d", linestyle="--", linewidth=1.5,
                     label=f"{reference_label} : {reference.pct}")
        axes.legend(loc="lower right", fontsize=8, frameon=True)
    top = max([v + h for v, h in zip(values, high)] + [10])
    axes.set_xlim(0, min(100, top * 1.15 + 2))
    axes.set_xlabel(xlabel)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, shown


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, Share]], *,
              reference: Share | None = None, group_header: str = "Quartier",
              source: str = "", directions: dict | None = None) -> Chart:
    """An ordered bar chart with intervals, its alternative text and its data table.

    ``directions`` maps a group to ``"worse"``, ``"better"`` or ``"similar"`` (its gap
    with the rest of the town), drawn in colour and hatching.
    """
    hidden = [g for g, s in rows if not s.shown]
    shown = sorted([(g, s) for g, s in rows if s.shown], key=lambda r: -r[1].estimate)
    caption = title
    if hidden:
        caption += f" — non représentés faute de 11 répondants au moins : {', '.join(sorted(hidden))}."
    if source:
        caption += f" Source : {source}."
    table = Table(
        f"{chart_id}-donnees", f"Données : {title}",
        [group_header, "Part", "IC à 95 %", "Répondants"],
        [[g, s.pct, s.ci, s.n_text] for g, s in shown] + [[g, s.pct, "", s.n_text] for g, s in
                                                          sorted(rows, key=lambda r: r[0]) if not s.shown],
        note="« < 11 » : moins de 11 répondants, chiffre non publié.", source=source)
    if not shown:
        alt = f"{title} : aucun groupe n'a assez de répondants pour être représenté."
        return Chart(chart_id, "", alt, caption, table, list(rows), reference)
    try:
        from analysis.charts import bar_chart_with_ci
    except ImportError:  # pragma: no cover - analysis without its charts
        bar_chart_with_ci = None
    if bar_chart_with_ci is not None:
        import pandas as pd

        # only published cells reach the chart code: a suppressed one is an "s", with no figure
        frame = pd.DataFrame({
            "groupe": [g for g, _ in rows],
            "estimate": [s.estimate if s.shown else None for _, s in rows],
            "ci_low": [s.ci_low if s.shown else None for _, s in rows],
            "ci_high": [s.ci_high if s.shown else None for _, s in rows],
            "suppressed": [not s.shown for _, s in rows]})
        drawn = bar_chart_with_ci(
            frame, "groupe", "estimate", "ci_low", "ci_high", title, caption,
            highlight=directions or None,
            reference=reference.estimate if reference is not None and reference.shown else None,
            digits=0, axis_label="% des répondants", chart_id=chart_id)
        return Chart(chart_id, clean_svg(drawn.svg, None), drawn.alt_text, caption, table, list(rows), reference)
    figure, _ = bar_figure(rows, reference=reference)
    svg = _render(figure, "svg").decode("utf-8")
    first, last = shown[0], shown[-1]
    alt = (f"{title} : diagramme en barres horizontales, de {first[0]} ({first[1].pct}) "
           f"à {last[0]} ({last[1].pct}), avec l'intervalle de confiance à 95 % de chaque part.")
    return Chart(chart_id, clean_svg(svg, chart_id, label=alt), alt, caption, table, list(rows), reference)


def counts_figure(labels: list[str], values: list[int | None], *, ylabel: str = "Réponses"):
    figure = _figure(6.4, 2.8)
    axes = figure.add_subplot()
    heights = [v or 0 for v in values]
    axes.bar(range(len(labels)), heights, color=COLOURS[2], edgecolor="#000000", linewidth=0.6)
    for position, value in enumerate(values):
        if value is None:  # fewer than 11 responses: no bar, a mark saying so (no dotted hatch: see analysis.charts)
            axes.text(position, 0, "< 11", rotation=90, ha="center", va="bottom", fontsize=7, color="#000000")
    step = max(1, len(labels) // 10)
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    axes.set_ylabel(ylabel)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure


def counts_chart(chart_id: str, title: str, labels: list[str], counts, *, period: str = "Semaine") -> Chart:
    """Responses per period (a period of fewer than 11 responses drawn empty, not counted)."""
    values = [c.value for c in counts]
    svg = _render(counts_figure(labels, values), "svg").decode("utf-8") if labels else ""
    known = [v for v in values if v is not None]
    alt = (f"{title} : diagramme en barres, {len(labels)} périodes"
           + (f", de {min(known)} à {max(known)} réponses par période" if known else "") + ".")
    table = Table(f"{chart_id}-donnees", f"Données : {title}", [period, "Réponses"],
                  [[label, c.text] for label, c in zip(labels, counts)],
                  note="« < 11 » : moins de 11 réponses, chiffre non publié.")
    return Chart(chart_id, clean_svg(svg, chart_id, label=alt) if svg else "", alt, title, table)


def bar_png(rows: list[tuple[str, Share]], *, reference: Share | None = None) -> bytes:
    """The PNG of :func:`bar_chart`'s figure, for a slide."""
    figure, _ = bar_figure(rows, reference=reference)
    return _render(figure, "png")


def ci_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"[{number_fr(100 * low)} ; {number_fr(100 * high)}]"
