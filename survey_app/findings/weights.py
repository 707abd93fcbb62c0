"""Weighting a campaign's responses to its census margins, and the design analyses use."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from analysis.weighting import (
    EmptyCategoryError,
    MarginsError,
    RakingConvergenceError,
    UnknownCategoryError,
    WeightingError,
    WeightingResult,
    rake,
    trim_weights,
)

from ..models import Campaign, ResponseWeight, User, WeightingRun
from ..questionnaire import Definition
from ..domain import ServiceError
from .. import audit
from . import frame as exports
from ..campaigns import margins


@dataclass
class WeightedSample:
    """The tidy table of the weighted responses, its design and how it was made."""

    table: pd.DataFrame
    definition: Definition
    result: WeightingResult
    #: Responses left out of weighting (no census category: "je ne sais pas", "autre"...).
    excluded: pd.DataFrame
    design: object
    settings: dict


def weighting_frame(table: pd.DataFrame, definition: Definition, variables) -> pd.DataFrame:
    """Add one column per margin variable (a role such as ``district`` or a question id)."""
    frame = table.copy()
    for variable in variables:
        question = definition.question_for_role(variable)
        source = question.id if question is not None else variable
        if source not in frame.columns:
            raise ServiceError(
                f"La marge « {variable} » ne correspond à aucune question du questionnaire "
                "(ni rôle, ni identifiant de question)."
            )
        frame[variable] = frame[source]
    return frame


def _french(error: WeightingError) -> str:
    if isinstance(error, EmptyCategoryError):
        return (
            f"aucun répondant dans la catégorie « {error.category} » de « {error.variable} » alors que le "
            "recensement y compte des habitants : regroupez-la avec une catégorie voisine (--min-respondents)."
        )
    if isinstance(error, UnknownCategoryError):
        return f"« {error.variable} » : des répondants sont dans des catégories absentes des marges ({', '.join(error.categories)})."
    if isinstance(error, RakingConvergenceError):
        result = error.result
        return (
            f"le calage n'a pas convergé après {result.iterations} passes (écart restant {result.max_gap:.3g} "
            "personnes) : regroupez les petites catégories ou vérifiez que les marges décrivent la même population."
        )
    if isinstance(error, MarginsError):
        return f"marges incohérentes : {error}"
    return str(error)


def weight_sample(
    session: Session,
    campaign: Campaign,
    key: str = "resident",
    *,
    min_respondents: int | None = None,
    trim_upper: float | None = None,
) -> WeightedSample:
    """Rake the complete responses to the campaign's margins (and trim, on request)."""
    margin_table = margins.margins_frame(session, campaign)
    if margin_table.empty:
        raise ServiceError(f"La campagne {campaign.slug} n'a pas de marges de recensement : importez-les d'abord.")
    table, definition = exports.tidy_responses(session, campaign, key)
    if table.empty:
        raise ServiceError("Aucune réponse complète à pondérer.")
    variables = list(dict.fromkeys(margin_table["variable"]))
    frame = weighting_frame(table, definition, variables)
    known = pd.Series(True, index=frame.index)
    for variable in variables:
        categories = set(margin_table.loc[margin_table["variable"] == variable, "category"].astype(str))
        known &= frame[variable].astype(str).isin(categories) & frame[variable].notna()
    usable, excluded = frame[known].reset_index(drop=True), frame[~known]
    try:
        result = rake(usable, margin_table, min_respondents=min_respondents)
        design = result.design
        if trim_upper is not None:
            design = trim_weights(result, upper=trim_upper, relative=True).design
    except WeightingError as error:
        raise ServiceError("Pondération impossible : " + _french(error)) from None
    settings = {"method": "rake", "variables": variables, "min_respondents": min_respondents, "trim_upper": trim_upper, "questionnaire": key}
    return WeightedSample(usable, definition, result, excluded, design, settings)


def store_weights(session: Session, campaign: Campaign, sample: WeightedSample, *, actor: User | None = None) -> WeightingRun:
    """Keep the weights as the campaign's current weighting run."""
    from analysis.weighting import weight_diagnostics

    diagnostics = weight_diagnostics(sample.design.weights)
    session.execute(update(WeightingRun).where(WeightingRun.campaign_id == campaign.id).values(is_current=False))
    run = WeightingRun(
        campaign_id=campaign.id,
        method=sample.settings["method"],
        created_by_id=actor.id if actor is not None else None,
        converged=bool(sample.result.converged),
        iterations=int(sample.result.iterations),
        diagnostics={
            "settings": sample.settings,
            "weights": {k: float(v) for k, v in diagnostics.__dict__.items()},
            "max_gap": float(sample.result.max_gap),
            "excluded": int(len(sample.excluded)),
            "collapsed": sample.result.collapsed,
        },
        is_current=True,
    )
    session.add(run)
    session.flush()
    rows = [
        {"run_id": run.id, "response_id": int(rid), "weight": float(w)}
        for rid, w in zip(sample.table["response_id"], sample.design.weights)
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ResponseWeight), rows[start : start + 5000])
    audit.record(session, actor, "weights.compute", "campaign", campaign.id, new={"run": run.id, "n": len(rows)})
    return run


def current_weights(session: Session, campaign: Campaign) -> pd.Series:
    """Return the current weights indexed by response id (empty when never weighted)."""
    run = session.scalar(select(WeightingRun).where(WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True)))
    if run is None:
        return pd.Series(dtype=np.float64)
    rows = session.execute(select(ResponseWeight.response_id, ResponseWeight.weight).where(ResponseWeight.run_id == run.id)).all()
    return pd.Series({rid: w for rid, w in rows}, dtype=np.float64)
