"""Questionnaire versions in the database: load, compare, list."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Answer, Campaign, QuestionnaireVersion, Response, User
from ..questionnaire import Definition, DefinitionDiff, diff_definitions, load_definition
from ..questionnaire.model import OTHER_SUFFIX
from ..domain import ServiceError
from .. import audit
from ..infra import caches


@dataclass
class LoadPlan:
    """What loading a file would do, computed before anything is written."""

    definition: Definition
    current: QuestionnaireVersion | None
    diff: DefinitionDiff | None
    #: Breaking changes that touch existing responses (French sentences).
    conflicts: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return self.current is not None and self.current.content_hash == self.definition.content_hash

    @property
    def next_version(self) -> int:
        return 1 if self.current is None else self.current.version + 1


def campaign_axes(campaign: Campaign) -> dict | None:
    """Return the campaign's CLS axes, or ``None`` for the default set."""
    return campaign.axes or None


def current_version(session: Session, campaign: Campaign, key: str) -> QuestionnaireVersion | None:
    return session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.campaign_id == campaign.id,
            QuestionnaireVersion.key == key,
            QuestionnaireVersion.is_current.is_(True),
        )
    )


def current_versions(session: Session, campaign: Campaign) -> list[QuestionnaireVersion]:
    return list(
        session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.is_current.is_(True))
            .order_by(QuestionnaireVersion.key)
        )
    )


def definition_of(version: QuestionnaireVersion) -> Definition:
    """Rebuild the definition stored with ``version`` once per content, then reuse it
    (``caches.DEFINITIONS``). On a hit the (deferrable) ``definition`` column is not even read."""
    found = caches.DEFINITIONS.get(version.content_hash)
    if found is None:
        found = caches.DEFINITIONS.put(version.content_hash, Definition.from_dict(
            version.definition, source=f"{version.key} v{version.version}"))
    return found


def definition_by_hash(session: Session, version_id: int, content_hash: str, source: str) -> Definition:
    """Like :func:`definition_of` for a version known by id and content hash: the stored
    definition is read only the first time this content is seen."""
    found = caches.DEFINITIONS.get(content_hash)
    if found is None:
        data = session.scalar(select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == version_id))
        found = caches.DEFINITIONS.put(content_hash, Definition.from_dict(data, source=source))
    return found


def used_codes(session: Session, campaign: Campaign, key: str) -> dict[str, set[str]]:
    """Return, per question id, the codes (or matrix rows) existing responses use."""
    rows = session.execute(
        select(Answer.question_id, Answer.value_text, Answer.value_json)
        .join(Response, Answer.response_id == Response.id)
        .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
        .where(QuestionnaireVersion.campaign_id == campaign.id, QuestionnaireVersion.key == key)
    )
    used: dict[str, set[str]] = {}
    for question_id, text, value in rows:
        question_id = question_id.removesuffix(OTHER_SUFFIX)
        codes = used.setdefault(question_id, set())
        if isinstance(value, list):
            codes.update(str(v) for v in value)
        elif isinstance(value, dict):
            codes.update(str(k) for k in value)  # matrix rows
            codes.update(str(v) for v in value.values())
        elif text is not None:
            codes.add(text)
    return used


def plan_load(session: Session, campaign: Campaign, path: str | Path) -> LoadPlan:
    """Validate ``path`` and tell what loading it into ``campaign`` would change."""
    return plan_definition(session, campaign, load_definition(path, axes=campaign_axes(campaign)))


def plan_definition(session: Session, campaign: Campaign, definition: Definition) -> LoadPlan:
    """Tell what loading the validated ``definition`` into ``campaign`` would change."""
    current = current_version(session, campaign, definition.id)
    if current is None:
        return LoadPlan(definition, None, None)
    diff = diff_definitions(definition_of(current), definition)
    conflicts = diff.conflicts(used_codes(session, campaign, definition.id)) if diff.is_breaking else []
    return LoadPlan(definition, current, diff, conflicts)


def apply_load(
    session: Session, campaign: Campaign, plan: LoadPlan, *, source_name: str, actor: User | None = None, accept_conflicts: bool = False
) -> QuestionnaireVersion:
    """Store the planned version; refuse conflicts with existing responses unless accepted."""
    if plan.unchanged:
        return plan.current
    if plan.conflicts and not accept_conflicts:
        raise ServiceError(
            "Cette version supprime ou modifie ce que des réponses existantes utilisent :\n- "
            + "\n- ".join(plan.conflicts)
        )
    if plan.current is not None:
        plan.current.is_current = False
        session.flush()
    version = QuestionnaireVersion(
        campaign_id=campaign.id,
        key=plan.definition.id,
        version=plan.next_version,
        content_hash=plan.definition.content_hash,
        definition=plan.definition.to_dict(),
        source_name=source_name,
        is_current=True,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "questionnaire.load",
        "questionnaire_version",
        version.id,
        new={"campaign": campaign.slug, "key": version.key, "version": version.version, "hash": version.content_hash},
    )
    return version


def load_file(
    session: Session, campaign: Campaign, path: str | Path, *, actor: User | None = None, accept_conflicts: bool = False
) -> QuestionnaireVersion:
    """Validate and load ``path`` as the campaign's current version (see :func:`plan_load`)."""
    plan = plan_load(session, campaign, path)
    return apply_load(session, campaign, plan, source_name=Path(path).name, actor=actor, accept_conflicts=accept_conflicts)


def list_versions(session: Session) -> list[tuple[QuestionnaireVersion, str, int]]:
    """Return every version with its campaign slug and number of responses."""
    counts = (
        select(Response.questionnaire_version_id, func.count().label("n"))
        .group_by(Response.questionnaire_version_id)
        .subquery()
    )
    rows = session.execute(
        select(QuestionnaireVersion, Campaign.slug, func.coalesce(counts.c.n, 0))
        .join(Campaign, QuestionnaireVersion.campaign_id == Campaign.id)
        .outerjoin(counts, counts.c.questionnaire_version_id == QuestionnaireVersion.id)
        .order_by(Campaign.slug, QuestionnaireVersion.key, QuestionnaireVersion.version)
    )
    return [tuple(row) for row in rows]
