"""The evidence of a campaign's candidate priorities as the job "priorities" stores it.

Building the evidence (weights, indicator tables and district comparisons, the
free-text coder and its French language model, the residents' ranking, the
professionals) takes from a few seconds to most of a minute: it runs on the job queue
(:mod:`.jobs`), never inside a page request. The job's JSON result holds the evidence
as plain values (:func:`to_plain`: figures with their intervals and counts, district
gaps, masked verbatims, the limits of the list) and the *stamp* of the data it was built
on (:func:`data_stamp`). Pages read it back (:func:`stored_evidence`, converted once per
job and process) and apply the coordinator's decisions on top at render time, so a
decision never needs a rebuild; comparing the stamp with the data's current one says
when the list is stale (weights recomputed, new or corrected responses, codings…).

This module reads the database with a few aggregate queries and imports the value
types of :mod:`analysis.priorities` (scoring needs them); it computes no evidence.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..infra.caches import Memo
from ..models import (
    AnswerCoding, AuditEvent, Campaign, Codebook, Margin, QuestionnaireVersion, Response, ResponseStatus,
    WeightingRun,
)
from .jobs import JOB_KIND

#: Version of the stored layout; a result of another version is not read (rebuild).
FORMAT = 1
RESIDENT = "resident"
ANALYSED = (ResponseStatus.COMPLETE, ResponseStatus.VALIDATED)

#: Evidence read back from a job's result, per job. Rule: the key holds the job's id, its
#: end and the campaign's birth (ids are reused after a database is emptied); a finished
#: job's result never changes, so an entry is never stale.
STORED = Memo("stored_priority_evidence", 16, "key = finished job (id, end, campaign's birth): never stale")


@dataclass(frozen=True)
class CampaignEvidence:
    """Everything a campaign's candidate priorities rest on, and what is missing."""

    indicators: tuple = ()
    themes: tuple = ()
    ranking: tuple = ()
    professional: tuple = ()
    #: True when the residents' figures are weighted to census margins.
    weighted: bool = False
    #: How the residents' figures are weighted, in French.
    weighting_note: str = ""
    #: Residents' responses the figures rest on; professionals who answered.
    respondents: int = 0
    professionals: int = 0
    #: What the list cannot say, in French (one sentence each).
    limits: tuple[str, ...] = ()
    #: ``axis -> French label`` from the questionnaire; ``district code -> name``.
    axis_labels: dict = field(default_factory=dict)
    district_names: dict = field(default_factory=dict)
    #: ``(variable, group) -> label`` of every group a gap may name.
    group_labels: dict = field(default_factory=dict)

    def group_label(self, variable: str, group: str) -> str:
        return self.group_labels.get((variable, group), group)


# --------------------------------------------------------------------------- the data's stamp


def data_stamp(session: Session, campaign: Campaign) -> dict:
    """Return a cheap signature of everything the evidence is computed from, as JSON values.

    One entry per kind of input (:data:`STALE_REASONS`): the analysed responses (count,
    last id, last day), their corrections and exclusions (last audit event), the current
    weighting run (id and date), the margins, the codings of the free text, the codebook,
    the questionnaire versions and the districts.
    """
    analysed = [s.value for s in ANALYSED]
    responses = session.execute(
        select(func.count(Response.id), func.max(Response.id), func.max(Response.submitted_on))
        .where(Response.campaign_id == campaign.id, Response.status.in_(list(ANALYSED)))).one()
    ids = select(cast(Response.id, String)).where(Response.campaign_id == campaign.id).scalar_subquery()
    corrected = session.scalar(select(func.max(AuditEvent.id)).where(
        AuditEvent.entity_type == "response", AuditEvent.entity_id.in_(ids)))
    run = session.execute(select(WeightingRun.id, WeightingRun.created_at).where(
        WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True))
        .order_by(WeightingRun.id.desc()).limit(1)).first()
    margins = session.execute(select(func.count(Margin.id), func.max(Margin.id))
                              .where(Margin.campaign_id == campaign.id)).one()
    codings = session.execute(select(func.count(AnswerCoding.id), func.max(AnswerCoding.id))
                              .where(AnswerCoding.campaign_id == campaign.id)).one()
    codebook = session.scalar(select(Codebook.updated_at).where(Codebook.campaign_id == campaign.id))
    versions = session.execute(select(func.count(QuestionnaireVersion.id), func.max(QuestionnaireVersion.id))
                               .where(QuestionnaireVersion.campaign_id == campaign.id)).one()
    stamp = {
        "campaign": [campaign.id, _text(campaign.created_at)],
        "responses": [int(responses[0]), responses[1], _text(responses[2]), analysed],
        "corrections": corrected,
        "weights": [run[0], _text(run[1])] if run is not None else None,
        "margins": list(margins),
        "codings": list(codings),
        "codebook": _text(codebook),
        "questionnaires": list(versions),
        "districts": [[d.code, d.name, bool(d.qpv)] for d in campaign.districts],
    }
    return json.loads(json.dumps(stamp))


