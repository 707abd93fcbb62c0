"""The coding service: codebook, answers, codings by people and by the machine, results."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from sqlalchemy import delete, func, select, update

from analysis.coding import load_codebook
from survey_app.models import Answer, AnswerCoding, AuditEvent, Codebook, Margin
from survey_app.coding import cache as _coding_cache, services as coding, results as coding_results
from survey_app.campaigns import services as campaigns, demo

DEMO_RESPONSES = 200


@pytest.fixture()
def coding_demo(app, db_session, create_user):
    """The demo campaign (200 synthetic responses, census margins) and two coordinators."""
    _coding_cache.clear()
    result = demo.setup_demo(db_session, responses=DEMO_RESPONSES, seed=11,
                             questionnaires_dir=app.config["CLS_QUESTIONNAIRES_DIR"])
    first, second = create_user("coordinator"), create_user("coordinator")
    for user in (first, second):
        campaigns.add_member(db_session, result.campaign, user)
    db_session.commit()
    yield SimpleNamespace(campaign=result.campaign, first=first, second=second)
    _coding_cache.clear()


def set_text(session, response_id: int, question_id: str, text: str) -> None:
    """Replace the text of one stored answer (as a correction by an agent would)."""
    session.execute(update(Answer).where(Answer.response_id == int(response_id), Answer.question_id == question_id)
                    .values(value_text=text))
    session.commit()
    _coding_cache.clear()  # coders are keyed on responses, not on edited texts


# --- the codebook ----------------------------------------------------------------------------

def test_codebook_is_copied_from_the_default_file_then_edited_and_audited(db_session, create_user, create_campaign):
    coordinator = create_user("coordinator")
    campaign = create_campaign("grille", members=[coordinator])
    codebook = coding.campaign_codebook(db_session, campaign)
    assert codebook.keys == load_codebook().keys
    assert db_session.scalar(select(func.count()).select_from(Codebook)) == 1

    with pytest.raises(coding.CodebookInvalid) as refused:
        coding.add_theme(db_session, campaign, coordinator, key="Pharma cie", label="", axis="zzz", terms="")
    message = str(refused.value)
    for expected in ("clé « Pharma cie » invalide", "libellé", "axe inconnu « zzz »", "terme-graine"):
        assert expected in message
    with pytest.raises(coding.CodebookInvalid, match="déjà celle du thème"):
        coding.add_theme(db_session, campaign, coordinator, key="logement", label="Logement bis",
                         axis="prevention_environnement", terms="hlm")

    coding.add_theme(db_session, campaign, coordinator, key="animaux_errants", label="Animaux errants",
                     axis="prevention_environnement", terms="chats errants, chat, pigeons")
    db_session.commit()
    assert coding.campaign_codebook(db_session, campaign).keys[-1] == "animaux_errants"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "codebook.update"))
    assert event.actor_id == coordinator.id and event.new_value["added"] == ["animaux_errants"]
    exported = yaml.safe_load(coding.codebook_yaml(db_session, campaign))
    assert exported["themes"][-1]["terms"] == ["chats errants", "chat", "pigeons"]


def test_saving_an_invalid_codebook_lists_every_problem_in_french(db_session, create_user, create_campaign):
    coordinator = create_user("coordinator")
    campaign = create_campaign("grille", members=[coordinator])
    data = load_codebook().to_dict()
    data["themes"][0]["axis"] = "inconnu"
    data["themes"][1]["key"] = data["themes"][2]["key"]
    data["themes"][3]["terms"] = []
    with pytest.raises(coding.CodebookInvalid) as refused:
        coding.save_codebook(db_session, campaign, data, coordinator)
    assert len(refused.value.problems) == 3
    assert "axe inconnu « inconnu »" in str(refused.value) and "en double" in str(refused.value)
    with pytest.raises(coding.CodebookInvalid, match="YAML illisible"):
        coding.save_codebook(db_session, campaign, "themes: [\n", coordinator)
    assert coding.campaign_codebook(db_session, campaign).keys == load_codebook().keys


# --- the answers ---------------------------------------------------------------------------------

def test_answers_carry_their_id_district_and_weight(coding_demo, db_session):
    answers = coding.coding_answers(db_session, coding_demo.campaign)
    frame = answers.frame
    assert set(frame["question_id"]) == {"problemes_quartier", "aide_prendre_soin", "propositions"}
    assert (frame["answer_id"] == frame["response_id"].astype(str) + ":" + frame["question_id"]).all()
    assert frame["district"].notna().all() and (frame["weight"] >= 0).all() and frame["weight"].max() > 1
    assert "calage" in answers.weighting and answers.sample is not None
    one = coding.coding_answers(db_session, coding_demo.campaign, "propositions")
    assert set(one.frame["question_id"]) == {"propositions"}
    with pytest.raises(coding.ServiceError, match="n'est pas une question ouverte"):
        coding.coding_answers(db_session, coding_demo.campaign, "age")

    db_session.execute(delete(Margin).where(Margin.campaign_id == coding_demo.campaign.id))
    db_session.commit()
    unweighted = coding.coding_answers(db_session, coding_demo.campaign)
    assert (unweighted.frame["weight"] == 1).all() and unweighted.sample is None
    assert "non pondérées (poids 1)" in unweighted.weighting


# --- the coordinator in the loop -----------------------------------------------------------------

def test_a_coding_is_stored_with_who_when_and_source_and_audited(coding_demo, db_session):
    campaign, coordinator = coding_demo.campaign, coding_demo.first
    answer = coding.next_answer(db_session, campaign, coordinator)
    assert answer.proposals and answer.seen == 0
    row = coding.record_coding(db_session, campaign, coordinator, answer.response_id, answer.question_id,
                               ["logement", "environnement"], seen=answer.seen)
    db_session.commit()
    stored = db_session.get(AnswerCoding, row.id)
    assert (stored.source, stored.coder_id, stored.themes) == ("human", coordinator.id, ["logement", "environnement"])
    assert stored.created_at is not None and stored.campaign_id == campaign.id
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "coding.record"))
    assert event.actor_id == coordinator.id and event.entity_id == answer.answer_id
    assert event.new_value["themes"] == ["logement", "environnement"] and event.old_value is None
    again = coding.answer_to_check(db_session, campaign, answer.answer_id,
                                   coding.coder_state(db_session, campaign))
    assert [p.theme for p in again.proposals] == ["logement", "environnement"]
    assert {p.source for p in again.proposals} == {"human"} and again.seen == row.id
    assert coding.next_answer(db_session, campaign, coordinator).answer_id != answer.answer_id

    # a correction is a new row; the history stays
    coding.record_coding(db_session, campaign, coordinator, answer.response_id, answer.question_id, [])
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(AnswerCoding)) == 2


def test_bad_codings_are_refused_with_clear_french_errors(coding_demo, db_session):
    campaign, first, second = coding_demo.campaign, coding_demo.first, coding_demo.second
    answer = coding.next_answer(db_session, campaign, first)
    with pytest.raises(coding.UnknownTheme, match="« inexistant »"):
        coding.record_coding(db_session, campaign, first, answer.response_id, answer.question_id, ["inexistant"])
    with pytest.raises(coding.UnknownAnswer, match="Réponse inconnue"):
        coding.record_coding(db_session, campaign, first, 999_999, "propositions", ["logement"])
    with pytest.raises(coding.UnknownAnswer):
        coding.parse_answer_id("pas-un-identifiant")
    # the second coordinator stores a coding while the first is reading the answer
    coding.record_coding(db_session, campaign, second, answer.response_id, answer.question_id, ["logement"])
    db_session.commit()
    with pytest.raises(coding.StaleAnswer, match="une autre personne"):
        coding.record_coding(db_session, campaign, first, answer.response_id, answer.question_id,
                             ["environnement"], seen=answer.seen)
    assert db_session.scalar(select(func.count()).select_from(AnswerCoding)) == 1


def _same_text_pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    groups = frame.groupby(frame["text"].str.lower().str.strip())["answer_id"].apply(list)
    return [(ids[0], ids[1]) for ids in groups if len(ids) >= 2]


def test_a_correction_changes_the_proposals_of_similar_answers(coding_demo, db_session):
    campaign, coordinator = coding_demo.campaign, coding_demo.first
    state = coding.coder_state(db_session, campaign)
    pairs = _same_text_pairs(state.answers.frame)
    assert pairs, "the demo repeats some phrasings"
    coded, similar = next((a, b) for a, b in pairs if state.coder.answers["excluded"].iat[state.positions[a]] is None)
    before = {p.theme: p.confidence for p in state.coder.propose(similar, candidates=20)}
    new_theme = next(k for k in state.coder.codebook.keys if before.get(k, 0.0) < 0.3)
    response_id, question_id = coding.parse_answer_id(coded)
    coding.record_coding(db_session, campaign, coordinator, response_id, question_id, [new_theme])
    db_session.commit()
    after = coding.answer_to_check(db_session, campaign, similar, coding.coder_state(db_session, campaign))
    assert new_theme in after.proposed, (before, after.proposals)
    assert {p.theme: p.confidence for p in after.proposals}[new_theme] > before.get(new_theme, 0.0) + 0.3


def test_codings_stored_by_another_worker_are_replayed(coding_demo, db_session):
    campaign, coordinator = coding_demo.campaign, coding_demo.first
    state = coding.coder_state(db_session, campaign)
    answer = coding.next_answer(db_session, campaign, coordinator)
    response_id, question_id = coding.parse_answer_id(answer.answer_id)
    db_session.add(AnswerCoding(campaign_id=campaign.id, response_id=response_id, question_id=question_id,
                                source="human", coder_id=coding_demo.second.id, themes=["sante_mentale"]))
    db_session.commit()
    again = coding.coder_state(db_session, campaign)
    assert again is state  # the same coder, kept in memory, brought up to date
    assert [(p.theme, p.source) for p in again.coder.propose(answer.answer_id)] == [("sante_mentale", "human")]
    assert coding_results.coding_progress(db_session, campaign).human == 1


# --- automatic coding and results ------------------------------------------------------------

def test_auto_coding_stores_one_row_per_answer_and_human_codings_win(coding_demo, db_session):
    campaign, coordinator = coding_demo.campaign, coding_demo.first
    answer = coding.next_answer(db_session, campaign, coordinator)
    coding.record_coding(db_session, campaign, coordinator, answer.response_id, answer.question_id, ["logement"])
    result = coding.run_auto_coding(db_session, campaign)
    db_session.commit()
    n = len(coding.coding_answers(db_session, campaign).frame)
    assert result.answers == n and result.useless > 0 and result.human == 1
    assert 0.6 < result.coverage <= 1 and result.coded <= result.useful
    assert sum(count for _, count in result.distribution) == result.coded - 1  # minus the human one
    assert len(result.deciles) == 9 and result.deciles == sorted(result.deciles)
    autos = db_session.scalars(select(AnswerCoding).where(AnswerCoding.source == "auto")).all()
    assert len(autos) == n and any(row.themes == [] for row in autos)
    assert all(row.coder_id is None for row in autos)
    sure = next(row for row in autos if row.themes)
    assert sure.confidences[sure.themes[0]] >= 0.5

    # a later correction wins over the stored automatic coding
    coding.record_coding(db_session, campaign, coordinator, sure.response_id, sure.question_id, ["transport_mobilite"])
    db_session.commit()
    themes = coding_results.response_themes(db_session, campaign).set_index("answer_id")
    corrected = themes.loc[coding.answer_id(sure.response_id, sure.question_id)]
    assert corrected["themes"] == ["transport_mobilite"] and corrected["source"] == "human"
    assert len(themes) == n and set(themes["source"]) == {"auto", "human"}
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "coding.auto")) == 1


def test_agreement_of_two_coordinators_is_cohen_kappa(coding_demo, db_session):
    campaign, first, second = coding_demo.campaign, coding_demo.first, coding_demo.second
    assert coding_results.agreement(db_session, campaign) is None
    given = [["logement"], ["logement"], ["sante_mentale"], ["environnement"]]
    other = [["logement"], ["sante_mentale"], ["sante_mentale"], ["environnement"]]
    for mine, theirs in zip(given, other):
        answer = coding.next_answer(db_session, campaign, first)
        coding.record_coding(db_session, campaign, first, answer.response_id, answer.question_id, mine)
        double = coding.next_answer(db_session, campaign, second, double=True)
        assert double.answer_id == answer.answer_id and double.proposals == []  # blind
        coding.record_coding(db_session, campaign, second, double.response_id, double.question_id, theirs)
    db_session.commit()
    result = coding_results.agreement(db_session, campaign)
    assert result.n == 4 and {result.first, result.second} == {first.display_name, second.display_name}
    table = result.table.set_index("theme")
    assert table.loc["__theme_principal__", "agreement"] == pytest.approx(0.75)
    assert table.loc["environnement", "kappa"] == pytest.approx(1.0)
    assert "transport_mobilite" not in table.index  # nobody used it


def test_theme_shares_are_weighted_with_intervals_and_small_cells_blanked(coding_demo, db_session):
    result = coding_results.theme_shares(db_session, coding_demo.campaign)
    overall = result.overall
    assert "calage" in result.weighting
    assert set(overall["theme"]) == set(load_codebook().keys)
    shown = overall[~overall["suppressed"]]
    assert len(shown) and shown["estimate"].astype(float).between(0, 1).all()
    assert (shown["ci_low"].astype(float) <= shown["estimate"].astype(float)).all()
    by = result.by_district
    names = {d.name for d in coding_demo.campaign.districts}
    # residents who did not say their district are kept, under their own heading
    assert set(by["district"]) <= names | {coding_results.NOT_SPECIFIED}
    # the rule of every table: 11 with the theme and 11 without, and no blanked district alone
    for frame in (overall, by):
        hidden, shown = frame[frame["suppressed"]], frame[~frame["suppressed"]]
        assert hidden["estimate"].isna().all() and hidden["n_cell"].isna().all()
        assert (shown["n_cell"].astype(int) >= 11).all()
        assert (shown["n"].astype(int) - shown["n_cell"].astype(int) >= 11).all()
    assert by["suppressed"].any() and (~by["suppressed"]).any()
    assert (by.groupby("theme")["suppressed"].sum() != 1).all()


def test_emerging_themes_come_from_answers_the_codebook_misses(coding_demo, db_session):
    state = coding.coder_state(db_session, coding_demo.campaign, "propositions")
    texts = [f"pénurie de {m} à la pharmacie, {x}"
             for m in ("médicaments", "sirop", "amoxicilline", "ventoline", "insuline", "doliprane")
             for x in ("rupture de stock", "pharmacien désolé", "commande impossible", "toujours en rupture")]
    texts += [f"les chats errants {x}" for x in ("miaulent la nuit", "se multiplient", "dans les caves",
                                                 "sans stérilisation", "nourris par une voisine", "malades")]
    for response_id, text in zip(state.answers.frame["response_id"], texts):
        set_text(db_session, response_id, "propositions", text)
    themes = coding_results.emerging_themes(db_session, coding_demo.campaign, "propositions")
    assert len(themes) >= 1
    terms = {t for top in themes["top_terms"] for t in top}
    assert terms & {"pénurie", "rupture", "pharmacie", "stock", "chat", "errant"}
    assert all(0 < len(examples) <= 5 for examples in themes["examples"])


def test_the_weighting_note_names_the_margins_in_words(coding_demo, db_session):
    note = coding_results.theme_shares(db_session, coding_demo.campaign).weighting
    assert "calage sur les marges du recensement" in note
    assert "Quartier" in note and "Âge" in note and "Sexe" in note
    assert "age_band" not in note and "district" not in note
