"""Evidence read from the results of the rest of :mod:`analysis`.

Private module of :mod:`analysis.priorities`: turns the tables of
:func:`analysis.crosstab.indicator_tables`, :func:`analysis.crosstab.compare_domains`,
the theme shares of the codebook coding and the answers to a ranking question into the
evidence types of :mod:`analysis.priorities._evidence`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.crosstab import (
    TOWN, Indicator, apply_publication_rules, benjamini_hochberg, compare_domains,
)
from analysis.estimation import survey_proportion

from ._evidence import (
    DistrictGap, Figure, GroupFigure, IndicatorEvidence, RankingEvidence, ThemeEvidence,
)

__all__ = ["compare_indicators", "stack_comparisons", "indicator_evidence",
           "theme_evidence", "ranking_shares", "ranking_evidence", "gap_direction"]

#: Domain value of whole-population rows of theme-share tables.
ALL_RESPONDENTS = "ensemble"
_COMPARISON_COLUMNS = ["indicator", "variable", "group", "estimate", "estimate_rest",
                       "difference", "se", "ci_low", "ci_high", "p_value", "p_adjusted",
                       "n", "n_rest"]


def _indicator(spec) -> Indicator:
    if isinstance(spec, Indicator):
        return spec
    if isinstance(spec, Mapping):
        return Indicator(spec["name"], spec["column"], tuple(spec["need"]),
                         tuple(spec.get("exclude", ())))
    name, column, need, *rest = spec
    need = (need,) if isinstance(need, (str, int, float)) else tuple(need)
    return Indicator(name, column, need, tuple(rest[0]) if rest else ())


def stack_comparisons(results: Mapping[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """Stack :func:`compare_domains` results and adjust their p-values together.

    Parameters
    ----------
    results : mapping
        ``(indicator name, domain variable) -> compare_domains(...)`` frame.

    Returns
    -------
    DataFrame
        ``indicator, variable, group, estimate, estimate_rest, difference, se, ci_low,
        ci_high, p_value, p_adjusted, n, n_rest``; ``p_adjusted`` is the
        Benjamini-Hochberg adjustment over every row: the family is all districts
        and all indicators, as the false discovery rate requires.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *JRSS B* 57,
    289-300.
    """
    frames = []
    for (name, variable), frame in results.items():
        part = frame.rename(columns={variable: "group"}).copy()
        part["group"] = part["group"].astype(str)
        part.insert(0, "variable", variable)
        part.insert(0, "indicator", name)
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=_COMPARISON_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["p_adjusted"] = benjamini_hochberg(table["p_value"].to_numpy(dtype=float))
    return table[[c for c in _COMPARISON_COLUMNS if c in table]]


def compare_indicators(df, design, indicators, domains: Iterable[str] = ("district",),
                       *, level: float = 0.95) -> pd.DataFrame:
    """Compare every group of every domain with the rest of the town, for every indicator.

    Runs :func:`analysis.crosstab.compare_domains` for each indicator and domain
    variable and stacks the results with :func:`stack_comparisons` (one
    Benjamini-Hochberg family).

    Parameters
    ----------
    df : DataFrame
    design : Design
    indicators : iterable
        :class:`analysis.crosstab.Indicator` objects or ``(name, column, need[,
        exclude])`` tuples, as for :func:`analysis.crosstab.indicator_tables`.
    domains : iterable of str
        Domain columns, e.g. ``("district", "qpv")``.
    level : float

    Returns
    -------
    DataFrame
        See :func:`stack_comparisons`.
    """
    results = {}
    for spec in map(_indicator, indicators):
        for variable in domains:
            results[(spec.name, variable)] = compare_domains(
                df, design, spec.column, spec.need, variable, exclude=spec.exclude,
                level=level)
    return stack_comparisons(results)


def gap_direction(difference: float, p_adjusted: float, *, alpha: float = 0.05,
                  higher_is_worse: bool = True) -> str:
    """Return ``"worse"``, ``"better"`` or ``"similar"`` for a district-vs-rest gap."""
    if not np.isfinite(p_adjusted) or not np.isfinite(difference) or p_adjusted >= alpha \
            or difference == 0:
        return "similar"
    return "worse" if (difference > 0) == higher_is_worse else "better"


def indicator_evidence(tables: pd.DataFrame, comparisons: pd.DataFrame | None = None, *,
                       axes: Mapping[str, str | None] | None = None,
                       labels: Mapping[str, str] | None = None,
                       higher_is_better: Iterable[str] = (),
                       alpha: float = 0.05) -> tuple[IndicatorEvidence, ...]:
    """Read indicator tables and district comparisons into :class:`IndicatorEvidence`.

    Parameters
    ----------
    tables : DataFrame
        :func:`analysis.crosstab.indicator_tables` output (a ``label`` column, as the
        service adds, is used for labels).
    comparisons : DataFrame, optional
        :func:`compare_indicators` or :func:`stack_comparisons` output. Without
        ``p_adjusted``, the p-values are adjusted here, all rows as one family.
    axes : mapping, optional
        ``indicator -> axis`` (the axis of the indicator's question).
    labels : mapping, optional
        ``indicator -> French label``; default the ``label`` column, else the name.
    higher_is_better : iterable of str
        Indicators where a higher share is favourable (rare: most are needs).
    alpha : float
        False discovery rate under which a gap is significant.

    Returns
    -------
    tuple of IndicatorEvidence
        In the order of the indicators in `tables`.
    """
    axes, labels, favourable = dict(axes or {}), dict(labels or {}), set(higher_is_better)
    if comparisons is not None and len(comparisons) and "p_adjusted" not in comparisons:
        comparisons = comparisons.assign(p_adjusted=benjamini_hochberg(
            comparisons["p_value"].to_numpy(dtype=float)))
    out = []
    for name, rows in tables.groupby("indicator", sort=False):
        label = labels.get(name) or (rows["label"].iloc[0] if "label" in rows else None) or name
        town_rows = rows[rows["variable"] == TOWN]
        town = Figure.from_row(town_rows.iloc[0]) if len(town_rows) else Figure(np.nan)
        groups = tuple(GroupFigure(str(r["variable"]), str(r["group"]), Figure.from_row(r))
                       for _, r in rows[rows["variable"] != TOWN].iterrows())
        worse_if_higher = name not in favourable
        gaps = ()
        if comparisons is not None and len(comparisons):
            mine = comparisons[comparisons["indicator"] == name]
            gaps = tuple(_gap(name, r, alpha, worse_if_higher) for _, r in mine.iterrows())
        out.append(IndicatorEvidence(str(name), str(label), axes.get(name), town, groups,
                                     gaps, worse_if_higher))
    return tuple(out)


def _gap(name, row, alpha, higher_is_worse) -> DistrictGap:
    direction = gap_direction(float(row["difference"]), float(row["p_adjusted"]),
                              alpha=alpha, higher_is_worse=higher_is_worse)
    return DistrictGap(str(name), str(row["variable"]), str(row["group"]), row["estimate"],
                       row["estimate_rest"], row["difference"], row["ci_low"],
                       row["ci_high"], row["p_value"], row["p_adjusted"], row["n"],
                       row["n_rest"], direction)


def theme_evidence(shares: pd.DataFrame, *, axes=None,
                   by_district: pd.DataFrame | None = None,
                   verbatims: Mapping[str, Iterable[str]] | None = None
                   ) -> tuple[ThemeEvidence, ...]:
    """Read theme shares (codebook coding) into :class:`ThemeEvidence`.

    Parameters
    ----------
    shares : DataFrame
        Whole-town shares, :func:`analysis.coding.theme_shares` without ``by``:
        ``theme, label, domain, n, estimate, ci_low, ci_high`` (``n_cell`` and
        ``suppressed`` used when present).
    axes : mapping or Codebook, optional
        ``theme -> axis``, or a codebook (its themes carry their axis).
    by_district : DataFrame, optional
        The same table by district (``theme_shares(..., by="district")``).
    verbatims : mapping, optional
        ``theme -> typical answers`` (unmasked: masked when candidates are built).

    Returns
    -------
    tuple of ThemeEvidence
    """
    if axes is not None and hasattr(axes, "themes"):
        axes = {t.key: t.axis for t in axes.themes}
    axes, verbatims = dict(axes or {}), dict(verbatims or {})
    out = []
    for key, rows in shares.groupby("theme", sort=False):
        whole = rows[rows["domain"].astype(str) == ALL_RESPONDENTS] \
            if "domain" in rows else rows
        row = (whole if len(whole) else rows).iloc[0]
        groups = ()
        if by_district is not None:
            mine = by_district[by_district["theme"] == key]
            groups = tuple(GroupFigure("district", str(r["domain"]), Figure.from_row(r))
                           for _, r in mine.iterrows())
        texts = tuple(str(v) for v in verbatims.get(key, ()) if v is not None)
        out.append(ThemeEvidence(str(key), str(row.get("label", key)), axes.get(key),
                                 Figure.from_row(row), groups, texts))
    return tuple(out)


def ranking_shares(df, design, question: str, options: Iterable[str] | None = None, *,
                   top: int = 3, method: str = "logit", level: float = 0.95
                   ) -> pd.DataFrame:
    """Weighted shares of respondents who rank each option first, and in their top ``top``.

    Parameters
    ----------
    df : DataFrame
        Tidy responses, the ranking held in ``<question>__rang1``, ``__rang2``...
        (option codes, as the export service writes them).
    design : Design
    question : str
    options : iterable of str, optional
        Option codes, in questionnaire order (default: the codes found, sorted).
    top : int
    method, level
        Interval, see :func:`analysis.estimation.survey_proportion`.

    Returns
    -------
    DataFrame
        ``option, place`` (``"first"`` or ``"top"``), ``estimate, se, ci_low, ci_high,
        n, n_cell, suppressed, fragile``, publication rules applied. The base is the
        respondents who ranked at least one option.
    """
    columns = [f"{question}__rang{i}" for i in range(1, top + 1) if f"{question}__rang{i}" in df]
    if not columns:
        raise KeyError(f"no column {question}__rang1 in the responses")
    ranks = df[columns].astype(object).where(df[columns].notna(), None)
    answered = ranks.notna().any(axis=1).to_numpy()
    found = sorted({str(v) for v in ranks.to_numpy().ravel() if v is not None})
    options = list(options) if options is not None else found
    work = pd.DataFrame(index=df.index)
    rows = []
    for option in options:
        hits = ranks.astype(str).eq(str(option)).to_numpy()
        for place, flag in (("first", hits[:, 0]), ("top", hits.any(axis=1))):
            work["_y"] = np.where(answered, flag.astype(float), np.nan)
            est = survey_proportion(work, design, "_y", method=method, level=level)
            rows.append({"option": str(option), "place": place,
                         **est.iloc[0][["estimate", "se", "ci_low", "ci_high", "n",
                                        "n_need"]].to_dict()})
    table = pd.DataFrame(rows, columns=["option", "place", "estimate", "se", "ci_low",
                                        "ci_high", "n", "n_need"])
    table = table.rename(columns={"n_need": "n_cell"})
    return apply_publication_rules(table)


def ranking_evidence(shares: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                     axes: Mapping[str, str | None] | None = None, top: int = 3
                     ) -> tuple[RankingEvidence, ...]:
    """Read :func:`ranking_shares` output into :class:`RankingEvidence` (one per option)."""
    labels, axes = dict(labels or {}), dict(axes or {})
    out = []
    for option, rows in shares.groupby("option", sort=False):
        by_place = {r["place"]: Figure.from_row(r) for _, r in rows.iterrows()}
        empty = Figure(np.nan)
        out.append(RankingEvidence(str(option), labels.get(option, str(option)),
                                   axes.get(option), by_place.get("first", empty),
                                   by_place.get("top", empty), top))
    return tuple(out)
