"""Loading questionnaire versions into a campaign."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.models import AuditEvent, Channel, QuestionnaireVersion, ResponseStatus
from survey_app.questionnaire import DefinitionError
from survey_app.domain import ServiceError
from survey_app.campaigns import questionnaires as service
from survey_app.survey import bulk as responses

ROOT = Path(__file__).resolve().parents[2]

SMALL = """
id: mini
title: {fr: "Mini questionnaire", en: "Mini questionnaire"}
languages: [fr, en]
sections:
  - id: s1
    title: {fr: "Section"}
    questions:
      - id: medecin
        type: single
        label: {fr: "Avez-vous un médecin traitant ?"}
        options:
          - {code: "1", label: {fr: "Oui"}}
          - {code: "2", label: {fr: "Non"}}
          - {code: "3", label: {fr: "Je ne sais pas"}}
      - id: pourquoi
        type: longtext
        show_if: "medecin = '2'"
        label: {fr: "Pourquoi ?"}
"""


def write(tmp_path, text, name="mini.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_first_load_creates_version_1(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    version = service.load_file(db_session, campaign, write(tmp_path, SMALL))
    db_session.commit()
    assert (version.key, version.version, version.is_current) == ("mini", 1, True)
    assert len(version.content_hash) == 64
    assert service.definition_of(version).question("pourquoi").show_if == "medecin = '2'"
    assert db_session.scalar(select(AuditEvent.action)) in {"campaign.create", "questionnaire.load"}


def test_loading_the_same_file_again_changes_nothing(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    path = write(tmp_path, SMALL)
    first = service.load_file(db_session, campaign, path)
    second = service.load_file(db_session, campaign, path)
    assert first.id == second.id
    assert db_session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1


def test_a_changed_file_is_a_new_version_and_responses_stay_on_theirs(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    v1 = service.load_file(db_session, campaign, write(tmp_path, SMALL))
    responses.bulk_store(db_session, campaign, v1, [{"medecin": "1"}], channel=Channel.WEB, status=ResponseStatus.COMPLETE, days=[campaign.created_at.date()])
    changed = SMALL.replace('"Pourquoi ?"', '"Pour quelle raison ?"')
    v2 = service.load_file(db_session, campaign, write(tmp_path, changed))
    db_session.commit()
    assert v2.version == 2 and v2.is_current and not v1.is_current
    assert service.current_version(db_session, campaign, "mini").id == v2.id
    rows = service.list_versions(db_session)
    assert [(v.version, n) for v, _slug, n in rows] == [(1, 1), (2, 0)]


def test_dropping_an_option_in_use_is_reported_before_anything_is_written(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    v1 = service.load_file(db_session, campaign, write(tmp_path, SMALL))
    responses.bulk_store(db_session, campaign, v1, [{"medecin": "3"}], channel=Channel.PAPER, status=ResponseStatus.COMPLETE, days=[campaign.created_at.date()])
    dropped = SMALL.replace('          - {code: "3", label: {fr: "Je ne sais pas"}}\n', "")
    plan = service.plan_load(db_session, campaign, write(tmp_path, dropped))
    assert plan.conflicts and "3" in plan.conflicts[0]
    with pytest.raises(ServiceError, match="réponses existantes"):
        service.apply_load(db_session, campaign, plan, source_name="mini.yaml")
    assert db_session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1
    forced = service.apply_load(db_session, campaign, plan, source_name="mini.yaml", accept_conflicts=True)
    assert forced.version == 2


def test_dropping_an_unused_option_is_not_a_conflict(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    v1 = service.load_file(db_session, campaign, write(tmp_path, SMALL))
    responses.bulk_store(db_session, campaign, v1, [{"medecin": "1"}], channel=Channel.WEB, status=ResponseStatus.COMPLETE, days=[campaign.created_at.date()])
    dropped = SMALL.replace('          - {code: "3", label: {fr: "Je ne sais pas"}}\n', "")
    plan = service.plan_load(db_session, campaign, write(tmp_path, dropped))
    assert plan.diff.dropped_options == {"medecin": ["3"]} and plan.conflicts == []


def test_an_invalid_file_loads_nothing(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    with pytest.raises(DefinitionError):
        service.load_file(db_session, campaign, write(tmp_path, SMALL.replace("medecin = '2'", "medecin = = 2")))
    assert db_session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0


def test_the_real_questionnaires_load(db_session, create_campaign):
    campaign = create_campaign()
    for name in ("resident.yaml", "professional.yaml"):
        version = service.load_file(db_session, campaign, ROOT / "questionnaires" / name)
        assert version.version == 1
        assert service.definition_of(version).content_hash == version.content_hash
