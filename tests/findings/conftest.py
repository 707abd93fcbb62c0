"""A weighted campaign with a thin district, for the result pages' tests."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

THIN = "ilot"
#: Respondents left in the thin district (fewer than the 11 of the publication rule).
THIN_RESPONDENTS = 6


@dataclass
class Weighted:
    campaign: object
    coordinator: object


def _margins(campaign, definition):
    rows = [{"variable": "district", "category": code, "count": count}
            for code, count in (("nord", 5200), ("sud", 4100), (THIN, 700))]
    total = 10000
    for role, shares in (("age_band", [0.11, 0.19, 0.25, 0.22, 0.12, 0.11]), ("sex", [0.52, 0.48])):
        question = definition.question_for_role(role)
        codes = question.codes[: len(shares)]
        rows += [{"variable": role, "category": code, "count": round(total * share)} for code, share in zip(codes, shares)]
    return rows


def _campaign(app, db_session, create_user, create_campaign, slug, more_districts):
    """A coordinator and their campaign of the districts Nord, Sud (QPV) and ``more_districts``,
    with the residents' questionnaire loaded."""
    from survey_app.campaigns import questionnaires

    coordinator = create_user("coordinator")
    campaign = create_campaign(slug, members=[coordinator], districts=[
        {"code": "nord", "name": "Nord", "qpv": False, "target": 100},
        {"code": "sud", "name": "Sud", "qpv": True, "target": 100},
        *more_districts,
    ])
    questionnaires.load_file(db_session, campaign, Path(app.config["CLS_QUESTIONNAIRES_DIR"]) / "resident.yaml")
    return coordinator, campaign


@pytest.fixture()
def weighted(app, db_session, create_user, create_campaign):
    """A campaign of three districts, one with only a few respondents, weighted to its margins."""
    from survey_app.campaigns import demo, margins, questionnaires
    from survey_app.findings import weights
    from survey_app.models import Answer, Response

    coordinator, campaign = _campaign(app, db_session, create_user, create_campaign, "ville-mince",
                                      [{"code": THIN, "name": "L'Îlot", "qpv": False, "target": 10}])
    demo.seed_responses(db_session, campaign, "resident", 260, seed=7)
    thin = db_session.scalars(
        select(Answer).join(Response).where(Response.campaign_id == campaign.id, Answer.question_id == "quartier",
                                            Answer.value_text == THIN).order_by(Answer.response_id)
    ).all()
    for answer in thin[THIN_RESPONDENTS:]:
        answer.value_text = "nord"
    definition = questionnaires.definition_of(questionnaires.current_version(db_session, campaign, "resident"))
    margins.set_margins(db_session, campaign, _margins(campaign, definition))
    db_session.flush()
    weights.store_weights(db_session, campaign, weights.weight_sample(db_session, campaign), actor=coordinator)
    db_session.commit()
    return Weighted(campaign, coordinator)


@pytest.fixture()
def professionals(app, db_session, create_user, create_campaign):
    """A campaign with the professionals' questionnaire and its responses, and no census margins."""
    from survey_app.campaigns import demo, questionnaires

    coordinator, campaign = _campaign(app, db_session, create_user, create_campaign, "ville-pros", [])
    questionnaires.load_file(db_session, campaign, Path(app.config["CLS_QUESTIONNAIRES_DIR"]) / "professional.yaml")
    demo.seed_responses(db_session, campaign, "professional", 160, seed=11)
    db_session.commit()
    return Weighted(campaign, coordinator)
