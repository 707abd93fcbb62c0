"""Weighting a campaign's responses to its census margins, and the design analyses use."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select, update
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

from ..models import Campaign, User, WeightingRun
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
    #: Sample structure beside the census, with the final weights.
    structure: pd.DataFrame | None = None


def _source(definition: Definition, variable: str) -> str:
    """The question a margin variable names: by its role (``district``) or by its id."""
    question = definition.question_for_role(variable)
    return question.id if question is not None else variable


def weighting_frame(table: pd.DataFrame, definition: Definition, variables) -> pd.DataFrame:
    """Add one column per margin variable (a role such as ``district`` or a question id)."""
    frame = table.copy()
    for variable in variables:
        source = _source(definition, variable)
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
            "recensement y compte des habitants : regroupez-la avec une catégorie voisine (regroupement des "
            "catégories de moins de N répondants, --min-respondents en ligne de commande)."
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


#: Methods the coordinator may choose.
METHODS = ("rake", "poststratify")
#: Bins of the weight distribution chart.
DISTRIBUTION_BINS = 20


def _used_margins(margin_table: pd.DataFrame, method: str, cells: str | None) -> pd.DataFrame:
    """The margins a method uses: every single variable for raking, one (joint) variable for post-stratification."""
    joint = margin_table["variable"].str.contains(margins.JOINT_VARIABLE, regex=False)
    if method == "rake":
        used = margin_table[~joint]
        if used.empty:
            raise ServiceError("Le calage demande des marges par variable (quartier, âge, sexe…) : il n'y a que des croisements.")
        return used.reset_index(drop=True)
    variables = list(dict.fromkeys(margin_table["variable"]))
    if cells is None:
        cells = next((v for v in variables if margins.JOINT_VARIABLE in v), variables[0])
    if cells not in variables:
        raise ServiceError(f"La post-stratification demande des marges « {cells} » : la campagne n'en a pas.")
    return margin_table[margin_table["variable"] == cells].reset_index(drop=True)


def _totals_problem(used: pd.DataFrame) -> str | None:
    """The French reason to give when the margins' totals are too far apart to be rescaled."""
    totals = used.groupby("variable", sort=False)["count"].sum()
    if len(totals) > 1 and np.ptp(totals.to_numpy()) > margins.TOTALS_TOLERANCE * totals.max():
        shown = ", ".join(f"{v} : {t:.0f}" for v, t in totals.items())
        return f"Pondération impossible : les marges ne décrivent pas la même population ({shown})."
    return None


