"""The demonstration campaign: a fictitious town, its districts, a coordinator."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Campaign, CampaignStatus, Role
from . import campaigns, users

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


@dataclass
class DemoSetup:
    campaign: Campaign
    email: str
    password: str
    responses_created: int


def setup_demo(session: Session, *, responses: int = 300, seed: int = 2026) -> DemoSetup:
    """Create the demo campaign and coordinator once; give the coordinator a new password."""
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
    return DemoSetup(campaign=campaign, email=DEMO_EMAIL, password=password, responses_created=0)
