"""The demonstration campaign: a fictitious town, its districts, a coordinator."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import random
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Campaign, CampaignStatus, Channel, Response, ResponseStatus, Role
from ..questionnaire import generate_responses
from ..domain import ServiceError
from . import services as campaigns, margins, questionnaires
from ..survey import bulk as responses
from ..accounts import services as users

DEMO_SLUG = "demo"
DEMO_EMAIL = "coordination@demo.test"

#: A fictitious town of about 25,000 inhabitants; two quartiers prioritaires.
DEMO_DISTRICTS = [
    {"code": "centre", "name": "Centre-ville", "qpv": False, "target": 120, "population": 4200},
    {"code": "gare", "name": "Quartier de la Gare", "qpv": False, "target": 80, "population": 3100},
    {"code": "bords", "name": "Bords de Seine", "qpv": False, "target": 60, "population": 2600},
    {"code": "plateau", "name": "Le Plateau", "qpv": True, "target": 90, "population": 3900},
    {"code": "moulin", "name": "Le Moulin", "qpv": True, "target": 70, "population": 3300},
    {"code": "coteaux", "name": "Les Coteaux", "qpv": False, "target": 50, "population": 2500},
    {"code": "hopital", "name": "Hôpital-Bicêtre", "qpv": False, "target": 50, "population": 2700},
    {"code": "parc", "name": "Parc Pinel", "qpv": False, "target": 40, "population": 2700},
]


#: Adult population by age band and by sex, as shares (INSEE-like structure of a dense town).
DEMO_AGE_SHARES = [0.11, 0.19, 0.25, 0.22, 0.12, 0.11]
DEMO_SEX_SHARES = [0.52, 0.48]


def demo_margins(campaign: Campaign, definition) -> list[dict]:
    """Census margins of the fictitious town for the questionnaire's weighting roles.

    Districts get their population; age bands and sexes get the shares above when the
    questionnaire has that many categories (the remaining options, such as "je préfère
    ne pas répondre", are not census categories), else equal shares.
    """
    populations = {d["code"]: d["population"] for d in DEMO_DISTRICTS}
    total = float(sum(populations[d.code] for d in campaign.districts if d.code in populations))
    rows = [
        {"variable": "district", "category": d.code, "count": populations[d.code], "source": "démonstration"}
        for d in campaign.districts
        if d.code in populations
    ]
    for role, shares in (("age_band", DEMO_AGE_SHARES), ("sex", DEMO_SEX_SHARES)):
        question = definition.question_for_role(role)
        if question is None:
            continue
        codes = question.codes[: len(shares)]
        weights = shares if len(codes) == len(shares) else [1 / len(codes)] * len(codes)
        rows += [
            {"variable": role, "category": code, "count": round(total * share), "source": "démonstration"}
            for code, share in zip(codes, weights)
        ]
    return rows


@dataclass
class DemoSetup:
    campaign: Campaign
    email: str
    password: str
    responses_created: int


def seed_responses(
    session: Session, campaign: Campaign, key: str, n: int, *, seed: int, paper_share: float = 0.3
) -> int:
    """Store ``n`` synthetic complete responses to the current version of questionnaire ``key``.

    The answers respect the questionnaire (conditions, bounds) and are skewed as real
    response is; a share is marked as keyed from paper. Reproducible from ``seed``.
    """
    if n < 0:
        raise ServiceError("Le nombre de réponses doit être positif.")
    version = questionnaires.current_version(session, campaign, key)
    if version is None:
        raise ServiceError(f"Le questionnaire « {key} » n'est pas chargé dans la campagne {campaign.slug}.")
    definition = questionnaires.definition_of(version)
    districts = [{"code": d.code, "name": d.name, "qpv": d.qpv} for d in campaign.districts]
    answer_sets = generate_responses(definition, districts=districts, n=n, seed=seed)
    rng = random.Random(seed)
    start = campaign.opens_on or dt.date.today()
    span = max(((min(dt.date.today(), campaign.closes_on or dt.date.today())) - start).days, 0)
    days = [start + dt.timedelta(days=rng.randint(0, span)) for _ in answer_sets]
    paper = [rng.random() < paper_share for _ in answer_sets]
    stored = 0
    for channel in (Channel.WEB, Channel.PAPER):
        wanted = channel is Channel.PAPER
        stored += responses.bulk_store(
            session,
            campaign,
            version,
            [a for a, p in zip(answer_sets, paper) if p == wanted],
            channel=channel,
            status=ResponseStatus.COMPLETE,
            days=[d for d, p in zip(days, paper) if p == wanted],
        )
    return stored


def setup_demo(
    session: Session,
    *,
    responses: int = 300,
    seed: int = 2026,
    questionnaires_dir: str | Path | None = None,
) -> DemoSetup:
    """Create the demo campaign and coordinator once; give the coordinator a new password.

    With ``questionnaires_dir``, load its resident and professional questionnaires and,
    the first time, ``responses`` synthetic resident responses (and a tenth as many
    professional ones).
    """
    campaign = session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG))
    if campaign is None:
        today = dt.date.today()
        campaign = campaigns.create_campaign(
            session,
            DEMO_SLUG,
            "Diagnostic local de santé — ville de démonstration",
            organisation="Ville de Bellerive (fictive)",
            districts=[{k: v for k, v in d.items() if k != "population"} for d in DEMO_DISTRICTS],
            status=CampaignStatus.OPEN,
            opens_on=today - dt.timedelta(days=14),
            closes_on=today + dt.timedelta(days=60),
        )
    password = users.generate_password()
    coordinator = users.find_by_email(session, DEMO_EMAIL)
    if coordinator is None:
        coordinator = users.create_user(
            session, DEMO_EMAIL, password, Role.COORDINATOR, display_name="Coordination CLS (démo)"
        )
    else:
        users.set_password(session, coordinator, password)
        users.set_active(session, coordinator, True)
    campaigns.add_member(session, campaign, coordinator)
    created = 0
    if questionnaires_dir is not None:
        for name in ("resident.yaml", "professional.yaml"):
            questionnaires.load_file(session, campaign, Path(questionnaires_dir) / name)
        resident = questionnaires.definition_of(questionnaires.current_version(session, campaign, "resident"))
        margins.set_margins(session, campaign, demo_margins(campaign, resident))
        has_responses = session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))
        if not has_responses and responses:
            created = seed_responses(session, campaign, "resident", responses, seed=seed)
            created += seed_responses(session, campaign, "professional", max(responses // 10, 1), seed=seed + 1)
    return DemoSetup(campaign=campaign, email=DEMO_EMAIL, password=password, responses_created=created)
