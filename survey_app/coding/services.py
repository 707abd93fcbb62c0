"""Coding what residents wrote: the answers to code, the coordinator in the loop.

The coordinator checks the answers the system is least sure of; each coding is a new
:class:`~survey_app.models.AnswerCoding` row (never updated) and an audit event, and
the automatic coding of every other answer is recomputed at once
(:class:`analysis.coding.Coder`). The campaign's codebook is in :mod:`.codebook`
(re-exported here); results for the analysis (agreement, emerging themes, weighted
shares) are in :mod:`.coding_results`.

Coders are kept per process (:mod:`._coding_cache`): building one reads the answers
and their lemmas, and each request only replays the human codings other workers
stored since.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from analysis.coding import Coder

from ..models import AnswerCoding, Campaign, Response, User
from ..domain import ServiceError
from .. import audit
from ..findings import frame as exports
from ..campaigns import margins
from .cache import CoderState, cached_state, lemma_cache
# the codebook belongs to coding: its functions are part of this module's interface
from .codebook import (  # noqa: F401
    CodebookInvalid, add_theme, campaign_codebook, codebook_hash, codebook_row, codebook_yaml,
    parsed_codebook, reject_term, save_codebook,
)
from ..findings.frame import ANALYSED_STATUSES
from ..findings.weights import WeightedSample, weight_sample

#: The questionnaire whose open answers are coded.
QUESTIONNAIRE = "resident"
Progress = Callable[[int, int], None]


class UnknownAnswer(ServiceError):
    """The answer to code is not (or no longer) among the campaign's open answers."""


class UnknownTheme(ServiceError):
    """A theme key that the campaign's codebook does not have."""


class StaleAnswer(ServiceError):
    """Someone else coded the answer while the coordinator was reading it."""


# --- the answers to code --------------------------------------------------------------------

@dataclass
class CodingAnswers:
    """The open answers of the resident questionnaire, one row per answer."""

    #: ``answer_id, response_id, question_id, text, district, weight``.
    frame: pd.DataFrame
    #: Open questions: id -> French label.
    questions: dict[str, str]
    #: The weighted sample when the campaign has census margins, else None.
    sample: WeightedSample | None
    #: What the weights are, in French, for the coordinator.
    weighting: str


def answer_id(response_id: int, question_id: str) -> str:
    """Return the id of one answer in the coder: ``"<response_id>:<question_id>"``."""
    return f"{int(response_id)}:{question_id}"


def parse_answer_id(value: str) -> tuple[int, str]:
    """Split an answer id; raise :class:`UnknownAnswer` when it is malformed."""
    response, _, question = str(value or "").partition(":")
    try:
        return int(response), question
    except ValueError:
        raise UnknownAnswer(f"Réponse inconnue : « {str(value)[:40]} ».") from None


