"""Indicator tables: every indicator by profile, each district against the rest of the
town (Benjamini–Hochberg flags), the page's sorted views and the "indicators" job.

This module imports pandas and ``analysis``: import it inside the views that use it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs.i18n import _
from ..models import Campaign
from ..questionnaire.model import NSP_CODE
from . import indicators as indicator_service
from .table_common import NO_AXIS_LABEL, clean_value, current_run, group_labels, in_language, is_stale, iso_time, \
    protect_group_sizes, publication_rule, weighted_sample

#: Districts differing from the rest of the town at this false discovery rate are flagged.
FDR_LEVEL = 0.05
HIGHER, LOWER = "higher", "lower"
#: Breakdown variables in the order the pages show them.
VARIABLE_ORDER = ("town", "district", "qpv", "age_band", "sex")
#: Axis key of the indicators of a question without a CLS axis.
NO_AXIS = "aucun"


def district_comparisons(table: pd.DataFrame, design, specs, published: pd.DataFrame) -> pd.DataFrame:
    """Each district against the rest of the town for every indicator, BH-adjusted.

    A district whose cell is not published is neither compared nor counted in the family
    of comparisons (it says nothing, not even a direction).
    """
    from analysis.crosstab import benjamini_hochberg, compare_domains_many

    if "district" not in table.columns or not specs:
        return pd.DataFrame(columns=["indicator", "group", "difference", "p_value", "q_value", "flag"])
    shown = published[(published["variable"] == "district") & ~published["suppressed"].astype(bool)]
    shown_keys = set(zip(shown["indicator"], shown["group"].astype(str)))
    result = compare_domains_many(table, design, [(name, column, list(need)) for name, column, need in specs],
                                  domain="district")
    comparisons = pd.DataFrame({
        "indicator": result["indicator"].to_numpy(),
        "group": result["district"].astype(str).to_numpy(),
        "difference": result["difference"].to_numpy(dtype=float),
        "p_value": result["p_value"].to_numpy(dtype=float),
    })
    keep = [(i, g) in shown_keys and g != NSP_CODE for i, g in zip(comparisons["indicator"], comparisons["group"])]
    comparisons = comparisons[keep].reset_index(drop=True)
    comparisons["q_value"] = benjamini_hochberg(comparisons["p_value"].to_numpy(dtype=float))
    significant = comparisons["q_value"].to_numpy() < FDR_LEVEL
    direction = np.where(comparisons["difference"].to_numpy() > 0, HIGHER, LOWER)
    comparisons["flag"] = np.where(significant, direction, None)
    return comparisons


#: The questionnaire whose responses are weighted to the census margins (the residents');
#: the others (the professionals') describe no census population: their shares are unweighted.
WEIGHTED_QUESTIONNAIRE = "resident"
#: The questionnaires with indicator pages, in the order the pages list them, and their names.
QUESTIONNAIRES = {"resident": _l("Habitants"), "professional": _l("Professionnels")}


def is_weighted(key: str) -> bool:
    """True when the indicators of questionnaire ``key`` are weighted to the census margins."""
    return key == WEIGHTED_QUESTIONNAIRE


def unweighted_sample(session: Session, campaign: Campaign, key: str):
    """The responses to ``key`` with a weight of 1 each (a design of equal weights, no calibration)."""
    from analysis.weighting import Design

    from . import frame
    from .weights import WeightedSample

    table, definition = frame.tidy_responses(session, campaign, key)
    if table.empty:
        raise ServiceError(_("Aucune réponse complète à ce questionnaire : pas d'indicateur à calculer."))
    return WeightedSample(table, definition, None, table.iloc[0:0], Design.from_frame(table), {"questionnaire": key})


def compute_indicators(session: Session, campaign: Campaign, key: str = "resident", *, progress=None) -> dict:
    """Every indicator for the town, each district, QPV, age band and sex, published.

    Returns a JSON-serialisable dict (what the "indicators" job keeps): the rows of every
    table after the publication rules, the district-vs-rest flags after
    Benjamini–Hochberg, and the weighting run the figures come from. The residents'
    indicators are weighted by the current weighting run; those of another questionnaire
    (the professionals') are unweighted shares (``weighted`` False, no run): the census
    margins describe the residents, not them.
    """
    step = progress or (lambda fraction, message: None)
    weighted = is_weighted(key)
    if weighted:
        step(0.05, _("Pondération des réponses"))
        sample, run = weighted_sample(session, campaign, key)
    else:
        step(0.05, _("Lecture des réponses"))
        sample, run = unweighted_sample(session, campaign, key), None
    step(0.35, _("Calcul des indicateurs"))
    tables, sample = indicator_service.campaign_indicator_tables(session, campaign, key, sample=sample)
    specs = indicator_service.indicator_columns(sample.table, sample.definition)
    step(0.7, _("Comparaison de chaque quartier au reste de la ville"))
    comparisons = district_comparisons(sample.table, sample.design, specs, tables)
    step(0.9, _("Mise en forme des tableaux"))
    definition = sample.definition
    labels = group_labels(campaign, definition)
    flags = {(r.indicator, r.group): r for r in comparisons.itertuples()}
    rows = []
    for record in tables.to_dict("records"):
        variable, group = str(record["variable"]), str(record["group"])
        row = {name: clean_value(record.get(name)) for name in
               ("indicator", "estimate", "se", "ci_low", "ci_high", "n", "n_cell", "suppressed", "fragile")}
        row.update(variable=variable, group=group, group_label=labels.get((variable, group), group))
        if row["suppressed"]:
            row.update(estimate=None, se=None, ci_low=None, ci_high=None, n_cell=None)
        compared = flags.get((row["indicator"], group)) if variable == "district" else None
        row["difference"] = clean_value(compared.difference) if compared is not None else None
        row["q_value"] = clean_value(compared.q_value) if compared is not None else None
        row["flag"] = clean_value(compared.flag) if compared is not None else None
        rows.append(row)
    sets: dict[tuple, dict] = {}
    for row in rows:
        if row["variable"] != "town":
            sets.setdefault((row["indicator"], row["variable"]), {})[row["group"]] = row
    for members in sets.values():
        for group in protect_group_sizes({g: r["n"] for g, r in members.items()}):
            members[group]["n"] = None
    order = {v: i for i, v in enumerate(VARIABLE_ORDER)}
    rows.sort(key=lambda r: order.get(r["variable"], len(order)))  # stable: groups keep their order
    indicators = [
        {"name": i.name, "label": i.label("fr"), "axis": i.axis or NO_AXIS,
         "axis_label": definition.axis_label(i.axis) if i.axis else in_language(NO_AXIS_LABEL), "question": i.question_id}
        for i in definition.indicators()
    ]
    step(1.0, _("Terminé"))
    return {
        "questionnaire": key,
        "weighted": weighted,
        "computed_at": iso_time(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)),
        "weighting": {"run_id": run.id, "created_at": iso_time(run.created_at)} if run is not None else None,
        "respondents": int(len(sample.table)),
        "rule": publication_rule(),
        "fdr_level": FDR_LEVEL,
        "axes": {i["axis"]: i["axis_label"] for i in indicators},
        "indicators": indicators,
        "rows": rows,
    }


def in_page_language(session: Session, campaign: Campaign, result: dict | None, lang: str) -> dict | None:
    """``result`` with its labels in ``lang`` for a page: the indicators, CLS axes and groups
    as the questionnaire now names them in that language (French where it has no other).

    The figures are untouched; what the job stored stays in French for the downloads and
    the report. A label the questionnaire no longer has keeps its stored text.
    """
    from ..campaigns import questionnaires as questionnaire_service

    if not result:
        return result
    version = questionnaire_service.current_version(session, campaign, result.get("questionnaire") or "resident")
    if version is None:
        return result
    definition = questionnaire_service.definition_of(version)
    names = {i.name: i.label(lang) for i in definition.indicators()}
    groups = group_labels(campaign, definition, lang)

    def axis_label(meta):
        if meta["axis"] == NO_AXIS:
            return in_language(NO_AXIS_LABEL, lang)
        return definition.axis_label(meta["axis"], lang) if meta["axis"] in definition.axes else meta["axis_label"]

    indicators = [dict(meta, label=names.get(meta["name"], meta["label"]), axis_label=axis_label(meta))
                  for meta in result.get("indicators", [])]
    rows = [dict(row, group_label=groups.get((row["variable"], row["group"]), row["group_label"]))
            for row in result.get("rows", [])]
    return dict(result, indicators=indicators, rows=rows, axes={i["axis"]: i["axis_label"] for i in indicators})


@dataclass
class IndicatorView:
    """One indicator as a page shows it: its rows by variable, its town row and flags."""

    name: str
    label: str
    axis: str
    axis_label: str
    rows: list[dict]
    town: dict | None
    flagged: list[dict] = field(default_factory=list)


SORTS = ("questionnaire", "libelle", "ville", "ecart", "signalements")


def indicator_views(result: dict, *, axis: str | None = None, sort: str = "questionnaire",
                    descending: bool = False) -> list[IndicatorView]:
    """The indicators of ``result`` to show, filtered by CLS axis and sorted.

    Sorts: questionnaire order, label, town share, gap between the highest and lowest
    published district, number of flagged districts.
    """
    by_name: dict[str, list[dict]] = {}
    for row in result.get("rows", []):
        by_name.setdefault(row["indicator"], []).append(row)
    views = []
    for position, meta in enumerate(result.get("indicators", [])):
        if axis and meta["axis"] != axis:
            continue
        rows = by_name.get(meta["name"], [])
        town = next((r for r in rows if r["variable"] == "town"), None)
        view = IndicatorView(meta["name"], meta["label"], meta["axis"], meta["axis_label"], rows, town,
                             [r for r in rows if r.get("flag")])
        view.position = position
        views.append(view)

    def spread(view):
        values = [r["estimate"] for r in view.rows if r["variable"] == "district" and r["estimate"] is not None]
        return max(values) - min(values) if len(values) >= 2 else -1.0

    keys = {
        "questionnaire": lambda v: v.position,
        "libelle": lambda v: v.label.casefold(),
        "ville": lambda v: v.town["estimate"] if v.town and v.town["estimate"] is not None else -1.0,
        "ecart": spread,
        "signalements": lambda v: len(v.flagged),
    }
    views.sort(key=keys.get(sort, keys["questionnaire"]), reverse=descending)
    return views


# --------------------------------------------------------------------------- the "indicators" job

JOB_KIND = "indicators"
#: One job kind per questionnaire: each runs on its own (one at a time per campaign and kind).
JOB_KINDS = {"resident": JOB_KIND, "professional": "indicators_professional"}


def job_kind_of(key: str) -> str:
    """The job kind computing the indicator tables of questionnaire ``key``."""
    try:
        return JOB_KINDS[key]
    except KeyError:
        raise ServiceError(_("Pas de tableaux d'indicateurs pour le questionnaire « %(key)s ».", key=key)) from None


def indicators_job(session: Session, job, campaign_id: int, **params) -> dict:
    """Task of the "indicators" jobs: compute every indicator table of the campaign."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))
    return compute_indicators(session, campaign, params.get("questionnaire") or "resident", progress=job.progress)


def _register_job() -> None:
    from flask_babel import lazy_gettext as _l

    from ..jobs import job_kind

    job_kind(JOB_KIND, label=_l("Tableaux d'indicateurs"), page="findings.indicators")(indicators_job)
    job_kind(JOB_KINDS["professional"], label=_l("Tableaux d'indicateurs des professionnels"),
             page="findings.indicators")(indicators_job)


_register_job()


@dataclass
class IndicatorState:
    """What the indicators page shows: the last tables, when they were computed, whether
    the weights changed since, and the job computing new ones (if any)."""

    result: dict | None
    finished_at: dt.datetime | None = None
    stale: bool = False
    #: The last job (running, failed or done), for its status box.
    job: object = None


def indicator_state(session: Session, campaign: Campaign, key: str = "resident") -> IndicatorState:
    """Return the last indicator tables of questionnaire ``key`` and how current they are.

    Unweighted tables (the professionals') do not depend on the weights: never stale by them.
    """
    from ..jobs import latest_job

    kind = job_kind_of(key)
    done = latest_job(session, campaign, kind, done=True)
    last = latest_job(session, campaign, kind)
    result = done.result if done is not None else None
    stale = bool(result) and result.get("weighted", True) and is_stale(result, current_run(session, campaign))
    return IndicatorState(result, done.finished_at if done is not None else None, stale, last)


def indicator_questionnaires(session: Session, campaign: Campaign) -> dict[str, str]:
    """``{key: name}`` of the campaign's loaded questionnaires that have indicator pages."""
    from ..campaigns import questionnaires as questionnaire_service

    loaded = {v.key for v in questionnaire_service.current_versions(session, campaign)}
    return {key: name for key, name in QUESTIONNAIRES.items() if key in loaded}


def start_indicators(session: Session, campaign: Campaign, actor, key: str = "resident"):
    """Start the indicator tables of questionnaire ``key`` as a job (or return the one running)."""
    from ..jobs import start_job

    kind = job_kind_of(key)
    if key not in indicator_questionnaires(session, campaign):
        raise ServiceError(_("Le questionnaire « %(key)s » n'est pas chargé dans cette campagne.", key=key))
    if is_weighted(key) and current_run(session, campaign) is None:
        raise ServiceError(
            _("Les réponses n'ont pas encore été pondérées : calculez d'abord les poids sur les marges du "
              "recensement.")
        )
    return start_job(session, campaign, kind, actor=actor, params={"questionnaire": key})
