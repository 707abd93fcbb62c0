"""Candidate priorities of a campaign: evidence, decisions, history, exports, limits."""
from __future__ import annotations

import csv
import io
import math
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from analysis.priorities import ScoringGrid
from survey_app.domain import ServiceError
from survey_app.models import AuditEvent, Campaign, PriorityDecision, PriorityGrid
from survey_app.priorities import exports, services

KEY, OTHER = "sans_medecin_traitant", "barriere_langue"


def test_the_demo_gives_one_candidate_per_need_indicator_with_evidence_and_the_score_beside(campaign, session):
    from survey_app.campaigns import questionnaires
    from survey_app.findings import tables

    ranking = services.ranked_priorities(session, campaign)
    definition = questionnaires.definition_of(questionnaires.current_version(session, campaign, "resident"))
    assert {item.key for item in ranking.all} == {i.name for i in definition.indicators()}
    assert ranking.grid == ScoringGrid() and ranking.formula == ScoringGrid().formula_text_fr()
    assert [item.rank for item in ranking.ranked] == list(range(1, len(ranking.ranked) + 1))
    totals = [item.score.total for item in ranking.ranked]
    assert totals == sorted(totals, reverse=True)
    for item in ranking.ranked:
        parts = item.score.parts()
        assert math.isclose(item.score.total, (parts["A"] + parts["B"] + parts["I"] + parts["D"]) * parts["C"] / 3)
        assert set(item.score.sources) == set("ABCID")
    # The figures are those of the indicator tables of the result pages (same weights).
    result = tables.compute_indicators(session, campaign)
    town = {r["indicator"]: r for r in result["rows"] if r["variable"] == "town"}
    candidate = next(item.candidate for item in ranking.all if item.key == KEY)
    figure = candidate.indicators[0].town
    assert math.isclose(figure.estimate, town[KEY]["estimate"], rel_tol=1e-9)
    assert figure.n == town[KEY]["n"] and math.isclose(figure.ci_low, town[KEY]["ci_low"], rel_tol=1e-9)
    # Districts flagged by the result pages are the ones the candidate names (district gaps).
    for item in ranking.all:
        flagged = {r["group"] for r in result["rows"]
                   if r["indicator"] == item.key and r["variable"] == "district" and r["flag"]}
        named = {g.group for g in item.candidate.districts if g.variable == "district"}
        assert named == flagged, item.key
    work = services.workspace(session, campaign)
    assert work.evidence.weighted and "pondérés par calage" in work.evidence.weighting_note
    assert work.evidence.themes and work.evidence.ranking and work.evidence.professional
    quoted = [v for item in ranking.all for v in item.candidate.verbatims]
    assert quoted and all(len(item.candidate.verbatims) <= 3 for item in ranking.all)


