"""Candidate priorities of a campaign, with the coordinator's decisions applied.

Candidates are built from the evidence the job "priorities" stored (:mod:`.stored`;
gathered here by :mod:`.evidence` when it was never built), then
:func:`analysis.priorities.build_candidates`: one per need indicator of the residents'
questionnaire, with the themes, ranking options and professionals' items of its CLS
axis. What people decide is stored (:class:`~survey_app.models.PriorityDecision`,
:class:`~survey_app.models.PriorityGrid`) and applied on top, in this order: merges
(the evidence of a merged candidate goes to the one it was merged into), renames, the
assessments (B, C, PEARL, note), then the campaign's grid ranks them. Every change is
an audit event (``entity_type="priorities"``, ``entity_id`` the campaign's id): that is
the history the workspace shows.

The comité's status of a candidate (kept, set aside, to examine) is a decision beside
the grid: it never changes a score or a rank (the grid says what the data and the
entered values give; the comité decides). PEARL, on the other hand, is the grid's gate:
a candidate failing one of its items is set aside by the grid.

Services take the acting user as an argument and never commit: the caller does.
This module imports pandas and :mod:`analysis` (through :mod:`.evidence`): import it
inside the functions that use it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.axes import AXIS_LABELS
from analysis.priorities import (
    MAX_VERBATIMS, PEARL_ITEMS, VARIANTS, Assessment, Candidate, Pearl, Ranking, RankedCandidate,
    ScoringGrid, build_candidates, format_number_fr, group_by_axis, rank_candidates,
)

from .. import audit
from ..domain import ServiceError
from ..models import PRIORITY_STATUSES, AuditEvent, Campaign, PriorityDecision, PriorityGrid, User

#: Audit trail of the priorities: ``entity_type`` of every event, the campaign's id as ``entity_id``.
AUDIT_ENTITY = "priorities"
#: Field prefix of the grid's events (``grille.variant``...).
GRID_PREFIX = "grille"
STATUS_LABELS = {"proposed": "à examiner", "kept": "retenue par le comité", "set_aside": "écartée par le comité"}
FIELD_LABELS = {
    "label": "libellé", "status": "décision du comité", "seriousness": "gravité (B)",
    "effectiveness": "efficacité (C)", "note": "note", "merged_into": "regroupement",
    "variant": "variante de la grille", "inequity_weight": "poids des inégalités (I)",
    "demand_weight": "poids de la demande exprimée (D)",
    **{f"pearl.{item}": f"PEARL : {text.split(' (')[0].lower()}" for item, text in PEARL_ITEMS.items()},
}
VARIANT_LABELS = {key: text for key, (_factor, text) in VARIANTS.items()}
MAX_LABEL, MAX_NOTE = 200, 2000
#: Weights of I and D the grid accepts.
MAX_WEIGHT = 10.0


# --------------------------------------------------------------------------- reading


def grid_of(session: Session, campaign: Campaign) -> ScoringGrid:
    """Return the campaign's scoring grid (the default one until the coordinator adjusts it)."""
    row = session.get(PriorityGrid, campaign.id)
    if row is None:
        return ScoringGrid()
    return ScoringGrid(row.variant, float(row.inequity_weight), float(row.demand_weight))


def decisions_of(session: Session, campaign: Campaign) -> dict[str, PriorityDecision]:
    """Return the stored decisions of the campaign, by candidate key."""
    rows = session.scalars(select(PriorityDecision).where(PriorityDecision.campaign_id == campaign.id))
    return {row.candidate_key: row for row in rows}


def _resolve(key: str, merges: Mapping[str, str], known) -> str:
    """The candidate `key` ends up in, following merges (a merge into an unknown key is ignored)."""
    seen = {key}
    while key in merges and merges[key] in known and merges[key] not in seen:
        key = merges[key]
        seen.add(key)
    return key


