"""Likely duplicates among a campaign's responses: the same paper serial keyed twice, or
identical answers to most questions, side by side for the coordinator to decide."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..campaigns.questionnaires import definition_of
from ..jobs.i18n import _
from ..models import Answer, Campaign, PaperForm, Response, ResponseStatus
from .dashboard import roles
from .responses import display_value, districts_of

SIMILAR_SHARE = 0.9
MIN_COMPARED = 8
BLOCK_LIMIT = 400


@dataclass
class DuplicatePair:
    first: int
    second: int
    why: str
    same: int
    compared: int
    rows: list  # (question label, first text, second text, differs)


def duplicates(session: Session, campaign: Campaign, *, limit: int = 50, lang: str = "fr") -> list[DuplicatePair]:
    """Likely duplicates: the same paper serial keyed twice, or identical answers to most questions.

    Responses are compared within blocks of the same questionnaire, district, age band
    and sex (one query for the answers), so the search stays short on large campaigns.
    """
    found: list[DuplicatePair] = []
    serial = func.upper(func.replace(func.replace(PaperForm.keyed_serial, " ", ""), "-", ""))
    groups = session.execute(
        select(serial, func.min(PaperForm.response_id), func.max(PaperForm.response_id))
        .join(Response, Response.id == PaperForm.response_id)
        .where(PaperForm.campaign_id == campaign.id, Response.status != ResponseStatus.EXCLUDED)
        .group_by(serial).having(func.count() > 1)).all()
    pairs = {(a, b): _("Même numéro de questionnaire papier (%(serial)s)", serial=s) for s, a, b in groups}
    statuses = [ResponseStatus.COMPLETE, ResponseStatus.VALIDATED]
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value_text, Answer.value_number, Answer.value_json,
               Response.questionnaire_version_id)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id, Response.status.in_(statuses))).all()
    answers: dict[int, dict] = {}
    version_of: dict[int, int] = {}
    for rid, qid, text, number, value, version in rows:
        answers.setdefault(rid, {})[qid] = json.dumps(value, sort_keys=True) if value is not None else (
            text if text is not None else number)
        version_of[rid] = version
    found_roles = roles(session, campaign)
    keys = found_roles.district | found_roles.age_band | found_roles.sex
    blocks: dict[tuple, list[int]] = {}
    for rid, given in answers.items():
        block = (version_of[rid],) + tuple(sorted((k, str(v)) for k, v in given.items() if k in keys))
        blocks.setdefault(block, []).append(rid)
    for members in blocks.values():
        members = sorted(members)[:BLOCK_LIMIT]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                first, second = answers[a], answers[b]
                compared = set(first) | set(second)
                if len(compared) < MIN_COMPARED:
                    continue
                same = sum(1 for k in compared if first.get(k) == second.get(k))
                if same / len(compared) >= SIMILAR_SHARE:
                    pairs.setdefault((a, b), _("Réponses identiques à %(same)d questions sur %(compared)d",
                                               same=same, compared=len(compared)))
    for (a, b), why in sorted(pairs.items())[:limit]:
        found.append(_pair(session, campaign, a, b, why, lang))
    return found


def _pair(session: Session, campaign: Campaign, a: int, b: int, why: str, lang: str = "fr") -> DuplicatePair:
    first, second = session.get(Response, a), session.get(Response, b)
    definition = definition_of(first.questionnaire_version)
    districts = districts_of(campaign)
    fa, fb = first.answers_dict(), second.answers_dict()
    rows, same = [], 0
    for question in definition.questions.values():
        if not question.answerable or (question.id not in fa and question.id not in fb):
            continue
        ta, tb = (display_value(question, fa.get(question.id), districts, lang),
                  display_value(question, fb.get(question.id), districts, lang))
        same += ta == tb
        rows.append((question.label(lang), ta, tb, ta != tb))
    return DuplicatePair(a, b, why, same, len(rows), rows)


