"""Horizontal bar charts: shares with their intervals, and grouped bars.

Private module of :mod:`analysis.charts`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._format import join_fr, number_fr, percent_fr, wrap
from ._render import (
    AXIS, CATEGORY_STYLES, INK, SERIES_STYLES, Chart, Style, chart_id_for, figure, to_svg,
)

__all__ = ["bar_chart_with_ci", "grouped_bar_chart", "SECRET", "SECRET_NOTE"]

#: Mark written in place of a suppressed cell (secret statistique).
SECRET = "s"
SECRET_NOTE = "s : secret statistique (moins de 11 répondants)"
_WIDTH = 6.5
# White behind value labels, so that the reference line never runs through a figure.
_LABEL_BOX = {"facecolor": "#ffffff", "edgecolor": "none", "pad": 1.0}


def _formatter(percent: bool, digits: int):
    return (lambda v: percent_fr(v, digits)) if percent else (lambda v: number_fr(v, digits))


def _suppressed(data: pd.DataFrame, estimate_col: str, suppressed_col: str | None) -> np.ndarray:
    flags = pd.to_numeric(data[estimate_col], errors="coerce").isna().to_numpy().copy()
    if suppressed_col and suppressed_col in data:
        marked = data[suppressed_col].astype(object).where(data[suppressed_col].notna(), False)
        flags |= marked.astype(bool).to_numpy()
    return flags


def _styles(categories: Sequence) -> dict:
    styles, extra = {}, iter(SERIES_STYLES[1:] + SERIES_STYLES[:1])
    for category in dict.fromkeys(categories):
        if category in CATEGORY_STYLES:
            styles[category] = CATEGORY_STYLES[category]
        else:
            style = next(extra, SERIES_STYLES[0])
            styles[category] = Style(style.colour, style.hatch, str(category))
    return styles


def _percent_axis(ax, top: float, percent: bool) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_xlim(0, top)
    ax.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
    ticks = [t for t in ax.get_xticks() if 0 <= t <= (1.0 if percent else top)]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _formatter(percent, 0)(v)))
    ax.tick_params(axis="y", length=0)


def bar_chart_with_ci(frame: pd.DataFrame, label_col: str, estimate_col: str, low_col: str,
                      high_col: str, title: str, caption: str,
                      highlight: str | Mapping | None = None, order: str | None = "desc", *,
                      reference: float | None = None,
                      reference_label: str = "Ensemble de la ville",
                      suppressed_col: str | None = "suppressed", percent: bool = True,
                      digits: int = 0, axis_label: str | None = None,
                      chart_id: str | None = None) -> Chart:
    """Horizontal bars ordered by value, with confidence-interval whiskers.

    Parameters
    ----------
    frame : DataFrame
        One row per bar (district, age band, indicator...).
    label_col, estimate_col, low_col, high_col : str
        Columns of the label, the estimate and its interval.
    title, caption : str
    highlight : str or mapping, optional
        Category of each bar: a column of `frame`, or ``label -> category``. The
        categories ``"worse"``, ``"better"`` and ``"similar"`` (see
        :data:`analysis.priorities.DIRECTIONS`) get their own colour *and*
        hatching; other values get the next style of the series, named by value.
    order : {"desc", "asc", None}
        Largest value at the top (default), smallest at the top, or frame order.
        Suppressed cells come last.
    reference : float, optional
        The town value, drawn as a dashed vertical line.
    reference_label : str
    suppressed_col : str, optional
        Column flagging suppressed cells; a NaN estimate is suppressed too. A
        suppressed cell has no bar: an "s" (secret statistique) stands in its place.
    percent : bool
        Values are shares in [0, 1], written as percentages.
    digits : int
        Decimals of the value labels.
    axis_label : str, optional
    chart_id : str, optional
        Prefix of every id in the SVG (default: derived from the content).

    Returns
    -------
    Chart
        ``data`` has the label, estimate, interval, ``category`` and ``suppressed``
        columns in the order shown, suppressed figures blanked.
    """
    data = frame.copy()
    data[label_col] = data[label_col].astype(str)
    hidden = _suppressed(data, estimate_col, suppressed_col)
    for col in (estimate_col, low_col, high_col):
        data[col] = pd.to_numeric(data[col], errors="coerce").astype(float).mask(hidden)
    if isinstance(highlight, str):
        category = data[highlight].where(data[highlight].notna(), None)
    elif isinstance(highlight, Mapping):
        category = data[label_col].map(lambda label: highlight.get(label))
    else:
        category = pd.Series([None] * len(data), index=data.index, dtype=object)
    data = pd.DataFrame({label_col: data[label_col], estimate_col: data[estimate_col],
                         low_col: data[low_col], high_col: data[high_col],
                         "category": category.astype(object).where(~hidden, None),
                         "suppressed": hidden}, index=data.index)
    if order in ("desc", "asc"):
        data = data.sort_values(["suppressed", estimate_col],
                                ascending=[True, order == "asc"], kind="stable")
    elif order is not None:
        raise ValueError("order must be 'desc', 'asc' or None")
    data = data.reset_index(drop=True)
    cid = chart_id or chart_id_for("barres", title, data)
    fmt = _formatter(percent, digits)
    shown = data[~data["suppressed"]]
    styles = _styles([c for c in shown["category"]])
    alt = _bar_alt_text(title, data, label_col, estimate_col, low_col, high_col, fmt,
                        reference, reference_label, styles, order)
    values = np.concatenate([shown[[estimate_col, low_col, high_col]].to_numpy().ravel(),
                             [reference if reference is not None else np.nan]])
    peak = np.nanmax(values) if np.isfinite(values).any() else 1.0
    top = max(peak * 1.18, 0.05 if percent else 1.0)
    n = max(len(data), 1)
    with figure(_WIDTH, 1.3 + 0.34 * n + (0.35 if len(styles) > 1 or reference else 0)) as fig:
        ax = fig.add_subplot()
        ys = np.arange(len(data))[::-1]
        for k, row in data.iterrows():
            y = ys[k]
            if row["suppressed"]:
                ax.text(top * 0.01, y, SECRET, va="center", ha="left", style="italic",
                        gid=f"secret-{k}")
                continue
            style = styles[row["category"]]
            bar = ax.barh(y, row[estimate_col], height=0.62, color=style.colour,
                          hatch=style.hatch or None, edgecolor=INK, linewidth=0.6)[0]
            bar.set_gid(f"bar-{k}")
            low, high = row[low_col], row[high_col]
            if math.isfinite(low) and math.isfinite(high):
                ax.errorbar(row[estimate_col], y, xerr=[[row[estimate_col] - low],
                                                       [high - row[estimate_col]]],
                            fmt="none", ecolor=INK, color=INK, elinewidth=1, capsize=3)
            end = max(v for v in (row[estimate_col], high) if math.isfinite(v))
            ax.text(end + top * 0.015, y, fmt(row[estimate_col]), va="center", ha="left",
                    fontsize=9, bbox=_LABEL_BOX)
        handles = _legend_handles(styles)
        if reference is not None and math.isfinite(reference):
            line = ax.axvline(reference, color=INK, linestyle=(0, (4, 2)), linewidth=1.2)
            line.set_gid("reference")
            line.set_label(f"{reference_label} : {fmt(reference)}")
            handles.append(line)
        ax.set_yticks(ys, [wrap(label) for label in data[label_col]])
        ax.set_ylim(-0.6, n - 0.4)
        _percent_axis(ax, top, percent)
        if axis_label:
            ax.set_xlabel(axis_label)
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9)
        if data["suppressed"].any():
            ax.annotate(SECRET_NOTE, xy=(0, 0), xycoords="axes fraction", xytext=(0, -28),
                        textcoords="offset points", fontsize=8, color=AXIS, va="top")
        svg = to_svg(fig, cid, title, alt)
    return Chart(svg, alt, caption, data, title, cid)


def _legend_handles(styles: Mapping) -> list:
    from matplotlib.patches import Patch

    return [Patch(facecolor=s.colour, hatch=s.hatch or None, edgecolor=INK, linewidth=0.6,
                  label=s.label) for s in styles.values() if s.label]


def _bar_alt_text(title, data, label_col, estimate_col, low_col, high_col, fmt, reference,
                  reference_label, styles, order) -> str:
    shown = data[~data["suppressed"]]
    parts = [f"Diagramme en barres horizontales : {title}."]
    if shown.empty:
        parts.append("Aucune valeur publiable.")
    else:
        ordered = {"desc": ", de la plus élevée à la plus basse",
                   "asc": ", de la plus basse à la plus élevée"}.get(order, "")
        parts.append(f"{len(shown)} valeur{'s' if len(shown) > 1 else ''} "
                     f"avec leur intervalle de confiance à 95 %{ordered}.")
        high = shown.loc[shown[estimate_col].idxmax()]
        low = shown.loc[shown[estimate_col].idxmin()]

        def figure_of(row):
            interval = "" if not (math.isfinite(row[low_col]) and math.isfinite(row[high_col])) \
                else f", intervalle {fmt(row[low_col])} à {fmt(row[high_col])}"
            return f"{row[label_col]} ({fmt(row[estimate_col])}{interval})"

        parts.append(f"Valeur la plus élevée : {figure_of(high)}.")
        if len(shown) > 1:
            parts.append(f"Valeur la plus basse : {figure_of(low)}.")
    if reference is not None and math.isfinite(reference):
        parts.append(f"{reference_label} : {fmt(reference)}.")
    for category, style in styles.items():
        if style.label:
            labels = shown.loc[shown["category"].map(lambda c: c == category), label_col]
            parts.append(f"{style.label} : {join_fr(labels)}.")
    secret = data.loc[data["suppressed"], label_col]
    if len(secret):
        parts.append(f"Secret statistique (moins de 11 répondants) : {join_fr(secret)}.")
    return " ".join(parts)


def grouped_bar_chart(frame: pd.DataFrame, label_col: str, value_cols: Sequence[str],
                      title: str, caption: str, *,
                      series_labels: Sequence[str] | None = None, percent: bool = True,
                      digits: int = 0, axis_label: str | None = None,
                      chart_id: str | None = None) -> Chart:
    """Groups of horizontal bars, e.g. the sample's structure beside the census.

    Parameters
    ----------
    frame : DataFrame
        One row per group (age band, sex, district).
    label_col : str
    value_cols : sequence of str
        One column per series (``["echantillon", "recensement"]``); NaN is a
        suppressed cell, shown as "s".
    title, caption : str
    series_labels : sequence of str, optional
        Legend wording of each series (default: the column names).
    percent, digits, axis_label, chart_id
        As in :func:`bar_chart_with_ci`.

    Returns
    -------
    Chart
        ``data``: the label and value columns, in frame order.
    """
    value_cols = list(value_cols)
    labels = list(series_labels) if series_labels is not None else value_cols
    if len(labels) != len(value_cols):
        raise ValueError("one series label per value column")
    data = frame[[label_col, *value_cols]].copy().reset_index(drop=True)
    data[label_col] = data[label_col].astype(str)
    for col in value_cols:
        data[col] = pd.to_numeric(data[col], errors="coerce").astype(float)
    cid = chart_id or chart_id_for("groupes", title, data)
    fmt = _formatter(percent, digits)
    alt = _grouped_alt_text(title, data, label_col, value_cols, labels, fmt)
    m, n = len(value_cols), max(len(data), 1)
    values = data[value_cols].to_numpy(dtype=float)
    peak = np.nanmax(values) if np.isfinite(values).any() else 1.0
    top = max(peak * 1.18, 0.05 if percent else 1.0)
    height = 0.8 / m
    with figure(_WIDTH, 1.5 + 0.26 * n * m) as fig:
        ax = fig.add_subplot()
        centres = np.arange(n)[::-1].astype(float)
        for j, (col, label) in enumerate(zip(value_cols, labels)):
            style = SERIES_STYLES[j % len(SERIES_STYLES)]
            offset = (m - 1) / 2 * height - j * height
            for k, value in enumerate(data[col]):
                y = centres[k] + offset
                if not math.isfinite(value):
                    ax.text(top * 0.01, y, SECRET, va="center", ha="left", style="italic",
                            fontsize=8, gid=f"secret-{k}-{j}")
                    continue
                bar = ax.barh(y, value, height=height * 0.9, color=style.colour,
                              hatch=style.hatch or None, edgecolor=INK, linewidth=0.6)[0]
                bar.set_gid(f"bar-{k}-{j}")
                ax.text(value + top * 0.015, y, fmt(value), va="center", ha="left", fontsize=8)
        ax.set_yticks(centres, [wrap(label) for label in data[label_col]])
        ax.set_ylim(-0.6, n - 0.4)
        _percent_axis(ax, top, percent)
        if axis_label:
            ax.set_xlabel(axis_label)
        styles = {j: Style(SERIES_STYLES[j % len(SERIES_STYLES)].colour,
                           SERIES_STYLES[j % len(SERIES_STYLES)].hatch, label)
                  for j, label in enumerate(labels)}
        fig.legend(handles=_legend_handles(styles), loc="outside lower center", ncols=m,
                   fontsize=9)
        if not np.isfinite(values).all():
            ax.annotate(SECRET_NOTE, xy=(0, 0), xycoords="axes fraction", xytext=(0, -28),
                        textcoords="offset points", fontsize=8, color=AXIS, va="top")
        svg = to_svg(fig, cid, title, alt)
    return Chart(svg, alt, caption, data, title, cid)


def _grouped_alt_text(title, data, label_col, value_cols, labels, fmt) -> str:
    parts = [f"Diagramme en barres groupées : {title}. Séries comparées : "
             f"{join_fr(labels)}."]
    for _, row in data.iterrows():
        figures = " ; ".join(f"{label} {fmt(row[col]) if math.isfinite(row[col]) else 's'}"
                            for col, label in zip(value_cols, labels))
        parts.append(f"{row[label_col]} : {figures}.")
    if len(value_cols) >= 2:
        gaps = (data[value_cols[0]] - data[value_cols[1]]).abs()
        if gaps.notna().any():
            row = data.loc[gaps.idxmax()]
            parts.append(f"Écart le plus grand entre {labels[0]} et {labels[1]} : "
                         f"{row[label_col]} ({fmt(row[value_cols[0]])} contre "
                         f"{fmt(row[value_cols[1]])}).")
    if not np.isfinite(data[value_cols].to_numpy(dtype=float)).all():
        parts.append("s : secret statistique (moins de 11 répondants).")
    return " ".join(parts)
