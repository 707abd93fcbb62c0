"""What every result table of :mod:`.tables` shares: the publication rule, JSON-safe
values, blanking group sizes, the weighting run the figures come from, group labels.

This module imports pandas: import it (or the modules using it) inside the views only.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from sqlalchemy import select
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs.i18n import _
from ..models import Campaign, WeightingRun
from ..questionnaire.model import NSP_CODE


def publication_rule(lang: str = "fr") -> str:
    """The publication rule as the library states it: in English for ``lang="en"``, else in
    French (the stored job results, the downloads and the report keep the French)."""
    import importlib

    crosstab = importlib.import_module("analysis.crosstab")  # the package name is also a function
    if str(lang or "").split("_")[0] == "en":
        english = getattr(crosstab, "PUBLICATION_RULE_EN", None)
        if english:
            return english
    rule = getattr(crosstab, "PUBLICATION_RULE_FR", None)
    if rule:
        return rule
    return (
        f"Une cellule n'est publiée que si elle repose sur au moins {crosstab.MIN_CELL} répondants ; "
        f"une estimation tirée de moins de {crosstab.FRAGILE_BELOW} répondants est signalée fragile."
    )


def clean_value(value):
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


def iso_time(moment: dt.datetime | None) -> str | None:
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
    made = iso_time(run.created_at)
    return bool(computed and made and made > computed)


# --------------------------------------------------------------------------- labels


def in_language(text, lang: str = "fr") -> str:
    """A lazily translated interface string (``_l``) in ``lang``, with or without a request.

    The pages show the tables in the reader's language; what is computed or downloaded
    (a job's result, a CSV, the report) stays in French, the language of the diagnostic.
    """
    from flask_babel import force_locale

    with force_locale(lang):
        return str(text)


TOWN_LABEL = _l("Ensemble de la ville")
UNKNOWN_DISTRICT_LABEL = _l("Quartier non précisé")
NO_AXIS_LABEL = _l("Sans axe")
_VARIABLE_NAMES = {
    "town": _l("Ensemble"),
    "district": _l("Quartier"),
    "qpv": _l("Quartier prioritaire"),
    "age_band": _l("Âge"),
    "sex": _l("Sexe"),
}


def variable_labels(lang: str = "fr") -> dict[str, str]:
    """``variable -> label`` of the breakdown variables (town, district, QPV, age, sex) in ``lang``."""
    return {variable: in_language(label, lang) for variable, label in _VARIABLE_NAMES.items()}


def group_labels(campaign: Campaign, definition, lang: str = "fr") -> dict[tuple[str, str], str]:
    """``(variable, code) -> label`` of every breakdown group, in ``lang`` (French by default)."""
    labels: dict[tuple[str, str], str] = {("town", "town"): in_language(TOWN_LABEL, lang)}
    for district in campaign.districts:
        labels[("district", district.code)] = district.name
    labels[("district", NSP_CODE)] = in_language(UNKNOWN_DISTRICT_LABEL, lang)
    for role in ("age_band", "sex"):
        question = definition.question_for_role(role)
        if question is not None:
            for option in question.options:
                labels[(role, option.code)] = option.label(lang)
    return labels


#: The breakdown variables' names in French (downloads and the report).
VARIABLE_LABELS = variable_labels("fr")
