"""The coordinator's result tables: indicators by profile, districts against the rest,
cross-tables, and themes next to the indicators by district.

Page-level services: they take a session, a campaign and plain values, and return plain
values ready to render or download. Every figure leaving here has already been through
the publication rules of :mod:`analysis.crosstab` (a blanked cell is ``None``: no count,
no share, no interval), so pages and downloads cannot show more than the rules allow.

This module imports pandas and ``analysis``: import it inside the views that use it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs.i18n import _
from ..models import Campaign, WeightingRun
from ..questionnaire.model import NSP_CODE
from . import indicators as indicator_service

#: Districts differing from the rest of the town at this false discovery rate are flagged.
FDR_LEVEL = 0.05
HIGHER, LOWER = "higher", "lower"
#: Breakdown variables in the order the pages show them.
VARIABLE_ORDER = ("town", "district", "qpv", "age_band", "sex")
#: Question types a cross-table accepts (their answers are a few fixed categories).
CLOSED_TYPES = frozenset({"single", "yesno", "district", "scale"})
FREE_TEXT_TYPES = frozenset({"text", "longtext"})
QPV_VARIABLE = "qpv"
#: Axis key of the indicators of a question without a CLS axis.
NO_AXIS = "aucun"
ROW_SHARES, COLUMN_SHARES = "row", "column"


def publication_rule() -> str:
    """The publication rule in French, as the library states it (or as it stood)."""
    import importlib

    crosstab = importlib.import_module("analysis.crosstab")  # the package name is also a function
    rule = getattr(crosstab, "PUBLICATION_RULE_FR", None)
    if rule:
        return rule
    return (
        f"Une cellule n'est publiée que si elle repose sur au moins {crosstab.MIN_CELL} répondants ; "
        f"une estimation tirée de moins de {crosstab.FRAGILE_BELOW} répondants est signalée fragile."
    )


def _clean(value):
    """A JSON-safe scalar: NaN, NA and numpy types become None / int / float."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def protect_group_sizes(groups: dict) -> set:
    """Groups whose size must be blanked: those under the threshold, and enough others.

    ``groups`` maps each group of a set that adds up to a published total (the districts
    of the town) to its size, ``None`` when the library already blanked it (fewer than
    11). One blanked size alone in its set would be the total minus the others: the
    smallest published one is blanked with it, as the library does for the cells.
    """
    hidden = {g for g, n in groups.items() if n is None}
    shown = sorted((n, str(g), g) for g, n in groups.items() if n is not None)
    if len(hidden) == 1 and shown:
        hidden.add(shown[0][2])
    return hidden


# --------------------------------------------------------------------------- weights


def current_run(session: Session, campaign: Campaign) -> WeightingRun | None:
    """The weighting run every table uses (the last one computed), or None."""
    try:
        from ..weighting.services import current_weighting
    except ImportError:  # the weighting feature is not installed: the run marked current
        return session.scalar(
            select(WeightingRun).where(WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True))
            .order_by(WeightingRun.id.desc()).limit(1)
        )
    current = current_weighting(session, campaign)
    return current.run if current is not None else None


def weighted_sample(session: Session, campaign: Campaign, key: str = "resident"):
    """The responses weighted as the current weighting run weighted them (same method and settings)."""
    from . import weights

    run = current_run(session, campaign)
    if run is None:
        raise ServiceError(
            _("Les réponses n'ont pas encore été pondérées : calculez d'abord les poids sur les marges du "
              "recensement.")
        )
    settings = (run.diagnostics or {}).get("settings") or {}
    method = settings.get("method") or run.method or "rake"
    options = {"method": method, "keep_unmatched": bool(settings.get("keep_unmatched"))}
    for name in ("min_respondents", "trim_upper"):
        if settings.get(name) is not None:
            options[name] = settings[name]
    if method == "poststratify" and settings.get("variables"):
        options["cells"] = settings["variables"][0]
    return weights.weight_sample(session, campaign, settings.get("questionnaire") or key, **options), run


def is_stale(result: dict, run: WeightingRun | None) -> bool:
    """True when the weights were recomputed (or removed) after ``result`` was computed."""
    stored = result.get("weighting") or {}
    if run is None:
        return bool(stored)
    if stored.get("run_id") != run.id:
        return True
    computed = result.get("computed_at")
    made = _iso(run.created_at)
    return bool(computed and made and made > computed)


# --------------------------------------------------------------------------- labels


