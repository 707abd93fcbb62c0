"""Fixtures of the questionnaire tests: the real definitions and a kitchen-sink one."""
from pathlib import Path

import pytest

from survey_app.questionnaire import load_definition

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUESTIONNAIRES = ROOT / "questionnaires"
BAD = HERE / "bad"

DISTRICTS = [
    {"code": "centre", "name": "Centre-ville", "qpv": False},
    {"code": "gare", "name": "Quartier de la Gare", "qpv": False},
    {"code": "martinets", "name": "Les Martinets", "qpv": True},
    {"code": "schuman", "name": "Schuman", "qpv": True},
    {"code": "plateau", "name": "Le Plateau", "qpv": False},
]
DISTRICT_CODES = [d["code"] for d in DISTRICTS]


@pytest.fixture(scope="session")
def resident():
    return load_definition(QUESTIONNAIRES / "resident.yaml")


@pytest.fixture(scope="session")
def professional():
    return load_definition(QUESTIONNAIRES / "professional.yaml")


@pytest.fixture(scope="session")
def demo():
    return load_definition(HERE / "all_features.yaml")


@pytest.fixture(scope="session")
def districts():
    return DISTRICTS