def weight_sample(
    session: Session,
    campaign: Campaign,
    key: str = "resident",
    *,
    method: str = "rake",
    cells: str | None = None,
    min_respondents: int | None = None,
    trim_upper: float | None = None,
    keep_unmatched: bool = True,
    margins_only: bool = False,
) -> WeightedSample:
    """Weight the complete responses to the campaign's margins (raking, or post-stratification on ``cells``), then trim on request.

    Raking keeps, by default, the respondents whose category is missing or absent from
    the census (sex « autre », age « je ne sais pas »): they are raked on the margins
    they have (``analysis.rake``'s rule) and counted in the diagnostics, so that no
    resident vanishes from the weighted figures. ``keep_unmatched=False`` leaves them
    out, as post-stratification always does. ``margins_only`` reads only the questions
    the margins name (the weights job: its table is the response ids and their profile,
    not every answer, which on 100,000 responses is most of the reading).
    """
    import warnings

    from analysis.weighting import MarginsWarning, post_stratify, structure_table

    if method not in METHODS:
        raise ServiceError(f"Méthode de pondération inconnue « {method} ».")
    if method == "poststratify" and min_respondents:
        raise ServiceError("Le regroupement des petites catégories s'applique au calage (raking), pas à la post-stratification.")
    margin_table = margins.margins_frame(session, campaign)
    if margin_table.empty:
        raise ServiceError(f"La campagne {campaign.slug} n'a pas de marges de recensement : importez-les d'abord.")
    used = _used_margins(margin_table, method, cells)
    variables = list(dict.fromkeys(used["variable"]))
    parts = list(dict.fromkeys(p for v in variables for p in v.split(margins.JOINT_VARIABLE)))
    questions = None
    if margins_only:
        definition = exports.current_definition(session, campaign, key)
        questions = [_source(definition, part) for part in parts]
    table, definition = exports.tidy_responses(session, campaign, key, questions=questions)
    if table.empty:
        raise ServiceError("Aucune réponse complète à pondérer.")
    frame = weighting_frame(table, definition, parts)
    for variable in variables:
        if margins.JOINT_VARIABLE in variable:
            pieces = variable.split(margins.JOINT_VARIABLE)
            frame[variable] = frame[pieces].astype(str).agg(margins.JOINT_CATEGORY.join, axis=1).where(frame[pieces].notna().all(axis=1))
    keep = keep_unmatched and method == "rake"
    known = pd.Series(True, index=frame.index)
    if not keep:
        for variable in variables:
            categories = set(used.loc[used["variable"] == variable, "category"].astype(str))
            known &= frame[variable].astype(str).isin(categories) & frame[variable].notna()
    usable, excluded = frame[known].reset_index(drop=True), frame[~known]
    if usable.empty:
        raise ServiceError("Pondération impossible : aucune réponse n'a de catégorie présente dans les marges.")
    trimmed = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MarginsWarning)
            if method == "rake":
                result = rake(usable, used, min_respondents=min_respondents, unmatched="keep" if keep else "error",
                              rescale_tolerance=margins.TOTALS_TOLERANCE)
            else:
                variable = variables[0]
                pieces = variable.split(margins.JOINT_VARIABLE)
                cell_table = used["category"].astype(str).str.split(margins.JOINT_CATEGORY, regex=False, expand=True)
                cell_table.columns = pieces
                cell_table["count"] = used["count"].to_numpy()
                result = post_stratify(usable, cell_table)
        for warning in caught:
            if not issubclass(warning.category, MarginsWarning):
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        design = result.design
        if trim_upper is not None:
            trimmed = trim_weights(result, upper=trim_upper, relative=True)
            design = trimmed.design
        structure = structure_table(usable, design.weights, used)
    except MarginsError as error:
        raise ServiceError(_totals_problem(used) or "Pondération impossible : " + _french(error)) from None
    except WeightingError as error:
        raise ServiceError("Pondération impossible : " + _french(error)) from None
    totals = used.groupby("variable", sort=False)["count"].sum()
    settings = {
        "method": method, "variables": variables, "min_respondents": min_respondents, "trim_upper": trim_upper,
        "questionnaire": key, "keep_unmatched": keep,
        "rescaled": {v: {"total": float(totals[v]), "factor": float(f)} for v, f in (getattr(result, "rescaled", None) or {}).items()
                     if abs(float(f) - 1) > 1e-12},
        "trimmed": int(trimmed.n_trimmed) if trimmed is not None else 0,
    }
    sample = WeightedSample(usable, definition, result, excluded, design, settings)
    sample.structure = structure
    return sample


def store_weights(session: Session, campaign: Campaign, sample: WeightedSample, *, actor: User | None = None) -> WeightingRun:
    """Keep the weights as the campaign's current weighting run."""
    from analysis.weighting import weight_diagnostics

    diagnostics = weight_diagnostics(sample.design.weights)
    structure = getattr(sample, "structure", None)
    if structure is None:
        structure = sample.result.structure
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
            "imputed": _imputed(sample.result),
            "unmatched": _records(getattr(sample.result, "unmatched", None)),
            "to_collapse": _records(getattr(sample.result, "to_collapse", None)),
            "messages": _messages(sample.result),
            "collapsed": sample.result.collapsed,
            "structure": [] if structure is None else _records(structure),
            "distribution": _distribution(sample.design.weights),
        },
        is_current=True,
    )
    ids = np.asarray(sample.table["response_id"], dtype=np.int64)
    set_run_weights(run, ids, sample.design.weights)
    session.add(run)
    session.flush()
    audit.record(session, actor, "weights.compute", "campaign", campaign.id, new={"run": run.id, "n": len(ids)})
    return run