def group_labels(campaign: Campaign, definition) -> dict[tuple[str, str], str]:
    """``(variable, code) -> French label`` of every breakdown group."""
    labels: dict[tuple[str, str], str] = {("town", "town"): "Ensemble de la ville"}
    for district in campaign.districts:
        labels[("district", district.code)] = district.name
    labels[("district", NSP_CODE)] = "Quartier non précisé"
    for role in ("age_band", "sex"):
        question = definition.question_for_role(role)
        if question is not None:
            for option in question.options:
                labels[(role, option.code)] = option.label("fr")
    return labels


VARIABLE_LABELS = {
    "town": "Ensemble",
    "district": "Quartier",
    "qpv": "Quartier prioritaire",
    "age_band": "Âge",
    "sex": "Sexe",
}


# --------------------------------------------------------------------------- indicators


def district_comparisons(table: pd.DataFrame, design, specs, published: pd.DataFrame) -> pd.DataFrame:
    """Each district against the rest of the town for every indicator, BH-adjusted.

    A district whose cell is not published is neither compared nor counted in the family
    of comparisons (it says nothing, not even a direction).
    """
    from analysis.crosstab import benjamini_hochberg, compare_domains

    if "district" not in table.columns:
        return pd.DataFrame(columns=["indicator", "group", "difference", "p_value", "q_value", "flag"])
    shown = published[(published["variable"] == "district") & ~published["suppressed"].astype(bool)]
    shown_keys = set(zip(shown["indicator"], shown["group"].astype(str)))
    frames = []
    for name, column, need in specs:
        result = compare_domains(table, design, column, need=list(need), domain="district")
        frames.append(pd.DataFrame({
            "indicator": name,
            "group": result["district"].astype(str).to_numpy(),
            "difference": result["difference"].to_numpy(dtype=float),
            "p_value": result["p_value"].to_numpy(dtype=float),
        }))
    if not frames:
        return pd.DataFrame(columns=["indicator", "group", "difference", "p_value", "q_value", "flag"])
    comparisons = pd.concat(frames, ignore_index=True)
    keep = [(i, g) in shown_keys and g != NSP_CODE for i, g in zip(comparisons["indicator"], comparisons["group"])]
    comparisons = comparisons[keep].reset_index(drop=True)
    comparisons["q_value"] = benjamini_hochberg(comparisons["p_value"].to_numpy(dtype=float))
    significant = comparisons["q_value"].to_numpy() < FDR_LEVEL
    direction = np.where(comparisons["difference"].to_numpy() > 0, HIGHER, LOWER)
    comparisons["flag"] = np.where(significant, direction, None)
    return comparisons


def compute_indicators(session: Session, campaign: Campaign, key: str = "resident", *, progress=None) -> dict:
    """Every indicator for the town, each district, QPV, age band and sex, published.

    Returns a JSON-serialisable dict (what the "indicators" job keeps): the rows of every
    table after the publication rules, the district-vs-rest flags after
    Benjamini–Hochberg, and the weighting run the figures come from.
    """
    step = progress or (lambda fraction, message: None)
    step(0.05, _("Pondération des réponses"))
    sample, run = weighted_sample(session, campaign, key)
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
        row = {name: _clean(record.get(name)) for name in
               ("indicator", "estimate", "se", "ci_low", "ci_high", "n", "n_cell", "suppressed", "fragile")}
        row.update(variable=variable, group=group, group_label=labels.get((variable, group), group))
        if row["suppressed"]:
            row.update(estimate=None, se=None, ci_low=None, ci_high=None, n_cell=None)
        compared = flags.get((row["indicator"], group)) if variable == "district" else None
        row["difference"] = _clean(compared.difference) if compared is not None else None
        row["q_value"] = _clean(compared.q_value) if compared is not None else None
        row["flag"] = _clean(compared.flag) if compared is not None else None
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
         "axis_label": definition.axis_label(i.axis) if i.axis else "Sans axe", "question": i.question_id}
        for i in definition.indicators()
    ]
    step(1.0, _("Terminé"))
    return {
        "questionnaire": key,
        "computed_at": _iso(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)),
        "weighting": {"run_id": run.id, "created_at": _iso(run.created_at)} if run is not None else None,
        "respondents": int(len(sample.table)),
        "rule": publication_rule(),
        "fdr_level": FDR_LEVEL,
        "axes": {i["axis"]: i["axis_label"] for i in indicators},
        "indicators": indicators,
        "rows": rows,
    }


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


# --------------------------------------------------------------------------- cross-tables


@dataclass
class Variable:
    id: str
    label: str
    #: The tidy column and how codes become labels.
    column: str
    categories: dict[str, str]