def _text(value) -> str | None:
    return None if value is None else str(value)


def data_key(session: Session, campaign: Campaign) -> str:
    """:func:`data_stamp` as a hashable key."""
    return json.dumps(data_stamp(session, campaign), sort_keys=True)


def settle_stamp(before: dict, after: dict) -> dict:
    """The stamp to store with evidence built between `before` and `after`.

    What people change (responses, weights, margins, codings…) is taken from before the
    build, so a change made during it shows the list as stale. The codebook is the
    exception: the first build stores the codebook's first copy itself.
    """
    stamp = dict(before)
    if before.get("codebook") is None:
        stamp["codebook"] = after.get("codebook")
    return stamp


#: Why a list built on another state of the data is stale, in French, by stamp entry.
STALE_REASONS = {
    "campaign": "la campagne a été recréée",
    "responses": "des réponses sont arrivées, ont été exclues ou rétablies",
    "corrections": "des réponses ont été corrigées ou exclues",
    "weights": "les poids ont été recalculés (ou supprimés)",
    "margins": "les marges du recensement ont changé",
    "codings": "le codage des réponses libres a changé",
    "codebook": "la grille de codage des réponses libres a changé",
    "questionnaires": "un questionnaire a été chargé ou modifié",
    "districts": "les quartiers de la campagne ont changé",
}


def stale_reasons(then: dict | None, now: dict) -> list[str]:
    """What changed between the stamp `then` (the stored list's) and `now`, in French."""
    then = then or {}
    return [reason for name, reason in STALE_REASONS.items() if then.get(name) != now.get(name)]


# --------------------------------------------------------------------------- plain values


def _plain(value):
    """JSON-ready copy of a value of the evidence (dataclasses as their fields, NaN as None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return _plain(value.item())
    raise TypeError(f"cannot store {type(value).__name__} in the priorities' evidence")


def to_plain(found: CampaignEvidence, *, mask: bool = True) -> dict:
    """Return the evidence as plain JSON values; the themes' verbatims masked when `mask`."""
    from analysis.privacy import mask_pii

    themes = found.themes
    if mask:
        themes = tuple(dataclasses.replace(
            t, verbatims=tuple(dict.fromkeys(m for m in (mask_pii(v).strip() for v in t.verbatims) if m)))
            for t in themes)
    return {
        "indicators": _plain(found.indicators),
        "themes": _plain(themes),
        "ranking": _plain(found.ranking),
        "professional": _plain(found.professional),
        "weighted": bool(found.weighted),
        "weighting_note": found.weighting_note,
        "respondents": int(found.respondents),
        "professionals": int(found.professionals),
        "limits": list(found.limits),
        # pairs, not objects: JSONB does not keep the order of keys
        "axis_labels": [[k, v] for k, v in found.axis_labels.items()],
        "district_names": [[k, v] for k, v in found.district_names.items()],
        "group_labels": [[variable, group, label] for (variable, group), label in found.group_labels.items()],
    }


def _schema():
    from analysis.priorities import (
        DistrictGap, Figure, GroupFigure, IndicatorEvidence, ProfessionalEvidence, RankingEvidence, ThemeEvidence,
    )

    return {
        Figure: {}, DistrictGap: {},
        GroupFigure: {"figure": Figure},
        IndicatorEvidence: {"town": Figure, "groups": (GroupFigure,), "gaps": (DistrictGap,)},
        ThemeEvidence: {"share": Figure, "groups": (GroupFigure,), "verbatims": (str,)},
        RankingEvidence: {"first": Figure, "top": Figure},
        ProfessionalEvidence: {"share": Figure},
    }, (IndicatorEvidence, ThemeEvidence, RankingEvidence, ProfessionalEvidence)


def _build(kind, data, schema):
    if isinstance(kind, tuple):
        return tuple(_build(kind[0], item, schema) for item in data or ())
    if kind is str:
        return str(data)
    nested = schema[kind]
    names = {f.name for f in dataclasses.fields(kind)}
    values = {name: (_build(nested[name], value, schema) if name in nested else value)
              for name, value in data.items() if name in names}
    return kind(**values)


