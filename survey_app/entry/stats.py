"""The coordinator's view of keying: per agent and day, per question, per agent."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..campaigns.questionnaires import definition_of
from ..models import Campaign, FormState, PaperDiscrepancy, PaperEntry, PaperForm, QuestionnaireVersion, User
from .reconciliation import same


@dataclass
class AgentDay:
    agent: str
    day: str
    keyed: int = 0
    awaiting_second: int = 0


@dataclass
class QuestionRate:
    question_id: str
    label: str
    discrepancies: int
    compared: int

    @property
    def rate(self) -> float:
        return self.discrepancies / self.compared if self.compared else 0.0


@dataclass
class AgentRate:
    agent: str
    double_keyed: int = 0
    discrepancies: int = 0
    #: Differences where the paper's value showed this agent's entry wrong.
    errors: int = 0
    compared: int = 0

    @property
    def rate(self) -> float:
        return self.discrepancies / self.compared if self.compared else 0.0


@dataclass
class StateCounts:
    """Forms of the campaign by state, and how many the analysis reads (cancelled ones left out)."""

    keyed: int = 0
    awaiting_second: int = 0
    reconciling: int = 0
    validated: int = 0
    incomplete: int = 0

    @property
    def analysed(self) -> int:
        """Forms whose response the analysis, the progress and the exports count: keyed once with no
        second entry asked, or validated."""
        return self.keyed + self.validated

    @property
    def waiting(self) -> int:
        """Forms keyed that do not count yet: awaiting their second entry or their reconciliation."""
        return self.awaiting_second + self.reconciling


@dataclass
class EntryStats:
    by_agent_day: list[AgentDay] = field(default_factory=list)
    by_question: list[QuestionRate] = field(default_factory=list)
    by_agent: list[AgentRate] = field(default_factory=list)
    awaiting_second: int = 0
    reconciling: int = 0
    states: StateCounts = field(default_factory=StateCounts)


def state_counts(session: Session, campaign: Campaign) -> StateCounts:
    """Count the campaign's paper forms per state (one query)."""
    from sqlalchemy import func

    rows = session.execute(select(PaperForm.state, func.count()).where(PaperForm.campaign_id == campaign.id)
                           .group_by(PaperForm.state)).all()
    found = {state: n for state, n in rows}
    return StateCounts(found.get(FormState.KEYED, 0), found.get(FormState.AWAITING_SECOND, 0),
                       found.get(FormState.RECONCILING, 0), found.get(FormState.VALIDATED, 0),
                       found.get(FormState.INCOMPLETE, 0))


def entry_stats(session: Session, campaign: Campaign) -> EntryStats:
    """Keying figures of the campaign (cancelled forms left out)."""
    rows = session.execute(
        select(PaperEntry, PaperForm.state, PaperForm.questionnaire_version_id)
        .join(PaperForm, PaperForm.id == PaperEntry.form_id)
        .where(PaperForm.campaign_id == campaign.id, PaperForm.state != FormState.CANCELLED)
    ).all()
    names = {u.id: u.display_name for u in session.scalars(select(User))}
    days: dict[tuple, AgentDay] = {}
    by_form: dict[int, dict[int, PaperEntry]] = defaultdict(dict)
    version_of: dict[int, int] = {}
    stats = EntryStats()
    for entry, state, version_id in rows:
        name = names.get(entry.agent_id, "—")
        day = entry.created_at.date().isoformat()
        slot = days.setdefault((entry.agent_id, day), AgentDay(name, day))
        slot.keyed += 1
        if entry.round == 1 and state is FormState.AWAITING_SECOND:
            slot.awaiting_second += 1
        by_form[entry.form_id][entry.round] = entry
        version_of[entry.form_id] = version_id
    stats.by_agent_day = sorted(days.values(), key=lambda d: (d.day, d.agent), reverse=True)
    states = Counter(state for _e, state, _v in rows if _e.round == 1)
    stats.awaiting_second, stats.reconciling = states[FormState.AWAITING_SECOND], states[FormState.RECONCILING]
    stats.states = state_counts(session, campaign)

    double = {fid: entries for fid, entries in by_form.items() if 1 in entries and 2 in entries}
    versions = {v.id: v for v in session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.id.in_({version_of[f] for f in double} or {0})))}
    discrepancies = list(session.scalars(select(PaperDiscrepancy).where(
        PaperDiscrepancy.form_id.in_(list(double) or [0]))))
    per_form = defaultdict(list)
    for item in discrepancies:
        per_form[item.form_id].append(item)
    questions: dict[str, QuestionRate] = {}
    agents: dict[int | None, AgentRate] = {}
    for form_id, entries in double.items():
        definition = definition_of(versions[version_of[form_id]])
        answerable = [q for q in definition.questions.values() if q.answerable]
        for q in answerable:
            rate = questions.setdefault(q.id, QuestionRate(q.id, q.label("fr"), 0, 0))
            rate.compared += 1
        for round_, entry in entries.items():
            agent = agents.setdefault(entry.agent_id, AgentRate(names.get(entry.agent_id, "—")))
            agent.double_keyed += 1
            agent.compared += len(answerable)
            for item in per_form[form_id]:
                agent.discrepancies += 1
                mine = item.first if round_ == 1 else item.second
                if item.paper is not None and not same(mine, item.paper):
                    agent.errors += 1
        for item in per_form[form_id]:
            if item.question_id in questions:
                questions[item.question_id].discrepancies += 1
    stats.by_question = sorted((q for q in questions.values() if q.discrepancies),
                               key=lambda q: (-q.rate, q.question_id))
    stats.by_agent = sorted(agents.values(), key=lambda a: a.agent)
    return stats