def closed_variables(campaign: Campaign, definition) -> dict[str, Variable]:
    """The variables a cross-table can use: closed questions, matrix rows, QPV."""
    found: dict[str, Variable] = {}
    for question in definition.questions.values():
        if question.type in CLOSED_TYPES:
            options = question.options_for([{"code": d.code, "name": d.name} for d in campaign.districts])
            categories = {o.code: o.label("fr") for o in options}
            if question.type == "scale" and not categories:
                low, high = int(question.min or 0), int(question.max or 10)
                categories = {str(v): str(v) for v in range(low, high + 1)}
            found[question.id] = Variable(question.id, question.label("fr"), question.id, categories)
            if question.type == "district":
                found[QPV_VARIABLE] = Variable(QPV_VARIABLE, "Quartier prioritaire (QPV) ou non", QPV_VARIABLE,
                                               {"QPV": "QPV", "hors QPV": "hors QPV"})
        elif question.type == "matrix":
            categories = {o.code: o.label("fr") for o in question.options}
            for row in question.rows:
                column = f"{question.id}__{row.id}"
                found[column] = Variable(column, f"{question.label('fr')} — {row.label('fr')}", column, categories)
    return found


def check_cross_table(campaign: Campaign, definition, row: str | None, column: str | None) -> tuple[Variable, Variable]:
    """Return the two variables, or refuse with a French message saying what to choose."""
    variables = closed_variables(campaign, definition)
    chosen = []
    for value, empty in ((row, _("Choisissez la question à mettre en lignes.")),
                         (column, _("Choisissez la question à mettre en colonnes."))):
        value = (value or "").strip()
        if not value:
            raise ServiceError(empty)
        if value in variables:
            chosen.append(variables[value])
            continue
        question = definition.questions.get(value)
        if question is None:
            raise ServiceError(_("« %(value)s » n'est pas une question de ce questionnaire.", value=value[:80]))
        label = question.label("fr")
        if question.type in FREE_TEXT_TYPES:
            raise ServiceError(
                _("« %(label)s » est une question à réponse libre : un tableau croisé ne croise que des questions "
                  "fermées (choix, oui/non, échelle, quartier). Les réponses libres se lisent dans le codage des "
                  "thèmes.", label=label)
            )
        if question.type == "multiple":
            raise ServiceError(
                _("« %(label)s » est une question à choix multiples : ses réponses ne forment pas une seule "
                  "catégorie par habitant. Choisissez une question à choix unique.", label=label)
            )
        raise ServiceError(
            _("« %(label)s » n'est pas une question fermée (nombre, date ou note) : choisissez une question à "
              "choix, oui/non, échelle ou quartier.", label=label)
        )
    if chosen[0].id == chosen[1].id:
        raise ServiceError(_("Choisissez deux questions différentes : une question croisée avec elle-même ne dit rien."))
    return chosen[0], chosen[1]