def from_plain(data: dict) -> CampaignEvidence:
    """The :class:`CampaignEvidence` of :func:`to_plain`'s output."""
    schema, (indicator, theme, ranking, professional) = _schema()
    return CampaignEvidence(
        indicators=_build((indicator,), data["indicators"], schema),
        themes=_build((theme,), data["themes"], schema),
        ranking=_build((ranking,), data["ranking"], schema),
        professional=_build((professional,), data["professional"], schema),
        weighted=bool(data["weighted"]), weighting_note=data["weighting_note"],
        respondents=int(data["respondents"]), professionals=int(data["professionals"]),
        limits=tuple(data["limits"]),
        axis_labels={k: v for k, v in data["axis_labels"]},
        district_names={k: v for k, v in data["district_names"]},
        group_labels={(variable, group): label for variable, group, label in data["group_labels"]},
    )


# --------------------------------------------------------------------------- reading the stored list


@dataclass(frozen=True)
class StoredEvidence:
    """The last evidence the job built: the values, when, on what data, and what changed since."""

    evidence: CampaignEvidence
    job_id: int
    computed_at: dt.datetime | None
    stamp: dict
    #: Why the list is stale (empty: it is up to date), in French.
    stale: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceState:
    """What the page needs to know: the stored evidence (if any) and the last job (any state)."""

    stored: StoredEvidence | None
    job: object = None

    @property
    def building(self) -> bool:
        return self.job is not None and not self.job.state.finished

    @property
    def failed(self):
        """The last job, when it failed after the stored evidence was built (else None)."""
        from ..jobs import JobState

        job = self.job
        if job is None or job.state is not JobState.FAILED:
            return None
        if self.stored is not None and job.id < self.stored.job_id:
            return None
        return job


def _parse_time(text) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def stored_evidence(session: Session, campaign: Campaign, *, stamp: dict | None = None,
                    check: bool = True) -> StoredEvidence | None:
    """Return the evidence the last successful "priorities" job stored (None: never built).

    `stamp` is the data's current :func:`data_stamp` (read when not given), compared with
    the stored one to say whether the list is stale; ``check=False`` skips that.
    """
    from ..jobs import latest_job

    job = latest_job(session, campaign, JOB_KIND, done=True)
    if job is None or not isinstance(job.result, dict) or job.result.get("format") != FORMAT:
        return None
    key = (job.id, str(job.finished_at), str(campaign.created_at))
    found = STORED.get(key)
    if found is None:
        result = job.result
        found = STORED.put(key, StoredEvidence(from_plain(result["evidence"]), job.id,
                                               _parse_time(result.get("computed_at")), result.get("stamp") or {}))
    if not check:
        return found
    now = stamp if stamp is not None else data_stamp(session, campaign)
    return dataclasses.replace(found, stale=tuple(stale_reasons(found.stamp, now)))


def evidence_state(session: Session, campaign: Campaign) -> EvidenceState:
    """The stored evidence of the campaign (if any) and its last "priorities" job."""
    from ..jobs import latest_job

    return EvidenceState(stored_evidence(session, campaign), latest_job(session, campaign, JOB_KIND))


def check_buildable(session: Session, campaign: Campaign) -> None:
    """Refuse, in French, a campaign whose list cannot be built (cheap: two queries).

    Raises
    ------
    ServiceError
        The residents' questionnaire is not loaded, or no resident has answered yet.
    """
    versions = select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.key == RESIDENT)
    if session.scalar(versions.where(QuestionnaireVersion.is_current.is_(True)).limit(1)) is None:
        raise ServiceError(f"Le questionnaire « {RESIDENT} » n'est pas chargé dans la campagne {campaign.slug}.")
    answered = session.scalar(select(Response.id).where(
        Response.questionnaire_version_id.in_(versions), Response.status.in_(list(ANALYSED))).limit(1))
    if answered is None:
        raise ServiceError("Aucun habitant n'a encore complété le questionnaire : il n'y a pas de "
                           "priorités candidates à construire.")


def start_build(session: Session, campaign: Campaign, actor=None):
    """Start building the campaign's evidence as a job (or return the one waiting or running)."""
    from ..jobs import start_job

    check_buildable(session, campaign)
    return start_job(session, campaign, JOB_KIND, actor=actor, params={})


def forget() -> None:
    """Drop the evidence read back from jobs (tests)."""
    STORED.clear()