def coding_answers(session: Session, campaign: Campaign, question_id: str | None = None) -> CodingAnswers:
    """Return the open (long text) answers to code: all open questions or one.

    Every complete response is coded. The weight is the raking weight when the campaign
    has census margins (0 for respondents left out of weighting, who then count in no
    weighted share); without margins, or when weighting fails, every weight is 1 and
    :attr:`CodingAnswers.weighting` says so.
    """
    sample, table = None, None
    weighting = "Parts non pondérées (poids 1) : la campagne n'a pas de marges de recensement."
    if not margins.margins_frame(session, campaign).empty:
        try:
            sample = weight_sample(session, campaign, QUESTIONNAIRE)
        except ServiceError as error:
            weighting = f"Parts non pondérées (poids 1) : {error}"
        else:
            # the weighted respondents and those left out of weighting: every response
            table, definition = pd.concat([sample.table, sample.excluded], ignore_index=True), sample.definition
            from ..weighting.services import margin_labels

            names = margin_labels(session, campaign).variable_list(sample.settings["variables"])
            weighting = f"Parts pondérées par calage sur les marges du recensement ({names})."
    if table is None:
        table, definition = exports.tidy_responses(session, campaign, QUESTIONNAIRE)
    weights = pd.Series(1.0, index=table["response_id"])
    if sample is not None:
        weights = pd.Series(np.asarray(sample.design.weights, dtype=float),
                            index=sample.table["response_id"]).reindex(table["response_id"]).fillna(0.0)
    questions = {q.id: q.label("fr") for q in definition.questions.values() if q.type == "longtext"}
    if question_id is not None:
        if question_id not in questions:
            raise ServiceError(f"« {question_id} » n'est pas une question ouverte de ce questionnaire.")
        questions = {question_id: questions[question_id]}
    district = definition.question_for_role("district")
    parts = []
    for question in questions:
        if question not in table.columns:
            continue
        answered = table[question].notna() & (table[question].astype(str).str.strip() != "")
        ids = table.loc[answered, "response_id"].to_numpy()
        parts.append(pd.DataFrame({
            "answer_id": [answer_id(r, question) for r in ids],
            "response_id": ids.astype(int),
            "question_id": question,
            "text": table.loc[answered, question].astype(str).to_numpy(),
            "district": table.loc[answered, district.id].to_numpy() if district is not None else None,
            "weight": weights.reindex(ids).to_numpy(dtype=float),
        }))
    if not parts or sum(len(p) for p in parts) == 0:
        raise ServiceError("Aucune réponse aux questions ouvertes à coder.")
    frame = pd.concat(parts, ignore_index=True)
    frame["district"] = frame["district"].astype(object).where(frame["district"].notna(), None)
    return CodingAnswers(frame, questions, sample, weighting)


def _data_fingerprint(session: Session, campaign: Campaign) -> tuple:
    """Cheap signature of the analysed responses: a new or excluded one changes it."""
    count, last = session.execute(
        select(func.count(Response.id), func.max(Response.id))
        .where(Response.campaign_id == campaign.id, Response.status.in_(list(ANALYSED_STATUSES)))
    ).one()
    # created_at: ids are reused after a database is emptied (SQLite), a campaign's birth is not
    return str(campaign.created_at), int(count or 0), int(last or 0)


def coder_state(session: Session, campaign: Campaign, question_id: str | None = None, *,
                progress: Progress | None = None, vectors="default") -> CoderState:
    """Return the campaign's coder (built on first use), in step with the stored codings."""
    row = codebook_row(session, campaign)
    definition = row.definition
    key = (campaign.id, question_id or "*", codebook_hash(definition), _data_fingerprint(session, campaign))

    def build() -> tuple[Coder, CodingAnswers]:
        answers = coding_answers(session, campaign, question_id)
        coder = Coder(answers.frame, parsed_codebook(definition), cache=lemma_cache(session),
                      vectors=vectors, progress=progress)
        return coder, answers

    state = cached_state(key, build)
    state.coder.cache = lemma_cache(session)
    state.sync(_human_rows(session, campaign, question_id, state.since()))
    return state


def _human_rows(session: Session, campaign: Campaign, question_id: str | None, since: int):
    query = (select(AnswerCoding.id, AnswerCoding.response_id, AnswerCoding.question_id,
                    AnswerCoding.coder_id, AnswerCoding.themes)
             .where(AnswerCoding.campaign_id == campaign.id, AnswerCoding.source == "human",
                    AnswerCoding.id > since)
             .order_by(AnswerCoding.id))
    if question_id is not None:
        query = query.where(AnswerCoding.question_id == question_id)
    return [(i, answer_id(r, q), str(c) if c is not None else "?", list(t or []))
            for i, r, q, c, t in session.execute(query)]


# --- the coordinator ----------------------------------------------------------------------

@dataclass
class AnswerToCheck:
    """One answer shown to the coordinator, with what the system proposes."""

    answer_id: str
    response_id: int
    question_id: str
    question_label: str
    text: str
    district: str | None
    #: Proposed themes (main first), then a few candidates below the threshold.
    proposals: list = field(default_factory=list)
    #: Keys of the proposed themes (pre-ticked).
    proposed: list[str] = field(default_factory=list)
    #: Id of the latest human coding of the answer when it was read (0: none).
    seen: int = 0
    #: Reason the answer says nothing ("useless", "courtesy"...), else None.
    excluded: str | None = None
    #: Why each theme is proposed (:class:`analysis.coding.ThemeEvidence`), main first.
    evidence: list = field(default_factory=list)


