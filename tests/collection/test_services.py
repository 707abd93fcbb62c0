"""Collection services: the dashboard's figures, exclude / restore / correct (audited, with the
change log, refused with nothing changed), duplicates, settings, retention."""
from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select

from tests.collection.world import world_fixture

world = world_fixture()


def _answers(session, rid):
    from survey_app.models import Response

    session.expire_all()
    return session.get(Response, rid).answers_dict()


def test_analysed_statuses_are_the_analysis_ones():
    from survey_app.collection import dashboard
    from survey_app.findings.frame import ANALYSED_STATUSES

    assert dashboard.ANALYSED_STATUSES == ANALYSED_STATUSES


def test_dashboard_figures_equal_direct_counts(session, campaign, world):
    from survey_app.collection import dashboard
    from survey_app.models import Answer, Response, ResponseStatus

    board = dashboard.build(session, campaign)
    analysed = [ResponseStatus.COMPLETE, ResponseStatus.VALIDATED]
    total = session.scalar(select(func.count()).select_from(Response).where(
        Response.campaign_id == campaign.id, Response.status.in_(analysed)))
    assert board.complete == total and board.counts["draft"] == 2 and board.counts["excluded"] >= 1
    assert sum(r["count"] for r in board.channels) == total
    assert sum(r["count"] for r in board.days) == total
    district_q = next(iter(board.roles.district))
    for row in board.districts:
        if not row["code"]:
            continue
        direct = session.scalar(select(func.count()).select_from(Answer).join(Response).where(
            Response.campaign_id == campaign.id, Response.status.in_(analysed), Answer.question_id == district_q,
            Answer.value_text == row["code"], Response.questionnaire_version_id == world.version_id))
        assert row["count"] == direct
    residents = session.scalar(select(func.count()).select_from(Response).where(
        Response.questionnaire_version_id == world.version_id, Response.status.in_(analysed)))
    assert sum(r["count"] for r in board.districts) == residents
    assert sum(cell["total"] for cell in board.structure.values()) == residents  # left joins: no age or sex counted too
    assert [r["count"] for r in board.dropoff] and sum(r["count"] for r in board.dropoff) == 2
    rows = dashboard.structure_rows(board.roles, board.structure, board.census, campaign.districts[0].code)
    assert any(r["census"] is not None for r in rows)
    assert sum(r["census"] for r in rows if r["label"].startswith("Sexe")) == pytest.approx(1)
    code = campaign.districts[0].code
    joint = dashboard.joint_rows(board.roles, board.structure, board.census, code)
    counted = sum(c["count"] for row in joint["rows"] for c in row["cells"])
    known = sum(n for key, n in board.structure[code]["joint"].items() if dashboard.UNKNOWN not in key)
    assert counted == known and joint["sexes"]


def test_exclude_and_restore_audited(session, campaign, coordinator, world):
    from survey_app.collection import responses
    from survey_app.domain import ServiceError
    from survey_app.models import AuditEvent, Response, ResponseChange, ResponseStatus

    rid = world.ids[10]
    response = session.get(Response, rid)
    with pytest.raises(ServiceError, match="motif"):
        responses.exclude(session, campaign, response, "autre", "x", coordinator)
    with pytest.raises(ServiceError, match="raison"):
        responses.exclude(session, campaign, response, "doublon", "  ", coordinator)
    assert response.status is ResponseStatus.COMPLETE
    responses.exclude(session, campaign, response, "doublon", "même personne que la n° 9", coordinator)
    session.commit()
    assert response.status is ResponseStatus.EXCLUDED and response.exclusion_reason == "Doublon : même personne que la n° 9"
    with pytest.raises(ServiceError, match="déjà exclue"):
        responses.exclude(session, campaign, response, "doublon", "encore", coordinator)
    responses.restore(session, campaign, response, "ce n'était pas un doublon", coordinator)
    session.commit()
    assert response.status is ResponseStatus.COMPLETE and response.exclusion_reason is None
    changes = session.scalars(select(ResponseChange).where(ResponseChange.response_id == rid).order_by(ResponseChange.id)).all()
    assert [(c.action, c.old_value["status"], c.new_value["status"], c.actor_id) for c in changes] == [
        ("exclude", "complete", "excluded", coordinator.id), ("restore", "excluded", "complete", coordinator.id)]
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "response",
                                                      AuditEvent.entity_id == str(rid))
                             .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["response.exclude", "response.restore"]