def _unique(items, key_of):
    seen, out = set(), []
    for item in items:
        k = key_of(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return tuple(out)


def _combine(target: Candidate, sources: list[Candidate]) -> Candidate:
    """`target` with the evidence of `sources` added (its own first)."""
    every = [target, *sources]
    gaps = _unique((g for c in every for g in c.districts), lambda g: (g.indicator, g.variable, g.group))
    gaps = tuple(sorted(gaps, key=lambda g: (g.direction != "worse", -abs(g.difference), g.group)))
    merged = dataclasses.replace(
        target,
        indicators=_unique((i for c in every for i in c.indicators), lambda i: i.name),
        themes=_unique((t for c in every for t in c.themes), lambda t: t.key),
        ranking=_unique((r for c in every for r in c.ranking), lambda r: r.option),
        professional=_unique((p for c in every for p in c.professional), lambda p: p.key),
        districts=gaps,
        verbatims=_unique((v for c in every for v in c.verbatims), lambda v: v)[:MAX_VERBATIMS],
    )
    lead = merged.lead
    return dataclasses.replace(merged, thin=lead is None, fragile=lead is not None and lead[1].fragile)


def _assessment(decision: PriorityDecision | None) -> Assessment:
    if decision is None:
        return Assessment()
    pearl = {item: decision.pearl.get(item) for item in PEARL_ITEMS} if decision.pearl else {}
    return Assessment(decision.seriousness, decision.effectiveness, Pearl(**pearl), decision.note or "")


def apply_decisions(candidates, decisions: Mapping[str, PriorityDecision]) -> tuple[list[Candidate], dict]:
    """Apply merges, renames and assessments; return the candidates and ``target -> merged keys``."""
    by_key = {c.key: c for c in candidates}
    merges = {k: d.merged_into for k, d in decisions.items() if d.merged_into}
    members: dict[str, list[str]] = {}
    for key in by_key:
        target = _resolve(key, merges, by_key)
        if target != key:
            members.setdefault(target, []).append(key)
    out = []
    for candidate in candidates:
        if _resolve(candidate.key, merges, by_key) != candidate.key:
            continue
        if candidate.key in members:
            candidate = _combine(candidate, [by_key[k] for k in members[candidate.key]])
        decision = decisions.get(candidate.key)
        if decision is not None and decision.label:
            candidate = dataclasses.replace(candidate, label=decision.label)
        out.append(candidate.with_assessment(_assessment(decision)))
    return out, members


@dataclass
class Workspace:
    """What the workspace page shows: the ranking and everything around it."""

    campaign: Campaign
    evidence: object
    ranking: Ranking
    #: Every candidate built from the data, before merges (key -> Candidate).
    base: dict
    decisions: dict
    #: ``target key -> keys merged into it``.
    members: dict
    #: Evidence no candidate took, and declared keys found in no input.
    unmatched: tuple = ()
    #: Decisions about candidates the data no longer gives (questionnaire changed).
    orphans: tuple = ()
    grid_row: PriorityGrid | None = None
    history: list = field(default_factory=list)

    def status(self, key: str) -> str:
        decision = self.decisions.get(key)
        return decision.status if decision is not None else "proposed"

    def status_label(self, key: str) -> str:
        return STATUS_LABELS[self.status(key)]

    def original_label(self, key: str) -> str:
        return self.base[key].label if key in self.base else key

    def by_axis(self) -> dict:
        """Every candidate (ranked, set aside by PEARL, too thin) grouped by CLS axis, ranked first."""
        return group_by_axis(self.ranking.all, list(self.evidence.axis_labels) or None)

    def axis_label(self, axis: str | None) -> str:
        if axis is None:
            return "Sans axe du CLS"
        return self.evidence.axis_labels.get(axis) or AXIS_LABELS.get(axis, axis)

    def counts(self) -> dict[str, int]:
        """How many candidates the comité kept, set aside, and has still to examine."""
        found = {status: 0 for status in PRIORITY_STATUSES}
        for item in self.ranking.all:
            found[self.status(item.key)] += 1
        return found

    def unmatched_items(self) -> list[tuple[str, str]]:
        """``(source in French, label)`` of the evidence no candidate took (no axis, or none of its axis)."""
        kinds = {"ThemeEvidence": "thème des réponses libres", "RankingEvidence": "classement des habitants",
                 "ProfessionalEvidence": "questionnaire des professionnels"}
        return [(kinds.get(type(e).__name__, "autre source"), e.label) for e in self.unmatched]

    def merge_targets(self, key: str) -> list[tuple[str, str]]:
        """``(key, label)`` of the candidates `key` may be merged into."""
        return [(item.key, item.candidate.label) for item in self.ranking.all if item.key != key]


def current_evidence(session: Session, campaign: Campaign, *, build: bool = True):
    """The evidence the candidates rest on: the one the job "priorities" stored, if any.

    When none was ever stored, it is gathered here, synchronously, when `build` (the
    command line, the report); a page passes ``build=False`` and gets ``None``.
    """
    from . import evidence as evidence_service
    from . import stored

    found = stored.stored_evidence(session, campaign, check=False)
    if found is not None:
        return found.evidence
    if not build:
        return None
    return evidence_service.campaign_evidence(session, campaign)


def _build(session: Session, campaign: Campaign, found=None):
    found = found if found is not None else current_evidence(session, campaign)
    candidates = build_candidates(found.indicators, found.themes, found.ranking, found.professional)
    decisions = decisions_of(session, campaign)
    applied, members = apply_decisions(candidates, decisions)
    ranking = rank_candidates(applied, grid_of(session, campaign))
    return found, candidates, decisions, applied, members, ranking


def workspace(session: Session, campaign: Campaign, *, found=None) -> Workspace:
    """Return the ranked candidates with their evidence, the decisions and the history.

    `found` is the evidence to rank (a :class:`.stored.CampaignEvidence`); by default
    :func:`current_evidence`. Decisions and the grid are read each time and applied on
    top: a decision never needs the evidence to be built again.

    Raises
    ------
    ServiceError
        No resident has answered yet, or the residents' questionnaire is not loaded.
    """
    found, candidates, decisions, _applied, members, ranking = _build(session, campaign, found)
    base = {c.key: c for c in candidates}
    orphans = tuple(sorted(k for k in decisions if k not in base))
    return Workspace(campaign, found, ranking, base, decisions, members,
                     tuple(candidates.unmatched), orphans, session.get(PriorityGrid, campaign.id),
                     history(session, campaign, labels={k: c.label for k, c in base.items()}))


def ranked_priorities(session: Session, campaign: Campaign) -> Ranking:
    """Return the campaign's candidate priorities, scored and ranked, decisions applied.

    The candidates are built from every source the campaign has (need indicators of
    the residents, weighted when the campaign has census margins; district and QPV
    gaps after Benjamini-Hochberg; free-text themes of the codebook coding; the
    residents' ranking of priorities; the professionals' questionnaire), then the
    coordinator's decisions are applied: merged candidates are gone and their evidence
    is in the one they were merged into, renamed ones carry their new label, each
    candidate's :class:`~analysis.priorities.Assessment` holds the B, C, PEARL answers
    and note entered, and the ranking uses the campaign's grid (variant and weights).

    Parameters
    ----------
    session : Session
    campaign : Campaign

    Returns
    -------
    analysis.priorities.Ranking
        ``ranked`` (passed the PEARL gate, best first, ranks 1, 2…), ``set_aside``
        (failed a PEARL item), ``insufficient`` (fewer than 11 respondents: no finding);
        ``grid`` and ``formula`` (the French text to print beside the list). Each
        :class:`~analysis.priorities.RankedCandidate` carries its evidence (figures with
        CIs and counts, districts concerned, up to three masked verbatims) and its
        score's parts. The comité's own status (kept, set aside) does not change the
        ranking: see :func:`kept_priorities` and :func:`decision_statuses`.

    Raises
    ------
    ServiceError
        No resident has completed the questionnaire yet (message in French), or the
        residents' questionnaire is not loaded in the campaign.

    Notes
    -----
    The evidence is the one the job "priorities" stored last (even when the data
    changed since: the workspace says it is stale); when it was never built, it is
    gathered here (:func:`.evidence.campaign_evidence`, once per state of the
    campaign's data and per process; the first call in a process builds the free-text
    coder, tens of seconds). Decisions are read each time.
    """
    return _build(session, campaign)[-1]


def kept_priorities(session: Session, campaign: Campaign) -> tuple[RankedCandidate, ...]:
    """Return the candidates the comité kept, in the order of :func:`ranked_priorities`.

    For the report and the residents' public results page. Each item is a
    :class:`~analysis.priorities.RankedCandidate` (``.key``, ``.rank`` — None when the
    grid set it aside or its data are too thin —, ``.candidate`` with its label,
    axis and evidence, ``.score``). Empty when the comité has kept none yet.

    Raises
    ------
    ServiceError
        As :func:`ranked_priorities`.
    """
    ranking = ranked_priorities(session, campaign)
    statuses = decision_statuses(session, campaign)
    return tuple(item for item in ranking.all if statuses.get(item.key) == "kept")


def decision_statuses(session: Session, campaign: Campaign) -> dict[str, str]:
    """Return ``candidate key -> "kept" | "set_aside"`` (candidates absent: still to examine)."""
    rows = session.execute(select(PriorityDecision.candidate_key, PriorityDecision.status)
                           .where(PriorityDecision.campaign_id == campaign.id,
                                  PriorityDecision.status != "proposed"))
    return {key: status for key, status in rows}


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    field: str
    old: str
    new: str


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return STATUS_LABELS.get(value, str(value))
    if name.startswith("pearl."):
        return "oui" if value is True else "non" if value is False else "—"
    if name == "variant":
        return VARIANT_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float)):
        return format_number_fr(float(value), 2)
    return str(value)


