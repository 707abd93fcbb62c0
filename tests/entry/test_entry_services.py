"""Keying paper forms: serials, first and second entries, bad input, cancellation."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.domain import ServiceError
from survey_app.entry import reconciliation, serials, services as entry
from survey_app.findings.frame import ANALYSED_STATUSES
from survey_app.models import (Channel, DoubleEntry, FormState, PaperEntry, PaperForm, Response, ResponseChange,
                               ResponseStatus)

from .conftest import RESIDENT_KEYED


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def save(db_session, paper, agent, serial="A-12", texts=None, **kwargs):
    result = entry.save(db_session, paper["campaign"], paper[agent], serial, paper["version"].id,
                        dict(RESIDENT_KEYED if texts is None else texts), **kwargs)
    db_session.commit()
    return result


@pytest.mark.parametrize("typed, stored", [(" ab-12 3 ", "AB123"), ("00012–5", "000125"), ("x.y_z", "XYZ")])
def test_serials_are_normalised(typed, stored):
    assert serials.normalise(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "n°12", "é1", "A" * 21])
def test_bad_serials_are_refused_in_french(typed):
    with pytest.raises(ServiceError, match="numéro|Numéro"):
        serials.normalise(typed)


def test_a_whole_form_keyed_once_becomes_a_complete_paper_response(db_session, paper_campaign):
    form, round_, errors = save(db_session, paper_campaign, "first")
    assert (round_, errors) == (1, {})
    assert form.state is FormState.KEYED and form.serial == "A12"
    response = db_session.get(Response, form.response_id)
    assert (response.channel, response.status, response.paper_serial) == (Channel.PAPER, ResponseStatus.COMPLETE, "A12")
    answers = response.answers_dict()
    assert answers["age"] == "75_plus" and answers["medecin_traitant"] == "non" and answers["quartier"] == "sud"
    assert answers["difficultes_specialistes"] == ["dentiste", "ophtalmo"] and answers["stress"] == 7
    assert answers["who5"] == {"bonne_humeur": "3"} and answers["foyer_nb"] == 2
    assert "mt_depart" not in answers  # the branch of those who have a doctor is skipped
    first = form.entry(1)
    assert first.answers == answers and first.agent_id == paper_campaign["first"].id


def test_the_same_serial_typed_differently_is_refused_with_the_form(db_session, paper_campaign):
    form, _, _ = save(db_session, paper_campaign, "first")
    with pytest.raises(entry.AlreadyKeyed, match="déjà été saisi") as refused:
        entry.start(db_session, paper_campaign["campaign"], paper_campaign["second"], "a 12")
    assert refused.value.form_id == form.id


@pytest.mark.parametrize("field, typed, message", [
    ("age", "9", "« 9 » n'est pas un choix possible (choix : 1, 2, 3, 4, 5, 6)."),
    ("mt_depart", "1", "Question non affichée : cette réponse ne doit pas être donnée."),
    ("mt_depart", ".", "Question non affichée : cette réponse ne doit pas être donnée."),
    ("foyer_nb", "40", "La valeur doit être au plus 15."),
    ("difficultes_specialistes", "0110", "« Aucune difficulté » ne peut pas être combiné avec un autre choix."),
    ("who5.calme", "8", "« 8 » n'est pas un choix possible"),
])
def test_bad_answers_get_the_web_message_and_nothing_is_stored(db_session, paper_campaign, field, typed, message):
    texts = dict(RESIDENT_KEYED, **{field: typed})
    form, _, errors = save(db_session, paper_campaign, "first", texts=texts)
    qid = field.split(".")[0]
    assert form is None and any(message in m for m in errors[qid]), errors
    assert count(db_session, PaperForm) == 0 and count(db_session, Response) == 0


def test_a_required_answer_left_blank_on_paper_is_marked_not_missing(db_session, paper_campaign):
    texts = {k: v for k, v in RESIDENT_KEYED.items() if k != "sexe"}
    _, _, errors = save(db_session, paper_campaign, "first", texts=texts)
    assert errors == {"sexe": ["Réponse obligatoire."]}
    form, _, errors = save(db_session, paper_campaign, "first", texts=dict(texts, sexe="."))
    assert errors == {} and form.entry(1).markers == {"sexe": "blank"}
    assert "sexe" not in form.response.answers_dict()


def test_a_rule_across_questions_applies_as_on_the_web(db_session, paper_campaign):
    _, _, errors = save(db_session, paper_campaign, "first", texts=dict(RESIDENT_KEYED, age="1", occupation="5"))
    assert errors["occupation"] == ["Vous indiquez être retraité(e) et avoir moins de 25 ans : merci de vérifier "
                                    "votre âge ou votre situation."]


def test_incomplete_forms_need_a_reason_and_stay_out_of_analysis(db_session, paper_campaign):
    texts = {"age": "2"}
    with pytest.raises(ServiceError, match="incomplet"):
        save(db_session, paper_campaign, "first", texts=texts, complete=False)
    form, _, errors = save(db_session, paper_campaign, "first", texts=texts, complete=False, reason="Pages 3 à 6 manquantes")
    assert errors == {} and form.state is FormState.INCOMPLETE
    assert form.response.status not in ANALYSED_STATUSES and form.entry(1).incomplete_reason == "Pages 3 à 6 manquantes"


def test_a_closed_campaign_takes_no_paper_form(db_session, paper_campaign):
    from survey_app.models import CampaignStatus

    paper_campaign["campaign"].status = CampaignStatus.CLOSED
    db_session.commit()
    with pytest.raises(ServiceError, match="n'est pas ouverte"):
        save(db_session, paper_campaign, "first")
    assert count(db_session, PaperForm) == 0


def test_two_agents_saving_the_same_serial_at_once_one_wins_the_other_is_told(db_session, paper_campaign, monkeypatch):
    save(db_session, paper_campaign, "first")
    # the second agent checked the serial before the first saved: the database decides
    monkeypatch.setattr(entry, "form_by_serial", lambda *args: None)
    with pytest.raises(entry.SerialTaken, match="vient d'être enregistré par un autre agent"):
        save(db_session, paper_campaign, "second", texts=dict(RESIDENT_KEYED, age="2"))
    assert count(db_session, PaperForm) == 1 and count(db_session, PaperEntry) == 1
    assert db_session.scalar(select(Response)).answers_dict()["age"] == "75_plus"


def double(db_session, paper, mode=DoubleEntry.ALL, percent=10):
    entry.set_double_entry(db_session, paper["campaign"], mode, percent, paper["coordinator"])
    db_session.commit()


def test_identical_double_entry_validates_at_once(db_session, paper_campaign):
    double(db_session, paper_campaign)
    form, _, _ = save(db_session, paper_campaign, "first")
    assert form.state is FormState.AWAITING_SECOND and form.response.status not in ANALYSED_STATUSES
    with pytest.raises(ServiceError, match="seconde saisie doit être faite par un autre agent"):
        entry.start(db_session, paper_campaign["campaign"], paper_campaign["first"], "a12")
    started = entry.start(db_session, paper_campaign["campaign"], paper_campaign["second"], "A 12")
    assert started.round == 2
    form, round_, errors = save(db_session, paper_campaign, "second")
    assert (round_, errors, form.state) == (2, {}, FormState.VALIDATED)
    assert form.response.status is ResponseStatus.VALIDATED
    assert [c.action for c in entry.change_log(db_session, form.response)] == ["validate"]
    with pytest.raises(entry.AlreadyKeyed):
        entry.start(db_session, paper_campaign["campaign"], paper_campaign["coordinator"], "A12")


def test_differing_entries_are_reconciled_from_the_paper(db_session, paper_campaign):
    double(db_session, paper_campaign)
    save(db_session, paper_campaign, "first")
    form, _, _ = save(db_session, paper_campaign, "second", texts=dict(RESIDENT_KEYED, etat_sante="4", solitude="*"))
    assert form.state is FormState.RECONCILING
    diffs = {d.question_id: (d.first, d.second) for d in form.discrepancies}
    assert diffs == {"etat_sante": ({"kind": "value", "value": "3"}, {"kind": "value", "value": "4"}),
                     "solitude": ({"kind": "value", "value": "rarement"}, {"kind": "illegible"})}
    assert form.response.status not in ANALYSED_STATUSES
    coordinator = paper_campaign["coordinator"]
    errors = reconciliation.resolve(db_session, paper_campaign["campaign"], form,
                                    {"etat_sante": {"etat_sante": "5"}, "solitude": {"solitude": "2"}},
                                    {"etat_sante": "Lu sur le papier", "solitude": ""}, coordinator)
    db_session.commit()
    assert errors == {"solitude": "Indiquez la raison de la décision (par exemple : « lu sur le questionnaire papier »)."}
    assert form.state is FormState.RECONCILING and form.response.answers_dict()["etat_sante"] == "5"
    errors = reconciliation.resolve(db_session, paper_campaign["campaign"], form, {"solitude": {"solitude": "2"}},
                                    {"solitude": "Lu sur le papier"}, coordinator)
    db_session.commit()
    assert errors == {} and form.state is FormState.VALIDATED
    assert form.response.status is ResponseStatus.VALIDATED and form.response.answers_dict()["solitude"] == "rarement"
    log = [(c.action, c.question_id, c.old_value, c.new_value, c.reason, c.actor_id)
           for c in entry.change_log(db_session, form.response)]
    assert log[0] == ("reconciliation", "etat_sante", {"kind": "value", "value": "3"}, {"kind": "value", "value": "5"},
                      "Lu sur le papier", coordinator.id)
    assert log[-1][0] == "validate"
    # both original entries are kept as keyed
    assert form.entry(1).answers["etat_sante"] == "3" and form.entry(2).answers["etat_sante"] == "4"
    assert form.entry(2).markers == {"solitude": "illegible"}


def test_a_random_share_is_drawn_when_the_first_entry_is_saved(db_session, paper_campaign):
    double(db_session, paper_campaign, DoubleEntry.SAMPLE, 10)
    kept, _, _ = save(db_session, paper_campaign, "first", serial="S1", draw=lambda: 0.05)
    skipped, _, _ = save(db_session, paper_campaign, "first", serial="S2", draw=lambda: 0.50)
    assert (kept.state, skipped.state) == (FormState.AWAITING_SECOND, FormState.KEYED)
    assert kept.needs_second and not skipped.needs_second


def test_an_agent_cancels_an_entry_with_a_reason_and_the_serial_is_free_again(db_session, paper_campaign):
    form, _, _ = save(db_session, paper_campaign, "first")
    with pytest.raises(ServiceError, match="Seul l'agent"):
        entry.cancel(db_session, paper_campaign["campaign"], form, paper_campaign["second"], "erreur")
    with pytest.raises(ServiceError, match="Indiquez pourquoi"):
        entry.cancel(db_session, paper_campaign["campaign"], form, paper_campaign["first"], "  ")
    entry.cancel(db_session, paper_campaign["campaign"], form, paper_campaign["first"], "Mauvais numéro tapé")
    db_session.commit()
    assert form.state is FormState.CANCELLED and form.response.status is ResponseStatus.EXCLUDED
    change = db_session.scalar(select(ResponseChange))
    assert (change.action, change.reason, change.actor_id) == ("cancel", "Mauvais numéro tapé", paper_campaign["first"].id)
    again, _, errors = save(db_session, paper_campaign, "second")
    assert errors == {} and again.id != form.id and count(db_session, PaperEntry) == 2


def test_a_validated_form_cannot_be_cancelled(db_session, paper_campaign):
    double(db_session, paper_campaign)
    form, _, _ = save(db_session, paper_campaign, "first")
    save(db_session, paper_campaign, "second")
    with pytest.raises(ServiceError, match="déjà validé"):
        entry.cancel(db_session, paper_campaign["campaign"], form, paper_campaign["first"], "erreur")


def test_printed_serials_are_recorded_and_name_their_questionnaire(db_session, paper_campaign):
    issued = serials.issue(db_session, paper_campaign["campaign"], paper_campaign["version"], 3,
                           paper_campaign["coordinator"])
    db_session.commit()
    assert issued == ["000018", "000026", "000034"]
    assert serials.issue(db_session, paper_campaign["campaign"], paper_campaign["version"], 1, None) == ["000042"]
    started = entry.start(db_session, paper_campaign["campaign"], paper_campaign["first"], "00002-6")
    assert started.version.id == paper_campaign["version"].id and started.serial == "000026"
    with pytest.raises(ServiceError, match="aucun questionnaire imprimé"):
        entry.start(db_session, paper_campaign["campaign"], paper_campaign["first"], "00002-7")


def test_keying_figures_per_agent_day_question(db_session, paper_campaign):
    from survey_app.entry.stats import entry_stats

    double(db_session, paper_campaign)
    save(db_session, paper_campaign, "first")
    save(db_session, paper_campaign, "second", texts=dict(RESIDENT_KEYED, etat_sante="4"))
    save(db_session, paper_campaign, "first", serial="B2")
    figures = entry_stats(db_session, paper_campaign["campaign"])
    assert sum(d.keyed for d in figures.by_agent_day) == 3
    assert sum(d.awaiting_second for d in figures.by_agent_day) == 1 and figures.reconciling == 1
    assert [(q.question_id, q.discrepancies, q.compared) for q in figures.by_question] == [("etat_sante", 1, 1)]
    assert [a.discrepancies for a in figures.by_agent] == [1, 1]
    assert entry.keyed_today(db_session, paper_campaign["campaign"], paper_campaign["first"]) == 2