def _integer_question(session, response):
    from survey_app.campaigns.questionnaires import definition_of

    definition = definition_of(response.questionnaire_version)
    answers = response.answers_dict()
    return definition, next(q for q in definition.questions.values()
                            if q.type == "integer" and q.id in answers and q.max is not None)


def test_correct_with_reason_and_change_log(session, campaign, coordinator, world):
    from survey_app.collection import responses
    from survey_app.models import AuditEvent, Response, ResponseChange

    response = session.get(Response, world.ids[11])
    definition, question = _integer_question(session, response)
    old = response.answers_dict()[question.id]
    new = question.min if old != question.min else question.min + 1
    token = responses.token_of(question, response.answers_dict())
    responses.correct(session, campaign, response, question.id, {"value": str(new)}, expected=token,
                      reason="lu sur le papier", actor=coordinator)
    session.commit()
    assert _answers(session, world.ids[11])[question.id] == new
    change = session.scalars(select(ResponseChange).where(ResponseChange.response_id == world.ids[11],
                                                          ResponseChange.action == "correction")).one()
    assert change.old_value == {"kind": "value", "value": old} and change.new_value == {"kind": "value", "value": new}
    assert change.reason == "lu sur le papier" and change.question_id == question.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "response.correct",
                                                     AuditEvent.entity_id == str(world.ids[11]))).one()
    assert event.field == question.id and event.old_value["value"] == old and event.new_value["value"] == new


def test_correction_refused_by_the_questionnaire_rules(session, campaign, coordinator, world):
    from survey_app.collection import responses
    from survey_app.domain import ServiceError
    from survey_app.models import Response, ResponseChange

    response = session.get(Response, world.ids[12])
    definition, question = _integer_question(session, response)
    before = response.answers_dict()
    token = responses.token_of(question, before)
    for raw, message in (("douze", "n'est pas un nombre entier"), (str(question.max + 1), f"au plus {question.max}")):
        with pytest.raises(ServiceError, match=message):
            responses.correct(session, campaign, response, question.id, {"value": raw}, expected=token,
                              reason="essai", actor=coordinator)
        session.rollback()
    single = next(q for q in definition.questions.values() if q.type == "single" and q.id in before)
    with pytest.raises(ServiceError, match="n'est pas un choix possible"):
        responses.correct(session, campaign, response, single.id, {"value": "zzz"},
                          expected=responses.token_of(single, before), reason="essai", actor=coordinator)
    session.rollback()
    with pytest.raises(ServiceError, match="raison"):
        responses.correct(session, campaign, response, question.id, {"value": str(question.min)}, expected=token,
                          reason=" ", actor=coordinator)
    session.rollback()
    assert _answers(session, world.ids[12]) == before
    assert not session.scalars(select(ResponseChange).where(ResponseChange.response_id == world.ids[12])).all()


def test_stale_page_refused(session, campaign, coordinator, world):
    from survey_app.collection import responses
    from survey_app.domain import ServiceError
    from survey_app.models import Response

    response = session.get(Response, world.ids[13])
    _, question = _integer_question(session, response)
    old = response.answers_dict()[question.id]
    token = responses.token_of(question, response.answers_dict())
    first, second = (question.min, question.min + 1) if old not in (question.min, question.min + 1) else (question.min + 2, question.min + 3)
    responses.correct(session, campaign, response, question.id, {"value": str(first)}, expected=token,
                      reason="premier", actor=coordinator)
    session.commit()
    with pytest.raises(ServiceError, match="modifiée par quelqu'un d'autre"):
        responses.correct(session, campaign, response, question.id, {"value": str(second)}, expected=token,
                          reason="second", actor=coordinator)
    session.rollback()
    assert _answers(session, world.ids[13])[question.id] == first


