"""Margins and weights of a campaign: import the census, weight as a background job, read the result.

pandas and the analysis library are imported inside the functions that use them, so
that the web workers load them only when a coordinator weights or uploads margins.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..jobs.i18n import _
from ..domain import ServiceError
from ..jobs import job_kind, latest_job, start_job
from ..models import Campaign, Job, Margin, Response, ResponseStatus, User, WeightingRun
from ..models._types import utcnow

DEFAULT_QUESTIONNAIRE = "resident"
#: Question types whose options can be census categories.
CLOSED_TYPES = {"single", "yesno", "scale"}
WEIGHTS_JOB = "weights"
#: Responses that are analysed (as ``findings.frame`` reads them).
ANALYSED_STATUSES = (ResponseStatus.COMPLETE, ResponseStatus.VALIDATED)


@dataclass(frozen=True)
class MarginsImport:
    rows: int
    notices: list[str]


@dataclass(frozen=True)
class CurrentWeighting:
    """The weights every later table uses: the last ones computed, and when."""

    run: WeightingRun
    computed_at: dt.datetime


def _definition(session: Session, campaign: Campaign, key: str):
    from ..campaigns import questionnaires

    version = questionnaires.current_version(session, campaign, key)
    if version is None:
        raise ServiceError(_("Le questionnaire « %(key)s » n'est pas chargé dans cette campagne.", key=key))
    return questionnaires.definition_of(version)


def _margin_questions(definition):
    """The questions a margin may name (by id, or by role): the district and the closed questions."""
    return [q for q in definition.questions.values() if q.type == "district" or q.type in CLOSED_TYPES]


def margin_categories(session: Session, campaign: Campaign, key: str = DEFAULT_QUESTIONNAIRE) -> dict[str, list[str]]:
    """The variables a margin may name (weighting roles and closed questions) and their categories."""
    definition = _definition(session, campaign, key)
    districts = [d.code for d in campaign.districts]
    categories: dict[str, list[str]] = {}
    for question in _margin_questions(definition):
        codes = districts if question.type == "district" else list(question.codes)
        categories.setdefault(question.id, codes)
        if question.role:
            categories[question.role] = codes
    categories.setdefault("district", districts)
    return categories


def import_margins(
    session: Session, campaign: Campaign, data: bytes | str, *, key: str = DEFAULT_QUESTIONNAIRE, actor: User | None = None
) -> MarginsImport:
    """Replace the campaign's margins by the uploaded CSV, after checking all of it.

    Every problem is listed at once in the :class:`ServiceError`; on any problem nothing
    is changed.
    """
    from ..campaigns import margins

    rows = margins.read_margins_file(data)
    problems, notices = margins.margin_problems(
        rows, margin_categories(session, campaign, key), [d.code for d in campaign.districts]
    )
    if problems:
        raise ServiceError(_("Marges refusées, rien n'a été changé :") + "\n- " + "\n- ".join(problems))
    count = margins.replace_margins(session, campaign, rows, actor=actor)
    return MarginsImport(count, notices)


@dataclass(frozen=True)
class MarginLabels:
    """French names of the margins' variables and categories, for the page.

    The codes stay those of the CSV (and are shown beside the names where the coordinator
    writes them); a code without a name is shown as it is.
    """

    variables: dict[str, str]
    categories: dict[tuple[str, str], str]

    def variable(self, code: str) -> str:
        from ..campaigns.margins import JOINT_VARIABLE

        return " × ".join(self.variables.get(part, part) for part in str(code).split(JOINT_VARIABLE))

    def variable_list(self, codes) -> str:
        return ", ".join(self.variable(code) for code in codes)

    def category(self, variable: str, code) -> str:
        from ..campaigns.margins import JOINT_CATEGORY, JOINT_VARIABLE

        if code is None:
            return ""
        parts = str(variable).split(JOINT_VARIABLE)
        values = str(code).split(JOINT_CATEGORY) if len(parts) > 1 else [str(code)]
        if len(values) != len(parts):
            return str(code)
        return " × ".join(self.categories.get((part, value), value) for part, value in zip(parts, values))


def margin_labels(session: Session, campaign: Campaign, key: str = DEFAULT_QUESTIONNAIRE,
                  lang: str = "fr") -> MarginLabels:
    """The names, in ``lang``, of the variables a margin may name (roles, closed questions)
    and of their categories."""
    from ..findings.table_common import group_labels, variable_labels

    try:
        definition = _definition(session, campaign, key)
    except ServiceError:
        return MarginLabels(variable_labels(lang), {("district", d.code): d.name for d in campaign.districts})
    variables = variable_labels(lang)
    categories = group_labels(campaign, definition, lang)
    for question in _margin_questions(definition):
        variables.setdefault(question.id, variables.get(question.role) or question.label(lang))
        for variable in filter(None, (question.id, question.role)):
            if question.type == "district":
                categories.update({(variable, d.code): d.name for d in campaign.districts})
            else:
                for option in question.options:
                    categories.setdefault((variable, option.code), option.label(lang))
    return MarginLabels(variables, categories)


def margin_rows(session: Session, campaign: Campaign) -> list[Margin]:
    """The campaign's margins, by variable in the order they were given."""
    return list(session.scalars(select(Margin).where(Margin.campaign_id == campaign.id).order_by(Margin.variable, Margin.id)))