def _codes(series: pd.Series) -> pd.Series:
    """Answers as code strings (3.0 -> "3"), missing stays missing."""
    def code(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return series.map(code).astype(object)


def cross_table(session: Session, campaign: Campaign, row: str | None, column: str | None, *,
                key: str = "resident", shares: str = ROW_SHARES, statistic: str = "F") -> dict:
    """Weighted shares of one closed question within each answer of another, and the test.

    ``shares="row"``: each row (an answer to ``row``) adds up to 100 %; ``"column"``:
    each column does. ``statistic``: ``"F"`` Rao–Scott second-order (default), ``"Chisq"``
    first-order. Small cells are blanked by the publication rules.
    """
    from analysis.crosstab import crosstab

    from ..campaigns import questionnaires as questionnaire_service

    if shares not in (ROW_SHARES, COLUMN_SHARES):
        raise ServiceError(_("Choisissez des parts en ligne ou en colonne."))
    if statistic not in ("F", "Chisq"):
        raise ServiceError(_("Choisissez le test du second ordre (F) ou du premier ordre (khi-deux)."))
    version = questionnaire_service.current_version(session, campaign, key)
    if version is None:
        raise ServiceError(_("Le questionnaire « %(key)s » n'est pas chargé dans cette campagne.", key=key))
    definition = questionnaire_service.definition_of(version)
    row_var, col_var = check_cross_table(campaign, definition, row, column)
    sample, run = weighted_sample(session, campaign, key)
    table = sample.table
    indicator_service.add_profiles(table, sample.definition, campaign)
    frame = table.copy()
    for variable, alias in ((row_var, "__ligne"), (col_var, "__colonne")):
        if variable.column not in frame.columns:
            raise ServiceError(_("Personne n'a répondu à « %(label)s ».", label=variable.label))
        frame[alias] = _codes(frame[variable.column])
    # the shares are of ``question`` within each group of ``profile``
    question, profile = ("__colonne", "__ligne") if shares == ROW_SHARES else ("__ligne", "__colonne")
    answered = frame[question].notna() & frame[profile].notna()
    for alias, variable in ((question, col_var if question == "__colonne" else row_var),
                            (profile, row_var if profile == "__ligne" else col_var)):
        if frame.loc[answered, alias].nunique() < 2:
            raise ServiceError(
                _("« %(label)s » n'a qu'une seule réponse parmi les habitants qui ont répondu aux deux "
                  "questions : il n'y a rien à croiser.", label=variable.label)
            )
    try:
        result = crosstab(frame, sample.design, question, profile, statistic=statistic)
    except ValueError:
        raise ServiceError(_("Ces deux questions ne peuvent pas être croisées : trop peu de réponses communes.")) from None
    cells = {}
    for record in result.table.to_dict("records"):
        code_q, code_p = str(record["category"]), str(record[profile])
        r, c = (code_p, code_q) if shares == ROW_SHARES else (code_q, code_p)
        cell = {name: _clean(record.get(name)) for name in
                ("estimate", "se", "ci_low", "ci_high", "n", "n_cell", "suppressed", "fragile")}
        if cell["suppressed"]:
            cell.update(estimate=None, se=None, ci_low=None, ci_high=None, n_cell=None)
        cells[(r, c)] = cell

    def ordered(variable, alias):
        present = set(frame.loc[answered, alias])
        codes = [c for c in variable.categories if c in present]
        return codes + sorted(present - set(codes))

    row_codes, col_codes = ordered(row_var, "__ligne"), ordered(col_var, "__colonne")
    groups = {}
    for (r, c), cell in cells.items():
        groups.setdefault(r if shares == ROW_SHARES else c, []).append(cell)
    for group in protect_group_sizes({g: members[0]["n"] for g, members in groups.items()}):
        for cell in groups[group]:
            cell["n"] = None
    test = result.test
    return {
        "row": {"id": row_var.id, "label": row_var.label},
        "column": {"id": col_var.id, "label": col_var.label},
        "shares": shares,
        "statistic": statistic,
        "rows": [{"code": c, "label": row_var.categories.get(c, c)} for c in row_codes],
        "columns": [{"code": c, "label": col_var.categories.get(c, c)} for c in col_codes],
        "cells": [[cells.get((r, c)) for c in col_codes] for r in row_codes],
        "test": {
            "statistic": _clean(test.statistic), "p_value": _clean(test.p_value), "ndf": _clean(test.ndf),
            "ddf": _clean(test.ddf), "method": test.method, "adjusted": _clean(getattr(test, "adjusted", None)),
        },
        "respondents": int(answered.sum()),
        "rule": publication_rule(),
        "weighting": {"run_id": run.id, "created_at": _iso(run.created_at)} if run is not None else None,
    }


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
    cell = {name: _clean(record.get(name)) for name in ("estimate", "ci_low", "ci_high", "n", "suppressed", "fragile")}
    if cell["suppressed"]:
        cell.update(estimate=None, ci_low=None, ci_high=None, n=None)
    return cell


# --------------------------------------------------------------------------- the "indicators" job

JOB_KIND = "indicators"


def indicators_job(session: Session, job, campaign_id: int, **params) -> dict:
    """Task of the "indicators" job: compute every indicator table of the campaign."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))
    return compute_indicators(session, campaign, params.get("questionnaire") or "resident", progress=job.progress)


def _register_job() -> None:
    from flask_babel import lazy_gettext as _l

    from ..jobs import job_kind

    job_kind(JOB_KIND, label=_l("Tableaux d'indicateurs"), page="findings.indicators")(indicators_job)


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


def indicator_state(session: Session, campaign: Campaign) -> IndicatorState:
    """Return the last indicator tables of the campaign and how current they are."""
    from ..jobs import latest_job

    done = latest_job(session, campaign, JOB_KIND, done=True)
    last = latest_job(session, campaign, JOB_KIND)
    result = done.result if done is not None else None
    stale = is_stale(result, current_run(session, campaign)) if result else False
    return IndicatorState(result, done.finished_at if done is not None else None, stale, last)


def start_indicators(session: Session, campaign: Campaign, actor, key: str = "resident"):
    """Start the indicator tables as a job (or return the one running)."""
    from ..jobs import start_job

    if current_run(session, campaign) is None:
        raise ServiceError(
            _("Les réponses n'ont pas encore été pondérées : calculez d'abord les poids sur les marges du "
              "recensement.")
        )
    return start_job(session, campaign, JOB_KIND, actor=actor, params={"questionnaire": key})