def test_two_coordinators_at_the_same_moment(app, session, campaign, world):
    """Two requests with the same page at once: one correction is stored, the other refused."""
    from survey_app.collection import responses
    from survey_app.domain import ServiceError
    from survey_app.extensions import db
    from survey_app.models import Campaign, Response, User

    rid = world.ids[14]
    response = session.get(Response, rid)
    _, question = _integer_question(session, response)
    old = response.answers_dict()[question.id]
    token = responses.token_of(question, response.answers_dict())
    values = [v for v in range(question.min, question.min + 4) if v != old][:2]
    session.remove()
    barrier, outcomes = threading.Barrier(2), []

    def act(user_id, value):
        with app.app_context():
            try:
                mine = db.session.get(Response, rid)
                barrier.wait(5)
                responses.correct(db.session, db.session.get(Campaign, world.campaign_id), mine, question.id,
                                  {"value": str(value)}, expected=token, reason="même moment",
                                  actor=db.session.get(User, user_id))
                db.session.commit()
                outcomes.append(("ok", value))
            except ServiceError as error:
                db.session.rollback()
                outcomes.append(("refused", str(error)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(uid, v)) for uid, v in zip((world.coordinator_id, world.second_id), values)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    stored = next(v for kind, v in outcomes if kind == "ok")
    assert "modifiée par quelqu'un d'autre" in next(v for kind, v in outcomes if kind == "refused")
    with app.app_context():
        assert db.session.get(Response, rid).answers_dict()[question.id] == stored
        db.session.remove()


def test_duplicates_found(session, campaign, world):
    from survey_app.collection import responses
    from survey_app.models import Answer, Response

    source = session.get(Response, world.ids[20])
    copy = Response(campaign_id=campaign.id, questionnaire_version_id=source.questionnaire_version_id,
                    channel=source.channel, status=source.status, created_on=source.created_on,
                    submitted_on=source.submitted_on, language="fr")
    copy.answers = [Answer(question_id=a.question_id, value_text=a.value_text, value_number=a.value_number,
                           value_json=a.value_json, value_kind=a.value_kind) for a in source.answers]
    session.add(copy)
    session.commit()
    from survey_app.collection import duplicates

    pairs = duplicates.duplicates(session, campaign)
    found = [p for p in pairs if {p.first, p.second} == {source.id, copy.id}]
    assert found and found[0].same == found[0].compared and "identiques" in found[0].why
    session.delete(copy)
    session.commit()


def test_settings_checks_and_messages(session, campaign, coordinator):
    from survey_app.collection import settings
    from survey_app.domain import ServiceError
    from survey_app.models import AuditEvent

    name = campaign.name
    with pytest.raises(ServiceError, match="La date de clôture précède la date d'ouverture."):
        settings.update_general(session, campaign, {"name": "X", "opens_on": "2026-05-02", "closes_on": "2026-05-01"},
                                ["fr"], ["fr", "en"], actor=coordinator)
    with pytest.raises(ServiceError, match="n'est pas une date"):
        settings.update_general(session, campaign, {"name": "X", "opens_on": "demain"}, ["fr"], ["fr", "en"], actor=coordinator)
    assert campaign.name == name
    rows = [{"code": d.code, "name": d.name, "target": str(d.target or "")} for d in campaign.districts]
    targets = [d.target for d in campaign.districts]
    rows[1]["target"] = "beaucoup"
    with pytest.raises(ServiceError, match="Quartiers, ligne 2 : objectif « beaucoup » invalide \\(nombre entier attendu\\)."):
        settings.update_districts(session, campaign, rows, actor=coordinator)
    assert [d.target for d in campaign.districts] == targets
    with pytest.raises(ServiceError, match="ne se supprime pas"):
        settings.update_districts(session, campaign, rows[:1], actor=coordinator)
    computed = settings.targets_from_margins(session, campaign, "500")
    assert sum(computed.values()) == 500 and set(computed) <= {d.code for d in campaign.districts}
    with pytest.raises(ServiceError, match="Objectif total « cinq » invalide"):
        settings.targets_from_margins(session, campaign, "cinq")
    with pytest.raises(ServiceError, match="Aucun compte pour personne@ville.test."):
        settings.add_member(session, campaign, "personne@ville.test", actor=coordinator)
    changed = settings.update_general(session, campaign, {"name": name, "organisation": campaign.organisation,
                                                          "retention_until": "2027-12-31"}, ["fr"], ["fr", "en"],
                                      actor=coordinator)
    assert "retention_until" in changed and campaign.retention_until == dt.date(2027, 12, 31)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.retention_until")).one()
    assert event.new_value == "2027-12-31"
    session.rollback()


def test_retention_purges(session, campaign, coordinator, world):
    from survey_app.collection import retention
    from survey_app.domain import ServiceError
    from survey_app.models import AuditEvent, Channel, Response, ResponseStatus, RetentionPurge

    today = dt.date.today()
    drafts = select(func.count()).select_from(Response).where(Response.status == ResponseStatus.DRAFT)
    old_web = session.scalar(drafts.where(Response.channel == Channel.WEB,
                                          Response.created_on < today - dt.timedelta(days=30)))
    before = session.scalar(drafts)
    purges = session.scalar(select(func.count()).select_from(RetentionPurge))
    done = retention.purge_drafts(session, 30, today=today, actor=coordinator)
    session.commit()
    assert done == ({campaign.slug: old_web} if old_web else {})
    assert session.scalar(drafts) == before - old_web
    campaign.retention_until = None
    with pytest.raises(ServiceError, match="pas de date de fin de conservation"):
        retention.purge_responses(session, campaign, today=today, actor=coordinator)
    campaign.retention_until = today
    with pytest.raises(ServiceError, match="ne peuvent pas encore être supprimées"):
        retention.purge_responses(session, campaign, today=today, actor=coordinator)
    from survey_app.collection import dashboard

    from survey_app.findings.weights import run_weights, set_run_weights
    from survey_app.models import WeightingRun

    run = WeightingRun(campaign_id=campaign.id, method="rake", diagnostics={"weights": {"n": 2}})
    set_run_weights(run, session.scalars(select(Response.id).where(Response.campaign_id == campaign.id).limit(2)).all(),
                    [1.5, 2.5])
    session.add(run)
    session.flush()
    assert len(run_weights(session, run)[0]) == 2
    before = dashboard.build(session, campaign)
    count = retention.purge_responses(session, campaign, today=today + dt.timedelta(days=1), actor=coordinator)
    session.commit()
    # the weights named the deleted responses: they go with them, the run's diagnostics stay
    assert len(run_weights(session, run.id)[0]) == 0 and session.get(WeightingRun, run.id).diagnostics["weights"]["n"] == 2
    assert count > 0 and session.scalar(select(func.count()).select_from(RetentionPurge)) == purges + bool(old_web) + 1
    assert session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)) == 0
    kept = retention.kept_summary(session, campaign)
    assert kept["count"] == count and kept["counts"] == before.counts
    assert [d["count"] for d in kept["districts"]] == [d["count"] for d in before.districts]
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("retention.%"))))
    assert actions == {"retention.drafts", "retention.responses"}