def set_run_weights(run: WeightingRun, ids, values) -> None:
    """Store the weights of ``run``: ``ids[i]`` is the response weighted ``values[i]``."""
    ids = np.asarray(ids, dtype="<i8")
    values = np.asarray(values, dtype="<f8")
    if ids.shape != values.shape or ids.ndim != 1:
        raise ValueError("one weight per response id")
    run.weight_response_ids = ids.tobytes()
    run.weight_values = values.tobytes()


def run_weights(session: Session, run: WeightingRun | int) -> tuple[np.ndarray, np.ndarray]:
    """The response ids and weights of ``run`` (two arrays in the same order; empty once erased)."""
    run_id = run if isinstance(run, int) else run.id
    found = session.execute(select(WeightingRun.weight_response_ids, WeightingRun.weight_values)
                            .where(WeightingRun.id == run_id)).first()
    if found is None or found[0] is None or found[1] is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=float)
    ids = np.frombuffer(bytes(found[0]), dtype="<i8").astype(np.int64)
    values = np.frombuffer(bytes(found[1]), dtype="<f8").astype(float)
    return ids, values


def _imputed(result) -> int | None:
    """How many respondents were raked on the margins they have (``None``: not reported)."""
    value = getattr(result, "n_unmatched", None)
    return None if value is None else int(value)


def _messages(result) -> list[str]:
    """The library's French advice (thin categories to collapse, respondents kept unmatched)."""
    try:
        return [str(m) for m in result.diagnostics().messages]
    except AttributeError:
        return []


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value):
    """A JSON value: numpy scalars unwrapped, missing values as null (PostgreSQL's JSONB has no NaN)."""
    if value is None or (np.isscalar(value) and not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


#: Title and caption of the weight distribution chart.
DISTRIBUTION_TITLE = "Distribution des poids après pondération"
DISTRIBUTION_CAPTION = "Poids de chaque répondant ; trait pointillé : poids moyen."


def _distribution(weights) -> dict:
    """The weights' histogram, stored with the run; the chart is drawn when the page asks for it.

    Drawing it here (matplotlib: about a second) made every weighting wait for a picture
    the coordinator may never open: :func:`distribution_svg` draws it from the stored
    weights on demand. ``chart`` says that it can be drawn (the ``analysis.charts``
    package is there); the bins are those of the chart (:func:`numpy.histogram`).
    """
    import importlib.util

    w = np.asarray(weights, dtype=float)
    finite = w[np.isfinite(w)]
    counts, edges = np.histogram(finite, bins=DISTRIBUTION_BINS) if len(finite) else (np.zeros(0, dtype=int), np.zeros(1))
    bins = [{"bin_low": float(lo), "bin_high": float(hi), "count": int(n)} for lo, hi, n in zip(edges[:-1], edges[1:], counts)]
    drawable = importlib.util.find_spec("analysis.charts") is not None
    return {"bins": bins, "svg": None, "alt_text": None, "caption": DISTRIBUTION_CAPTION if drawable else None,
            "chart": drawable}


def distribution_svg(session: Session, run: WeightingRun, *, title: str = DISTRIBUTION_TITLE,
                     caption: str = DISTRIBUTION_CAPTION, axis_label: str = "Poids",
                     reference_label: str = "Poids moyen") -> str | None:
    """The weight distribution chart of ``run`` (SVG), drawn from its stored weights.

    ``title``, ``caption`` and the labels are the page's (in French unless the page passes
    them translated). A run stored with its drawing (before the drawing was deferred)
    gives that drawing.
    """
    stored = ((run.diagnostics or {}).get("distribution") or {})
    if stored.get("svg"):
        return stored["svg"]
    try:
        from analysis.charts import distribution_chart
    except ImportError:
        return None
    _, w = run_weights(session, run)
    if not len(w):
        return None
    return distribution_chart(w, title, caption, bins=DISTRIBUTION_BINS, axis_label=axis_label,
                              reference=float(w.mean()), reference_label=reference_label).svg


def current_weights(session: Session, campaign: Campaign) -> pd.Series:
    """Return the current weights indexed by response id (empty when never weighted)."""
    run = session.scalar(select(WeightingRun).where(WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True)))
    if run is None:
        return pd.Series(dtype=np.float64)
    ids, values = run_weights(session, run)
    return pd.Series(values, index=ids, dtype=np.float64)
