"""A form keyed once does not count as complete while the campaign's rule asks for its second entry."""
from __future__ import annotations

import html as html_lib

from sqlalchemy import select

from survey_app.entry import services as entry
from survey_app.entry import stats
from survey_app.models import DoubleEntry, FormState, PaperForm, ResponseChange, ResponseStatus

from .conftest import RESIDENT_KEYED
from .test_entry_services import save

WAITING = "saisie unique, en attente de la seconde saisie"


def _tidy_ids(db_session, campaign):
    from survey_app.findings import frame

    table, _definition = frame.tidy_responses(db_session, campaign, "resident")
    return set(table["response_id"]) if "response_id" in table else set(table.index)


def test_forms_keyed_once_wait_when_double_entry_is_switched_on(client, login, db_session, paper_campaign):
    campaign = paper_campaign["campaign"]
    first, _, _ = save(db_session, paper_campaign, "first", serial="A-1")
    other, _, _ = save(db_session, paper_campaign, "first", serial="A-2")
    assert first.state is FormState.KEYED and first.response.status is ResponseStatus.COMPLETE
    assert {first.response_id, other.response_id} <= _tidy_ids(db_session, campaign)
    # every form keyed twice from now on, those keyed once already included
    settings = entry.set_double_entry(db_session, campaign, DoubleEntry.ALL, 100, paper_campaign["coordinator"])
    db_session.commit()
    assert settings.reopened == 2
    for form in (first, other):
        db_session.refresh(form)
        assert form.state is FormState.AWAITING_SECOND and form.needs_second
        assert form.response.status is ResponseStatus.DRAFT
    assert not {first.response_id, other.response_id} & _tidy_ids(db_session, campaign)  # nor analysis nor exports
    change = db_session.scalar(select(ResponseChange).where(ResponseChange.response_id == first.response_id))
    assert change.action == "await_second" and WAITING in change.reason
    assert change.old_value["status"] == "complete" and change.new_value["status"] == "draft"
    counts = stats.state_counts(db_session, campaign)
    assert (counts.keyed, counts.awaiting_second, counts.analysed, counts.waiting) == (0, 2, 0, 2)

    # the list and the figures say it in words
    login(paper_campaign["coordinator"])
    listing = html_lib.unescape(client.get(f"/saisie/{campaign.slug}/questionnaires").get_data(as_text=True))
    assert listing.count(WAITING) >= 2
    assert "<dt>Comptés dans l'analyse</dt><dd>0</dd>" in listing
    assert "<dt>Saisie unique, en attente de la seconde saisie</dt><dd>2</dd>" in listing
    figures = html_lib.unescape(client.get(f"/saisie/{campaign.slug}/suivi").get_data(as_text=True))
    assert "<dt>Saisie unique, en attente de la seconde saisie</dt><dd>2</dd>" in figures
    client.post("/deconnexion")

    # the second agent keys A-1 the same: validated, back in the analysis; A-2 still waits
    form, round_, errors = save(db_session, paper_campaign, "second", serial="A-1")
    assert (round_, errors, form.state) == (2, {}, FormState.VALIDATED)
    assert form.response.status is ResponseStatus.VALIDATED
    ids = _tidy_ids(db_session, campaign)
    assert first.response_id in ids and other.response_id not in ids
    counts = stats.state_counts(db_session, campaign)
    assert (counts.validated, counts.awaiting_second, counts.analysed) == (1, 1, 1)


def test_a_random_share_is_drawn_for_the_forms_already_keyed(db_session, paper_campaign):
    campaign = paper_campaign["campaign"]
    forms = [save(db_session, paper_campaign, "first", serial=f"B-{i}")[0] for i in range(4)]
    draws = iter([0.05, 0.5, 0.09, 0.95])  # under 10 %: the first and the third
    settings = entry.set_double_entry(db_session, campaign, DoubleEntry.SAMPLE, 10, paper_campaign["coordinator"],
                                      draw=lambda: next(draws))
    db_session.commit()
    assert settings.reopened == 2
    states = [db_session.get(PaperForm, f.id).state for f in forms]
    assert states == [FormState.AWAITING_SECOND, FormState.KEYED, FormState.AWAITING_SECOND, FormState.KEYED]
    statuses = [db_session.get(PaperForm, f.id).response.status for f in forms]
    assert statuses == [ResponseStatus.DRAFT, ResponseStatus.COMPLETE, ResponseStatus.DRAFT, ResponseStatus.COMPLETE]


def test_switching_double_entry_off_changes_no_form(db_session, paper_campaign):
    campaign = paper_campaign["campaign"]
    entry.set_double_entry(db_session, campaign, DoubleEntry.ALL, 100, paper_campaign["coordinator"])
    db_session.commit()
    form, _, _ = save(db_session, paper_campaign, "first", serial="C-1")
    assert form.state is FormState.AWAITING_SECOND and form.response.status is ResponseStatus.DRAFT
    settings = entry.set_double_entry(db_session, campaign, DoubleEntry.NONE, 10, paper_campaign["coordinator"])
    db_session.commit()
    db_session.refresh(form)
    assert settings.reopened == 0 and form.state is FormState.AWAITING_SECOND
