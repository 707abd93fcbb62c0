"""The coordinator's result tables: indicators by profile, districts against the rest,
cross-tables, and themes next to the indicators by district.

Page-level services: they take a session, a campaign and plain values, and return plain
values ready to render or download. Every figure leaving here has already been through
the publication rules of :mod:`analysis.crosstab` (a blanked cell is ``None``: no count,
no share, no interval), so pages and downloads cannot show more than the rules allow.

The services live in :mod:`.indicator_tables` (indicators, district flags, the
"indicators" job), :mod:`.crosstabs` (cross-tables) and :mod:`.table_common` (what they
share); their names stay importable from here. Themes by district are here.

This module imports pandas and ``analysis``: import it inside the views that use it.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Campaign
from .crosstabs import (  # noqa: F401
    CLOSED_TYPES, COLUMN_SHARES, FREE_TEXT_TYPES, QPV_VARIABLE, ROW_SHARES, Variable, check_cross_table,
    closed_variables, cross_table,
)
from .indicator_tables import (  # noqa: F401
    FDR_LEVEL, HIGHER, JOB_KIND, LOWER, NO_AXIS, SORTS, VARIABLE_ORDER, IndicatorState, IndicatorView,
    compute_indicators, district_comparisons, indicator_state, indicator_views, indicators_job, start_indicators,
)
from .table_common import (  # noqa: F401
    VARIABLE_LABELS, clean_value, current_run, group_labels, is_stale, protect_group_sizes, publication_rule,
    variable_labels, weighted_sample,
)


# --------------------------------------------------------------------------- themes by district


def themes_by_district(session: Session, campaign: Campaign, result: dict | None) -> dict:
    """The theme shares of the coded free text and the indicators, district by district.

    Theme shares come from the coding (:func:`survey_app.coding.results.theme_shares`);
    the indicators from the last indicator tables. Either may be missing: the page says why.
    """
    from ..coding import results as coding_results

    districts = [(d.code, d.name) for d in campaign.districts]
    themes, weighting, themes_error = [], "", None
    try:
        shares = coding_results.theme_shares(session, campaign)
    except ServiceError as error:
        themes_error = str(error)
    else:
        weighting = shares.weighting
        by_key = {}
        for record in shares.by_district.to_dict("records"):
            by_key[(record["theme"], str(record["domain"]))] = _share_cell(record)
        for record in shares.overall.to_dict("records"):
            themes.append({"key": record["theme"], "label": record.get("label") or record["theme"],
                           "town": _share_cell(record),
                           "districts": [by_key.get((record["theme"], code)) for code, _name in districts]})
    indicators = []
    if result:
        by_key = {(r["indicator"], r["group"]): r for r in result["rows"] if r["variable"] == "district"}
        towns = {r["indicator"]: r for r in result["rows"] if r["variable"] == "town"}
        for meta in result["indicators"]:
            indicators.append({"name": meta["name"], "label": meta["label"], "axis_label": meta["axis_label"],
                               "town": towns.get(meta["name"]),
                               "districts": [by_key.get((meta["name"], code)) for code, _name in districts]})
    return {"districts": districts, "themes": themes, "themes_error": themes_error, "weighting": weighting,
            "indicators": indicators, "rule": publication_rule()}


def _share_cell(record: dict) -> dict:
    cell = {name: clean_value(record.get(name)) for name in ("estimate", "ci_low", "ci_high", "n", "suppressed", "fragile")}
    if cell["suppressed"]:
        cell.update(estimate=None, ci_low=None, ci_high=None, n=None)
    return cell