def latest_human_id(session: Session, campaign: Campaign, response_id: int, question_id: str) -> int:
    """Return the id of the latest human coding of an answer (0 when never coded)."""
    return int(session.scalar(
        select(func.max(AnswerCoding.id)).where(
            AnswerCoding.campaign_id == campaign.id, AnswerCoding.response_id == response_id,
            AnswerCoding.question_id == question_id, AnswerCoding.source == "human")) or 0)


def answer_to_check(session: Session, campaign: Campaign, answer: str, state: CoderState, *,
                    blind: bool = False, candidates: int = 3) -> AnswerToCheck:
    """Return one answer with its proposals; `blind` hides other people's codings."""
    response_id, question_id = parse_answer_id(answer)
    if answer not in state.ids:
        raise UnknownAnswer(f"Réponse inconnue : « {answer[:40]} » (elle a peut-être été exclue).")
    position = state.positions[answer]
    row = state.answers.frame.iloc[position]
    with state.lock:
        proposals = [] if blind else state.coder.propose(answer, candidates=candidates)
        proposed = [] if blind else [p.theme for p in state.coder.propose(answer)]
        evidence = [] if blind else state.coder.evidence(answer, minimum=0.2)[:4]
        excluded = state.coder.answers["excluded"].iat[position]
    return AnswerToCheck(answer, response_id, question_id,
                         state.answers.questions.get(question_id, question_id), row["text"],
                         row["district"], proposals, proposed,
                         latest_human_id(session, campaign, response_id, question_id),
                         excluded if isinstance(excluded, str) else None, evidence)


def next_answer(session: Session, campaign: Campaign, actor: User, question_id: str | None = None, *,
                double: bool = False) -> AnswerToCheck | None:
    """Return the next answer for `actor` to check (None when there is none left).

    Normally the answer the system learns most from; with `double`, an answer another
    person coded and `actor` did not, shown without their coding (to measure agreement).
    """
    state = coder_state(session, campaign, question_id)
    with state.lock:
        if double:
            me = str(actor.id)
            rows = sorted(row for row, coded in state.coder.human.items() if me not in coded)
            ids = [state.coder.answers["answer_id"].iat[row] for row in rows]
        else:
            ids = state.coder.next_to_check(1)
    if not ids:
        return None
    return answer_to_check(session, campaign, ids[0], state, blind=double)


def record_coding(session: Session, campaign: Campaign, actor: User, response_id: int, question_id: str,
                  themes: Iterable[str], *, scope: str | None = None, seen: int | None = None) -> AnswerCoding:
    """Store a person's coding of one answer (empty themes: "not codable"), audit it,
    and recompute the automatic coding of the other answers.

    `scope` is the question the coordinator works on (None: all open questions);
    with `seen` (the latest coding id they saw), a coding someone else stored in the
    meantime is not overwritten: :class:`StaleAnswer`.
    """
    themes = list(dict.fromkeys(str(t) for t in themes))
    answer = answer_id(response_id, question_id)
    state = coder_state(session, campaign, scope)
    if answer not in state.ids:
        raise UnknownAnswer(f"Réponse inconnue : « {answer} » (elle a peut-être été exclue).")
    keys = state.coder.codebook.keys
    unknown = [t for t in themes if t not in keys]
    if unknown:
        raise UnknownTheme(f"Thème inconnu de la grille de codage : {', '.join(f'« {t[:40]} »' for t in unknown)}.")
    previous = session.scalar(
        select(AnswerCoding).where(AnswerCoding.campaign_id == campaign.id,
                                   AnswerCoding.response_id == response_id,
                                   AnswerCoding.question_id == question_id,
                                   AnswerCoding.source == "human")
        .order_by(AnswerCoding.id.desc()).limit(1))
    if seen is not None and previous is not None and previous.id > seen and previous.coder_id != actor.id:
        raise StaleAnswer("Cette réponse vient d'être codée par une autre personne pendant que vous la "
                          "lisiez : votre codage n'a pas été enregistré. Rechargez-la pour voir le sien.")
    row = AnswerCoding(campaign_id=campaign.id, response_id=response_id, question_id=question_id,
                       source="human", coder_id=actor.id, themes=themes, confidences={})
    session.add(row)
    session.flush()
    audit.record(session, actor, "coding.record", "answer", answer,
                 old={"themes": previous.themes, "coder": previous.coder_id} if previous is not None else None,
                 new={"themes": themes, "source": "human", "coding": row.id})
    state.apply([(row.id, answer, str(actor.id), themes)])
    return row