def test_decisions_are_applied_kept_with_who_and_when_and_feed_the_report(campaign, coordinator, session):
    changed = services.update_decision(session, campaign, coordinator, KEY, status="kept", seriousness="6",
                                       effectiveness="7,5", pearl={"legality": True}, note="Vu en comité du 3 mars",
                                       label="Accès à un médecin traitant")
    assert changed == ["label", "status", "seriousness", "effectiveness", "note", "pearl.legality"]
    services.update_decision(session, campaign, coordinator, "sante_percue_mauvaise", pearl={"resources": False})
    services.merge(session, campaign, coordinator, OTHER, KEY)
    services.set_grid(session, campaign, coordinator, variant="double_b", inequity_weight="0,5", demand_weight="0")
    session.commit()

    ranking = services.ranked_priorities(session, campaign)
    assert ranking.grid == ScoringGrid("double_b", 0.5, 0.0)
    keys = [item.key for item in ranking.all]
    assert OTHER not in keys
    kept = next(item for item in ranking.all if item.key == KEY)
    assert kept.candidate.label == "Accès à un médecin traitant"
    assert [i.name for i in kept.candidate.indicators] == [KEY, OTHER]
    score = kept.score
    assert (score.seriousness, score.effectiveness) == (6.0, 7.5)
    assert score.sources["B"] == "saisie par le comité" and score.pearl["legality"] is True
    assert math.isclose(score.total, (score.size + 2 * 6 + 0.5 * score.inequity) * 7.5 / 3)
    assert kept.candidate.assessment.note == "Vu en comité du 3 mars"
    assert [item.key for item in ranking.set_aside] == ["sante_percue_mauvaise"]
    assert [item.key for item in services.kept_priorities(session, campaign)] == [KEY]
    assert services.decision_statuses(session, campaign) == {KEY: "kept"}

    history = services.history(session, campaign, labels={KEY: "Sans médecin traitant", OTHER: "Langue"})
    assert len(history) == 11
    assert {h.who for h in history} == {"Camille Coordination"}
    by_field = {(h.what, h.field): (h.old, h.new) for h in history}
    assert by_field[("Sans médecin traitant", "efficacité (C)")] == ("—", "7,5")
    assert by_field[("Sans médecin traitant", "décision du comité")] == ("à examiner", "retenue par le comité")
    assert by_field[("Langue", "regroupement")] == ("—", "Sans médecin traitant")
    assert by_field[("grille de notation", "variante de la grille")] == ("forme usuelle de Hanlon",
                                                                        "variante de Hanlon doublant B")
    event = session.scalar(select(AuditEvent).where(AuditEvent.field == f"{KEY}:effectiveness"))
    assert event.actor_id == coordinator.id and event.at is not None and event.new_value == 7.5

    # The same values again change nothing and write no history; separating undoes the merge.
    assert services.update_decision(session, campaign, coordinator, KEY, status="kept", seriousness=6,
                                    effectiveness=7.5, pearl={"legality": True}, note="Vu en comité du 3 mars",
                                    label="Accès à un médecin traitant") == []
    services.separate(session, campaign, coordinator, OTHER)
    session.commit()
    assert OTHER in [item.key for item in services.ranked_priorities(session, campaign).all]
    assert len(services.history(session, campaign)) == 12


def _state(session):
    return (session.scalar(select(func.count()).select_from(PriorityDecision)),
            session.scalar(select(func.count()).select_from(PriorityGrid)),
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "priorities")))


@pytest.mark.parametrize("values, message", [
    ({"effectiveness": "11"}, "L'efficacité (C) doit être comprise entre 0 et 10"),
    ({"effectiveness": "-1"}, "L'efficacité (C) doit être comprise entre 0 et 10"),
    ({"seriousness": "beaucoup"}, "La gravité (B) doit être un nombre entre 0 et 10"),
    ({"effectiveness": "nan"}, "L'efficacité (C) doit être comprise entre 0 et 10"),
    ({"status": "peut-être"}, "Choisissez la décision du comité"),
    ({"label": "x" * 201}, "Le libellé ne doit pas dépasser 200 caractères"),
    ({"note": "x" * 2001}, "La note ne doit pas dépasser 2000 caractères"),
    ({"pearl": {"legality": "peut-être"}}, "Chaque critère PEARL se juge par oui, par non"),
])
def test_a_bad_value_is_refused_in_french_and_changes_nothing(campaign, coordinator, session, values, message):
    before, values = _state(session), dict(values)
    with pytest.raises(ServiceError, match=re.escape(message)):
        services.update_decision(session, campaign, coordinator, KEY, status=values.pop("status", "kept"),
                                 effectiveness=values.pop("effectiveness", "8"), **values)
    session.rollback()
    assert _state(session) == before