def history(session: Session, campaign: Campaign, *, labels: Mapping[str, str] | None = None,
            limit: int = 500) -> list[HistoryEntry]:
    """Every change to the campaign's priorities, the latest first: who, when, what, from, to."""
    labels = dict(labels or {})
    rows = session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.entity_type == AUDIT_ENTITY, AuditEvent.entity_id == str(campaign.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    out = []
    for event, name in rows:
        subject, _, attribute = (event.field or "").partition(":")
        what = "grille de notation" if subject == GRID_PREFIX else labels.get(subject, subject)
        old, new = event.old_value, event.new_value
        if attribute == "merged_into":
            old = labels.get(old, old) if old else old
            new = labels.get(new, new) if new else new
        out.append(HistoryEntry(event.at, name or "compte supprimé", what,
                                FIELD_LABELS.get(attribute, attribute),
                                _shown(attribute, old), _shown(attribute, new)))
    return out


def _record(session, actor, campaign, action, subject, name, old, new) -> None:
    audit.record(session, actor, action, AUDIT_ENTITY, campaign.id, field=f"{subject}:{name}",
                 old=old, new=new)


# --------------------------------------------------------------------------- decisions


def check_score(value, letter: str) -> float | None:
    """Return a B or C value as a float in [0, 10] (None: not entered), or refuse in French."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        raise ServiceError(f"{letter} doit être un nombre entre 0 et 10 (valeur reçue : « {str(value)[:20]} »).") from None
    if not math.isfinite(number) or not 0 <= number <= 10:
        raise ServiceError(f"{letter} doit être comprise entre 0 et 10 (valeur reçue : {str(value)[:20]}).")
    return number


def _candidate_keys(session: Session, campaign: Campaign) -> tuple[set[str], dict]:
    found = current_evidence(session, campaign)
    candidates = build_candidates(found.indicators, found.themes, found.ranking, found.professional)
    return {c.key for c in candidates}, {c.key: c.label for c in candidates}


def _decision(session: Session, campaign: Campaign, key: str, *, create: bool = True) -> PriorityDecision | None:
    """The stored decision of `key`; a new one (added to the session) when there is none and `create`.

    Two coordinators deciding on the same new candidate at the same moment: the second
    commit fails on the unique key (the views say so; nothing of it is stored). A
    savepoint would not do: on SQLite, releasing the outermost one commits.
    """
    row = session.scalar(select(PriorityDecision).where(
        PriorityDecision.campaign_id == campaign.id, PriorityDecision.candidate_key == key))
    if row is None and create:
        row = PriorityDecision(campaign_id=campaign.id, candidate_key=key, status="proposed", pearl={},
                               note="")
        session.add(row)
    return row


def _known(session, campaign, key) -> dict:
    keys, labels = _candidate_keys(session, campaign)
    if key not in keys:
        raise ServiceError(f"La priorité candidate « {str(key)[:60]} » n'existe pas (ou plus) dans cette campagne.")
    return labels


def update_decision(session: Session, campaign: Campaign, actor: User, key: str, *,
                    label: str | None = None, status: str = "proposed",
                    seriousness=None, effectiveness=None,
                    pearl: Mapping[str, bool | None] | None = None, note: str = "") -> list[str]:
    """Store what the coordinator decided for candidate `key`; return the fields changed.

    Every value is checked first; on any problem nothing is changed and a
    :class:`ServiceError` lists every problem in French. Each changed field is an audit
    event. ``label`` empty keeps the label from the data; ``seriousness`` (B) and
    ``effectiveness`` (C) None leave the grid's proposal or default.
    """
    labels = _known(session, campaign, key)
    problems = []
    label = " ".join((label or "").split()) or None
    if label is not None and len(label) > MAX_LABEL:
        problems.append(f"Le libellé ne doit pas dépasser {MAX_LABEL} caractères.")
    if label == labels.get(key):
        label = None
    if status not in PRIORITY_STATUSES:
        problems.append("Choisissez la décision du comité : à examiner, retenue ou écartée.")
    values = {}
    for name, value, letter in (("seriousness", seriousness, "La gravité (B)"),
                                ("effectiveness", effectiveness, "L'efficacité (C)")):
        try:
            values[name] = check_score(value, letter)
        except ServiceError as error:
            problems.append(str(error))
    pearl = dict(pearl or {})
    unknown = sorted(set(pearl) - set(PEARL_ITEMS))
    if unknown or any(v not in (True, False, None) for v in pearl.values()):
        problems.append("Chaque critère PEARL se juge par oui, par non, ou reste non évalué.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        problems.append(f"La note ne doit pas dépasser {MAX_NOTE} caractères (elle en a {len(note)}).")
    if problems:
        raise ServiceError(" ".join(problems))
    row = _decision(session, campaign, key)
    if row.merged_into:
        raise ServiceError(f"« {labels.get(key, key)} » est regroupée avec « "
                           f"{labels.get(row.merged_into, row.merged_into)} » : modifiez cette dernière, "
                           "ou séparez-les d'abord.")
    wanted = {"label": label, "status": status, **values, "note": note}
    changed = []
    for name, value in wanted.items():
        old = getattr(row, name)
        if name in ("label", "note"):  # empty and missing text are the same
            old, value = old or None, value or None
        if old != value:
            _record(session, actor, campaign, "priority.decision", key, name, old, value)
            setattr(row, name, value if name != "note" else value or "")
            changed.append(name)
    stored = dict(row.pearl or {})
    for item in PEARL_ITEMS:
        old, new = stored.get(item), pearl.get(item)
        if old != new:
            _record(session, actor, campaign, "priority.decision", key, f"pearl.{item}", old, new)
            changed.append(f"pearl.{item}")
    if any(c.startswith("pearl.") for c in changed):
        row.pearl = {item: pearl[item] for item in PEARL_ITEMS if pearl.get(item) is not None}
    if changed:
        row.updated_by_id = actor.id if actor is not None else None
        session.flush()
    return changed


def merge(session: Session, campaign: Campaign, actor: User, key: str, into: str) -> None:
    """Merge candidate `key` into `into`: its evidence joins `into`'s, it leaves the list."""
    labels = _known(session, campaign, key)
    if not into:
        raise ServiceError("Choisissez la priorité candidate avec laquelle regrouper celle-ci.")
    if into not in labels:
        raise ServiceError(f"La priorité candidate « {str(into)[:60]} » n'existe pas (ou plus) dans cette campagne.")
    if into == key:
        raise ServiceError("Une priorité candidate ne peut pas être regroupée avec elle-même.")
    decisions = decisions_of(session, campaign)
    target = decisions.get(into)
    if target is not None and target.merged_into:
        raise ServiceError(f"« {labels[into]} » est elle-même regroupée avec « "
                           f"{labels.get(target.merged_into, target.merged_into)} » : choisissez cette dernière.")
    row = _decision(session, campaign, key)
    if row.merged_into == into:
        return
    _record(session, actor, campaign, "priority.merge", key, "merged_into", row.merged_into, into)
    row.merged_into = into
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()


def separate(session: Session, campaign: Campaign, actor: User, key: str) -> None:
    """Undo the merge of candidate `key`: it is listed again with its own evidence."""
    _known(session, campaign, key)
    row = _decision(session, campaign, key, create=False)
    if row is None or not row.merged_into:
        raise ServiceError("Cette priorité candidate n'est regroupée avec aucune autre.")
    _record(session, actor, campaign, "priority.merge", key, "merged_into", row.merged_into, None)
    row.merged_into = None
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()


def check_weight(value, name: str) -> float:
    """Return a weight of the grid as a float in [0, MAX_WEIGHT], or refuse in French."""
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ServiceError(f"{name} doit être un nombre entre 0 et {MAX_WEIGHT:g} (valeur reçue : « {str(value)[:20]} »).") from None
    if not math.isfinite(number) or not 0 <= number <= MAX_WEIGHT:
        raise ServiceError(f"{name} doit être compris entre 0 et {MAX_WEIGHT:g} (valeur reçue : {str(value)[:20]}).")
    return number


def set_grid(session: Session, campaign: Campaign, actor: User, *, variant: str,
             inequity_weight, demand_weight) -> list[str]:
    """Adjust the campaign's grid (variant, weights of I and D); return the fields changed."""
    problems, values = [], {}
    if variant not in VARIANTS:
        problems.append("Choisissez la variante de la grille : forme usuelle de Hanlon, ou B doublé.")
    for name, value, text in (("inequity_weight", inequity_weight, "Le poids des inégalités (I)"),
                              ("demand_weight", demand_weight, "Le poids de la demande exprimée (D)")):
        try:
            values[name] = check_weight(value, text)
        except ServiceError as error:
            problems.append(str(error))
    if problems:
        raise ServiceError(" ".join(problems))
    row = session.get(PriorityGrid, campaign.id)
    if row is None:
        default = ScoringGrid()
        row = PriorityGrid(campaign_id=campaign.id, variant=default.variant,
                           inequity_weight=default.inequity_weight, demand_weight=default.demand_weight)
        session.add(row)
    changed = []
    for name, value in {"variant": variant, **values}.items():
        old = getattr(row, name)
        if old != value:
            _record(session, actor, campaign, "priority.grid", GRID_PREFIX, name, old, value)
            setattr(row, name, value)
            changed.append(name)
    if changed:
        row.updated_by_id = actor.id if actor is not None else None
        session.flush()
    return changed
