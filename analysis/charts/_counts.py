"""Counts: the distribution of the weights (histogram) and the responses per day.

Private module of :mod:`analysis.charts`.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._format import date_fr, integer_fr, join_fr, number_fr, short_date_fr
from ._render import INK, PALETTE, Chart, chart_id_for, figure, to_svg

__all__ = ["distribution_chart", "daily_counts_chart"]


def distribution_chart(values: Iterable[float], title: str, caption: str, *,
                       bins: int | Iterable[float] = 20, axis_label: str = "Poids",
                       reference: float | None = None,
                       reference_label: str = "Poids moyen", digits: int = 2,
                       chart_id: str | None = None) -> Chart:
    """Histogram of a distribution, e.g. the weights after calibration.

    Parameters
    ----------
    values : iterable of float
        Missing values are left out (and counted in the text alternative).
    title, caption : str
    bins : int or sequence of float
        Number of equal-width bins, or their edges (:func:`numpy.histogram`).
    axis_label : str
    reference : float, optional
        A value drawn as a dashed line (the mean weight, 1 for normalised weights).
    reference_label : str
    digits : int
        Decimals in the text.
    chart_id : str, optional

    Returns
    -------
    Chart
        ``data``: ``bin_low, bin_high, count``.
    """
    raw = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").astype(float)
    finite = raw[np.isfinite(raw)].to_numpy()
    missing = len(raw) - len(finite)
    if len(finite):
        counts, edges = np.histogram(finite, bins=bins)
    else:
        counts, edges = np.zeros(0, dtype=int), np.zeros(1)
    data = pd.DataFrame({"bin_low": edges[:-1], "bin_high": edges[1:], "count": counts})
    cid = chart_id or chart_id_for("distribution", title, data)
    fmt = lambda v: number_fr(v, digits)  # noqa: E731
    parts = [f"Histogramme : {title}."]
    if len(finite):
        q1, median, q3 = np.quantile(finite, [0.25, 0.5, 0.75])
        parts.append(f"{integer_fr(len(finite))} valeurs, de {fmt(finite.min())} à "
                     f"{fmt(finite.max())} ; médiane {fmt(median)} ; la moitié des "
                     f"valeurs entre {fmt(q1)} et {fmt(q3)}.")
        if finite.min() > 0:
            parts.append(f"Rapport de la plus grande à la plus petite : "
                         f"{number_fr(finite.max() / finite.min(), 1)}.")
        peak = int(np.argmax(counts))
        parts.append(f"Classe la plus fréquente : de {fmt(edges[peak])} à "
                     f"{fmt(edges[peak + 1])} ({integer_fr(counts[peak])} valeurs).")
    else:
        parts.append("Aucune valeur.")
    if missing:
        parts.append(f"{integer_fr(missing)} valeur{'s' if missing > 1 else ''} manquante"
                     f"{'s' if missing > 1 else ''} non représentée{'s' if missing > 1 else ''}.")
    if reference is not None:
        parts.append(f"{reference_label} : {fmt(reference)}.")
    alt = " ".join(parts)
    with figure(6.5, 3.4) as fig:
        ax = fig.add_subplot()
        if len(counts):
            bars = ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge",
                          color=PALETTE["blue"], edgecolor=INK, linewidth=0.6)
            for k, bar in enumerate(bars):
                bar.set_gid(f"bar-{k}")
        if reference is not None and math.isfinite(reference):
            line = ax.axvline(reference, color=INK, linestyle=(0, (4, 2)), linewidth=1.2,
                              label=f"{reference_label} : {fmt(reference)}")
            line.set_gid("reference")
            fig.legend(handles=[line], loc="outside lower center", fontsize=9)
        ax.set_xlabel(axis_label)
        ax.set_ylabel("Nombre de répondants")
        _french_ticks(ax)
        svg = to_svg(fig, cid, title, alt)
    return Chart(svg, alt, caption, data, title, cid)


def _french_ticks(ax, x: bool = True) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: integer_fr(v)))
    if x:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number_fr(v, 2)))


def _as_day(value) -> dt.date:
    return pd.Timestamp(value).date()


def daily_counts_chart(dates: Iterable, title: str, caption: str, *,
                       counts: Iterable[int] | None = None,
                       axis_label: str = "Réponses par jour",
                       chart_id: str | None = None) -> Chart:
    """Bars of the number of responses per day, every day from the first to the last.

    Parameters
    ----------
    dates : iterable of date-likes
        One per response (submission times: only the day counts), or one per day
        when `counts` is given.
    title, caption : str
    counts : iterable of int, optional
        The count of each date of `dates` (already aggregated).
    axis_label : str
    chart_id : str, optional

    Returns
    -------
    Chart
        ``data``: ``date, count, cumulative``, days without responses included.
    """
    days = [_as_day(d) for d in dates if d is not None and not pd.isna(d)]
    weights = [1] * len(days) if counts is None else [int(c) for c in counts]
    if len(weights) != len(days):
        raise ValueError("one count per date")
    per_day = pd.Series(weights, index=days, dtype="int64").groupby(level=0).sum()
    if len(per_day):
        span = pd.date_range(min(per_day.index), max(per_day.index), freq="D").date
        per_day = per_day.reindex(span, fill_value=0)
    data = pd.DataFrame({"date": list(per_day.index), "count": per_day.to_numpy(dtype="int64")})
    data["cumulative"] = data["count"].cumsum()
    cid = chart_id or chart_id_for("jours", title, data)
    alt = _daily_alt_text(title, data)
    n = len(data)
    with figure(6.5, 3.2) as fig:
        ax = fig.add_subplot()
        if n:
            bars = ax.bar(np.arange(n), data["count"], width=0.8, color=PALETTE["blue"],
                          edgecolor=INK, linewidth=0.4)
            for k, bar in enumerate(bars):
                bar.set_gid(f"bar-{k}")
            step = max(1, math.ceil(n / 10))
            ticks = list(range(0, n, step))
            ax.set_xticks(ticks, [short_date_fr(data["date"].iloc[i]) for i in ticks])
            ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylabel(axis_label)
        _french_ticks(ax, x=False)
        svg = to_svg(fig, cid, title, alt)
    return Chart(svg, alt, caption, data, title, cid)


def _daily_alt_text(title: str, data: pd.DataFrame) -> str:
    parts = [f"Diagramme en barres : {title}."]
    if data.empty:
        return " ".join(parts + ["Aucune réponse."])
    total, n = int(data["count"].sum()), len(data)
    parts.append(f"{integer_fr(total)} réponse{'s' if total > 1 else ''} du "
                 f"{date_fr(data['date'].iloc[0])} au {date_fr(data['date'].iloc[-1])} "
                 f"({n} jour{'s' if n > 1 else ''}), soit {number_fr(total / n, 1)} par jour "
                 f"en moyenne.")
    most = data["count"].max()
    best = data.loc[data["count"] == most, "date"]
    parts.append(f"Le plus de réponses : {integer_fr(most)}, le "
                 f"{join_fr(date_fr(d) for d in best.iloc[:3])}"
                 f"{' (et d’autres jours)' if len(best) > 3 else ''}.")
    least = data["count"].min()
    quiet = data.loc[data["count"] == least, "date"]
    when = f"le {date_fr(quiet.iloc[0])}" if len(quiet) == 1 else \
        f"{len(quiet)} jours, dont le {date_fr(quiet.iloc[0])}"
    parts.append(f"Le moins : {integer_fr(least)}, {when}.")
    return " ".join(parts)