def test_bad_merges_and_grids_are_refused(campaign, coordinator, session):
    with pytest.raises(ServiceError, match="avec elle-même"):
        services.merge(session, campaign, coordinator, KEY, KEY)
    with pytest.raises(ServiceError, match="n'existe pas"):
        services.merge(session, campaign, coordinator, KEY, "inconnue")
    with pytest.raises(ServiceError, match="n'existe pas"):
        services.update_decision(session, campaign, coordinator, "inconnue")
    with pytest.raises(ServiceError, match="n'est regroupée avec aucune"):
        services.separate(session, campaign, coordinator, KEY)
    services.merge(session, campaign, coordinator, OTHER, KEY)
    with pytest.raises(ServiceError, match="est elle-même regroupée"):
        services.merge(session, campaign, coordinator, "gene_bruit", OTHER)
    with pytest.raises(ServiceError, match="modifiez cette dernière"):
        services.update_decision(session, campaign, coordinator, OTHER, effectiveness=3)
    with pytest.raises(ServiceError) as refused:
        services.set_grid(session, campaign, coordinator, variant="autre", inequity_weight="-1", demand_weight="lots")
    assert "variante" in str(refused.value) and "inégalités (I) doit être compris entre 0 et 10" in str(refused.value)
    assert "demande exprimée (D) doit être un nombre" in str(refused.value)
    session.rollback()
    assert _state(session) == (0, 0, 0)


def _read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_list_exports_as_csv_and_xlsx_with_the_same_cells_and_no_formula(campaign, coordinator, session):
    services.update_decision(session, campaign, coordinator, KEY, status="kept", effectiveness="8",
                             note="=HYPERLINK(\"http://exemple.test\")", label="+Médecin traitant")
    session.commit()
    work = services.workspace(session, campaign)
    expected = exports.rows(work)
    lines = _read_csv(exports.to_csv(work))
    notes = len(exports.notes(work))
    assert lines[0] == [work.evidence.weighting_note] and lines[notes] == exports.HEADERS
    body = lines[notes + 1:]
    assert len(body) == len(work.ranking.all) == len(expected)
    first = dict(zip(exports.HEADERS, body[[r[1] for r in body].index(KEY)]))
    assert first["note"] == "'=HYPERLINK(\"http://exemple.test\")" and first["priorité candidate"] == "'+Médecin traitant"
    assert first["C efficacité"] == "8,0" and first["décision du comité"] == "retenue par le comité"
    for line, row in zip(body, expected):
        assert line[1] == row[1] and line[0] == ("" if row[0] is None else str(row[0]))
        total = row[HEADERS_INDEX["score"]]
        assert line[HEADERS_INDEX["score"]] == ("" if total is None else repr(total).replace(".", ","))

    sheet = load_workbook(io.BytesIO(exports.to_xlsx(work))).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == work.evidence.weighting_note and list(cells[notes]) == exports.HEADERS
    for read, row in zip(cells[notes + 1:], expected):
        assert list(read[:2]) == row[:2]
        assert read[HEADERS_INDEX["score"]] == row[HEADERS_INDEX["score"]]
        assert not [v for v in read if isinstance(v, str) and v and v[0] in "=+-@\t\r"]
    row = cells[notes + 1:][[r[1] for r in cells[notes + 1:]].index(KEY)]
    assert row[HEADERS_INDEX["note"]] == "'=HYPERLINK(\"http://exemple.test\")"
    assert row[HEADERS_INDEX["C efficacité"]] == 8.0


HEADERS_INDEX = {name: i for i, name in enumerate(exports.HEADERS)}


def test_a_campaign_without_margins_free_text_or_professionals_still_builds_and_says_its_limits(world, session):
    bare = session.get(Campaign, world.bare_id)
    work = services.workspace(session, bare)
    assert len(work.ranking.all) > 10
    found = work.evidence
    assert not found.weighted and found.weighting_note.startswith("Résultats non pondérés")
    assert "n'a pas de marges de recensement" in found.weighting_note
    assert not found.themes and not found.professional and found.professionals == 0
    limits = " ".join(found.limits)
    assert "Pas de thèmes tirés des réponses libres" in limits
    assert "Pas de questionnaire des professionnels de santé" in limits
    assert "Moins de 11 répondants dans les quartiers Sud, Est" in limits
    # thin districts are never compared with the rest of the town
    assert not [g for item in work.ranking.all for g in item.candidate.districts if g.group in ("sud", "est")]
    assert exports.to_csv(work) and exports.to_xlsx(work)


def test_a_campaign_nobody_answered_gets_a_clear_message(world, session):
    empty = session.get(Campaign, world.empty_id)
    with pytest.raises(ServiceError, match="Aucun habitant n'a encore complété le questionnaire"):
        services.ranked_priorities(session, empty)