# --- automatic coding -----------------------------------------------------------------------

#: Bins of the main theme's confidence reported after an automatic run.
CONFIDENCE_BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class AutoCodingResult:
    """What an automatic run coded."""

    answers: int
    #: Answers that say nothing ("rien", "RAS", politeness).
    useless: int
    #: Useful answers given at least one theme (by the model or a person).
    coded: int
    #: Answers a person coded.
    human: int
    #: Main-theme confidence of the answers the model coded: (label, count).
    distribution: list[tuple[str, int]]
    #: Deciles of that confidence (empty when nothing was coded automatically).
    deciles: list[float]

    @property
    def useful(self) -> int:
        return self.answers - self.useless

    @property
    def coverage(self) -> float:
        """Share of the useful answers that have a theme."""
        return self.coded / self.useful if self.useful else 0.0


def run_auto_coding(session: Session, campaign: Campaign, question_id: str | None = None,
                    progress: Progress | None = None, actor: User | None = None) -> AutoCodingResult:
    """Code every answer with the codebook and the trained model; store one automatic
    coding per answer (empty themes: not coded) with its confidences."""
    total = {"n": 1}

    def building(done: int, of: int) -> None:
        if progress is not None:
            progress(done, 2 * of)
            total["n"] = of

    state = coder_state(session, campaign, question_id, progress=building)
    with state.lock:
        coder = state.coder
        codings = coder.codings()
        main = coder.main_themes()
        confidence = coder.confidence.copy()
        keys = list(coder.codebook.keys)
    themes_of = codings.sort_values(["answer_id", "rank"]).groupby("answer_id", sort=False)["theme"].apply(list)
    frame = state.answers.frame
    n = len(frame)
    rows = []
    for i, (answer, response, question) in enumerate(zip(frame["answer_id"], frame["response_id"], frame["question_id"])):
        scores = confidence[i]
        rows.append({"campaign_id": campaign.id, "response_id": int(response), "question_id": question,
                     "source": "auto", "coder_id": None, "themes": themes_of.get(answer, []),
                     "confidences": {k: round(float(c), 3) for k, c in zip(keys, scores) if c >= 0.01}})
    for start in range(0, n, 1000):
        session.execute(insert(AnswerCoding), rows[start:start + 1000])
        if progress is not None:
            progress(n + min(start + 1000, n), 2 * n)
    useful = main["excluded"].isna()
    auto = main[useful & main["theme"].notna() & (main["source"] == "auto")]["confidence"].to_numpy()
    counts, _ = np.histogram(auto, bins=CONFIDENCE_BINS)
    labels = [f"{lo:.1f} – {hi:.1f}".replace(".", ",") for lo, hi in zip(CONFIDENCE_BINS, CONFIDENCE_BINS[1:])]
    result = AutoCodingResult(
        answers=n, useless=int((~useful).sum()), coded=int((useful & main["theme"].notna()).sum()),
        human=len(coder.human), distribution=list(zip(labels, map(int, counts))),
        deciles=[float(q) for q in np.quantile(auto, np.linspace(0.1, 0.9, 9))] if len(auto) else [])
    audit.record(session, actor, "coding.auto", "campaign", campaign.id,
                 new={"question": question_id, "answers": n, "coded": result.coded, "useless": result.useless})
    return result
