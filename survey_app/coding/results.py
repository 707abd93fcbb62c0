"""What coding gives the analysis: progress, agreement, emerging themes, theme shares."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AnswerCoding, Campaign, User
from .services import answer_id, coder_state
from ..findings.themes import design_estimator, publishable
from ..questionnaire import NSP_CODE

#: How the district of a resident who answered « je ne sais pas » is shown (as in the report).
NOT_SPECIFIED = "Quartier non précisé"

MAIN_THEME_LABEL = "Thème principal"


@dataclass
class CodingProgress:
    """How far coding has gone."""

    answers: int
    useful: int
    #: Answers a person coded.
    human: int
    #: Useful answers with a theme (automatic or human).
    coded: int
    #: People who coded.
    coders: int

    @property
    def coverage(self) -> float:
        """Share of the useful answers that have a theme."""
        return self.coded / self.useful if self.useful else 0.0


def coding_progress(session: Session, campaign: Campaign, question_id: str | None = None) -> CodingProgress:
    """Return the counts shown above the coding screen."""
    state = coder_state(session, campaign, question_id)
    with state.lock:
        useful = state.coder.useful
        coded = set(state.codings()["answer_id"])
        answers = state.coder.answers["answer_id"]
        people = {c for coded_by in state.coder.human.values() for c in coded_by}
        return CodingProgress(answers=len(answers), useful=int(useful.sum()), human=len(state.coder.human),
                              coded=int(answers[useful].isin(coded).sum()), coders=len(people))


@dataclass
class Agreement:
    """Cohen's kappa between the two people who coded the most answers in common."""

    first: str
    second: str
    n: int
    #: ``theme, label, n, agreement, kappa, positive_first, positive_second``; the last
    #: row is the main theme.
    table: pd.DataFrame


def agreement(session: Session, campaign: Campaign, question_id: str | None = None, *,
              min_common: int = 2) -> Agreement | None:
    """Return the agreement of two coders on the answers both coded (None: no such pair)."""
    state = coder_state(session, campaign, question_id)
    with state.lock:
        pairs = Counter(pair for coded in state.coder.human.values()
                        for pair in combinations(sorted(coded), 2))
        if not pairs:
            return None
        (first, second), n = pairs.most_common(1)[0]
        if n < min_common:
            return None
        table = state.coder.agreement(first, second)
        labels = state.coder.codebook.labels()
    table.insert(1, "label", [labels.get(t, MAIN_THEME_LABEL) for t in table["theme"]])
    # themes neither person gave say nothing about agreement
    used = (table["positive_first"].fillna(1) + table["positive_second"].fillna(1)) > 0
    names = _names(session, [first, second])
    return Agreement(names[first], names[second], int(n), table[used].reset_index(drop=True))


def _names(session: Session, coders) -> dict[str, str]:
    ids = [int(c) for c in coders if str(c).isdigit()]
    found = {str(i): name for i, name in session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))}
    return {c: found.get(str(c), f"compte {c}") for c in coders}


def emerging_themes(session: Session, campaign: Campaign, question_id: str | None = None, *,
                    n_examples: int = 5) -> pd.DataFrame:
    """Return candidate new themes (top terms, typical answers) from the useful answers
    no theme of the codebook reaches (see :meth:`analysis.coding.Coder.emerging_themes`)."""
    state = coder_state(session, campaign, question_id)
    with state.lock:
        if "emerging" not in state.memo:
            state.memo["emerging"] = state.coder.emerging_themes(n_examples=n_examples)
        return state.memo["emerging"]


@dataclass
class ThemeShares:
    """Weighted share of respondents per theme, overall and by district."""

    #: ``theme, label, domain, district, n, estimate, ci_low, ci_high, suppressed, fragile``.
    overall: pd.DataFrame
    by_district: pd.DataFrame
    #: How the shares are weighted, in French.
    weighting: str


def theme_shares(session: Session, campaign: Campaign, question_id: str | None = None) -> ThemeShares:
    """Return the share of residents who raise each theme, with its confidence interval.

    The coding is the coder's current one (a person's latest coding wins). With census
    margins the estimator is the survey design's (:func:`.themes.design_estimator`);
    the base is the respondents with at least one useful open answer.
    """
    state = coder_state(session, campaign, question_id)
    sample = state.answers.sample
    estimator = design_estimator(sample) if sample is not None else None
    with state.lock:
        if "shares" not in state.memo:
            overall = state.coder.shares(estimator=estimator)
            by_district = state.coder.shares("district", estimator=estimator)
            state.memo["shares"] = (overall, by_district)
        overall, by_district = state.memo["shares"]
    # Residents who did not say their district are kept (weighted on the other margins).
    names = {NSP_CODE: NOT_SPECIFIED, **{d.code: d.name for d in campaign.districts}}
    overall = overall.assign(district=None)
    by_district = by_district.assign(district=by_district["domain"].map(lambda c: names.get(c, c)))
    return ThemeShares(publishable(overall), publishable(by_district, sets=[["theme"]]), state.answers.weighting)


def response_themes(session: Session, campaign: Campaign, question_id: str | None = None) -> pd.DataFrame:
    """Return the stored themes of each answer: ``response_id, question_id, answer_id,
    themes`` (main first), ``main_theme, source, coder_id, created_at``.

    A person's latest coding wins over the automatic one; otherwise the latest
    automatic run (see :func:`.coding.run_auto_coding`) gives the themes.
    """
    query = (select(AnswerCoding.id, AnswerCoding.response_id, AnswerCoding.question_id,
                    AnswerCoding.source, AnswerCoding.coder_id, AnswerCoding.themes, AnswerCoding.created_at)
             .where(AnswerCoding.campaign_id == campaign.id))
    if question_id is not None:
        query = query.where(AnswerCoding.question_id == question_id)
    columns = ["id", "response_id", "question_id", "source", "coder_id", "themes", "created_at"]
    frame = pd.DataFrame(session.execute(query).all(), columns=columns)
    out = ["response_id", "question_id", "answer_id", "themes", "main_theme", "source", "coder_id", "created_at"]
    if frame.empty:
        return pd.DataFrame(columns=out)
    frame["human"] = frame["source"] == "human"
    frame = frame.sort_values(["human", "id"]).groupby(["response_id", "question_id"], sort=True).tail(1)
    frame["answer_id"] = [answer_id(r, q) for r, q in zip(frame["response_id"], frame["question_id"])]
    frame["themes"] = frame["themes"].map(lambda t: list(t or []))
    frame["main_theme"] = frame["themes"].map(lambda t: t[0] if t else None)
    return frame.sort_values(["response_id", "question_id"])[out].reset_index(drop=True)
