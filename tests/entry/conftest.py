"""Fixtures of the paper-entry tests: a campaign with the resident questionnaire, agents."""
from __future__ import annotations

from pathlib import Path

import pytest

RESIDENT = Path(__file__).resolve().parents[2] / "questionnaires" / "resident.yaml"

#: A whole resident form keyed the way an agent types it (field name -> text), with
#: « non » to the family-doctor question, so the branch of those who have one is skipped.
RESIDENT_KEYED = {
    "age": "6", "sexe": "f", "quartier": "2", "anciennete": "3", "foyer": "2", "foyer_nb": "2",
    "occupation": "5", "logement": "2", "couverture": "1", "langues": "01", "etat_sante": "3",
    "limitation": "1", "medecin_traitant": "3", "mt_recherche": "1", "mt_depuis": "2",
    "delai_generaliste": "4", "difficultes_specialistes": "0102", "dentiste_dernier": "3",
    "renoncement": "2", "urgences": "0", "teleconsultation": "4", "who5.bonne_humeur": "3",
    "stress": "7", "solitude": "2",
}


@pytest.fixture()
def paper_campaign(db_session, create_campaign, create_user):
    """An open campaign with the resident questionnaire, two agents and a coordinator."""
    from survey_app.campaigns import questionnaires

    first, second, coordinator = create_user("agent"), create_user("agent"), create_user("coordinator")
    campaign = create_campaign("ville-papier", members=[first, second, coordinator])
    version = questionnaires.load_file(db_session, campaign, RESIDENT)
    db_session.commit()
    return {"campaign": campaign, "version": version, "first": first, "second": second,
            "coordinator": coordinator}