def test_flask_campaigns_purge(app, session, campaign, world):
    """On a campaign of its own: the world's shared one may or may not have been purged by
    another test of this module first (xdist may rebuild the world between two of them)."""
    from survey_app.campaigns import questionnaires
    from survey_app.models import Campaign, Channel, Response, ResponseStatus

    empty = session.get(Campaign, world.empty_id)
    version = questionnaires.current_version(session, empty, "resident")
    for channel in (Channel.WEB, Channel.PAPER):
        session.add(Response(campaign_id=empty.id, questionnaire_version_id=version.id, channel=channel,
                             status=ResponseStatus.DRAFT, created_on=dt.date.today() - dt.timedelta(days=40),
                             language="fr"))
    session.commit()
    runner = app.test_cli_runner()
    with app.app_context():
        kept = runner.invoke(args=["campaigns", "purge", "--days", "60"])
        done = runner.invoke(args=["campaigns", "purge"])  # CLS_DRAFT_RETENTION_DAYS: 30
        lonely = runner.invoke(args=["campaigns", "purge", "--responses"])
        early = runner.invoke(args=["campaigns", "purge", "--campaign", "vide", "--responses", "--yes"])
    assert kept.exit_code == 0 and "brouillon(s) de plus de 60 jours" in kept.output
    assert f"{empty.slug} " not in kept.output  # its drafts are 40 days old
    assert done.exit_code == 0 and "brouillon(s) de plus de 30 jours supprimé(s) : " in done.output
    assert f"{empty.slug} 1" in done.output
    assert lonely.exit_code == 1 and "--responses demande --campaign SLUG." in lonely.output
    assert early.exit_code == 1 and "pas de date de fin de conservation" in early.output
    session.expire_all()
    left = session.scalars(select(Response).where(Response.campaign_id == empty.id,
                                                  Response.status == ResponseStatus.DRAFT)).all()
    assert [r.channel for r in left] == [Channel.PAPER]  # a paper draft is a form an agent holds: kept