def margin_totals(rows: list[Margin]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for row in rows:
        totals[row.variable] = totals.get(row.variable, 0.0) + row.count
    return totals


def check_weighting_possible(session: Session, campaign: Campaign, key: str = DEFAULT_QUESTIONNAIRE) -> None:
    """Refuse, with a French message, weighting a campaign without margins or without responses."""
    has_margins = session.scalar(select(func.count()).select_from(Margin).where(Margin.campaign_id == campaign.id))
    if not has_margins:
        raise ServiceError(_("Pas de marges de recensement pour cette campagne : importez-les avant de pondérer."))
    _definition(session, campaign, key)
    responses = session.scalar(
        select(func.count()).select_from(Response).where(
            Response.campaign_id == campaign.id, Response.status.in_(ANALYSED_STATUSES)
        )
    )
    if not responses:
        raise ServiceError(_("Aucune réponse complète à pondérer pour l'instant."))


def weighting_params(method: str = "rake", *, cells: str | None = None, trim_upper: float | None = None,
                     min_respondents: int | None = None, key: str = DEFAULT_QUESTIONNAIRE) -> dict:
    """The parameters of a weighting job, as JSON values."""
    if method not in ("rake", "poststratify"):
        raise ServiceError(_("Méthode de pondération inconnue."))
    if trim_upper is not None and not trim_upper > 1:
        raise ServiceError(_("La borne d'écrêtage doit être supérieure à 1 (fois le poids moyen)."))
    if min_respondents is not None and min_respondents < 1:
        raise ServiceError(_("Le seuil de regroupement doit être d'au moins 1 répondant."))
    return {
        "key": key, "method": method, "cells": cells if method == "poststratify" else None,
        "trim_upper": float(trim_upper) if trim_upper is not None else None,
        "min_respondents": int(min_respondents) if min_respondents and method == "rake" else None,
    }


def start_weighting(session: Session, campaign: Campaign, params: dict, *, actor: User | None = None) -> Job:
    """Check that weighting can run, then start it as a job (or return the one running)."""
    check_weighting_possible(session, campaign, params.get("key", DEFAULT_QUESTIONNAIRE))
    return start_job(session, campaign, WEIGHTS_JOB, actor=actor, params=params)


@job_kind(WEIGHTS_JOB, label=_l("Pondération des réponses"), page="weighting.page")
def compute_weights(session: Session, job, campaign_id: int, *, key: str = DEFAULT_QUESTIONNAIRE, method: str = "rake",
                    cells: str | None = None, trim_upper: float | None = None, min_respondents: int | None = None) -> dict:
    """The job: weight the responses, store the weights as the current ones, return the run's id."""
    from ..findings import weights

    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))
    job.progress(0.1, _("Lecture des réponses et des marges…"))
    # every respondent is kept: those without a census category are raked on the margins they have
    sample = weights.weight_sample(session, campaign, key, method=method, cells=cells,
                                   min_respondents=min_respondents, trim_upper=trim_upper, keep_unmatched=True,
                                   margins_only=True)
    job.progress(0.7, _("Enregistrement des poids…"))
    actor = session.get(User, job.created_by_id) if job.created_by_id else None
    run = weights.store_weights(session, campaign, sample, actor=actor)
    return {"run_id": run.id, "n": int(len(sample.table)), "excluded": int(len(sample.excluded))}


def distribution_chart(session: Session, run: WeightingRun) -> str | None:
    """The weight distribution chart of ``run`` as SVG, drawn now from its stored weights (None: no chart).

    Its title, caption and axis labels are in the page's language (French outside a request).
    """
    from ..findings import weights

    return weights.distribution_svg(
        session, run, title=_("Distribution des poids après pondération"),
        caption=_("Poids de chaque répondant ; trait pointillé : poids moyen."),
        axis_label=_("Poids"), reference_label=_("Poids moyen"))


def current_weighting(session: Session, campaign: Campaign) -> CurrentWeighting | None:
    """The weights later tables use (the last computed) and their date; ``None`` if never weighted.

    A table computed before ``computed_at`` is stale.
    """
    run = session.scalar(
        select(WeightingRun)
        .where(WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True))
        .order_by(WeightingRun.id.desc())
        .limit(1)
    )
    if run is None:
        return None
    return CurrentWeighting(run=run, computed_at=as_utc(run.created_at))


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def weighting_job(session: Session, campaign: Campaign) -> Job | None:
    """The campaign's last weighting job, if any."""
    return latest_job(session, campaign, WEIGHTS_JOB)


METHOD_LABELS = {"rake": _l("calage sur marges (raking)"), "poststratify": _l("post-stratification")}


def diagnostics_view(current: CurrentWeighting | None) -> dict | None:
    """What the page shows of the current weights, as plain values."""
    if current is None:
        return None
    run, d = current.run, current.run.diagnostics or {}
    settings = d.get("settings", {})
    structure = d.get("structure") or []
    return {
        "run": run,
        "computed_at": current.computed_at,
        "method": str(METHOD_LABELS.get(settings.get("method"), settings.get("method"))),
        "variables": settings.get("variables", []),
        "trim_upper": settings.get("trim_upper"),
        "trimmed": settings.get("trimmed", 0),
        "min_respondents": settings.get("min_respondents"),
        "rescaled": settings.get("rescaled") or {},
        "converged": run.converged,
        "iterations": run.iterations,
        "max_gap": d.get("max_gap"),
        "weights": d.get("weights", {}),
        "excluded": d.get("excluded", 0),
        "imputed": d.get("imputed"),
        "unmatched": d.get("unmatched") or [],
        "to_collapse": d.get("to_collapse") or [],
        "messages": d.get("messages") or [],
        "collapsed": d.get("collapsed") or {},
        "structure": structure,
        "distribution": d.get("distribution") or {},
        "age": utcnow() - current.computed_at,
    }
