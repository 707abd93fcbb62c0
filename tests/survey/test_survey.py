"""The resident's questionnaire through the Flask test client, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from survey_app.models import Answer, Campaign, CampaignStatus, InvitationCode, Response, ResponseStatus
from survey_app.survey import answering, store
from survey_app.campaigns import questionnaires
from tests.conftest import PROJECT_ROOT

MINI = Path(__file__).resolve().parents[1] / "data" / "survey_mini.yaml"
RESIDENT = PROJECT_ROOT / "questionnaires" / "resident.yaml"
BASE = "/enquete/ville-test"


@pytest.fixture()
def survey_campaign(db_session, create_campaign):
    """Callable fixture: a campaign with questionnaire files loaded."""

    def _create(*paths, slug="ville-test", **fields):
        campaign = create_campaign(slug)
        for name, value in fields.items():
            setattr(campaign, name, value)
        for path in paths or (MINI,):
            questionnaires.load_file(db_session, campaign, path)
        db_session.commit()
        return campaign

    return _create


def html(response) -> str:
    return response.get_data(as_text=True)


def version_id(page: str) -> str:
    return re.search(r'name="version_id" value="(\d+)"', page).group(1)


def start(client, key="mini"):
    response = client.post(f"{BASE}/{key}/commencer")
    assert response.status_code == 302, html(response)
    return response.headers["Location"]


def post_page(client, key, section, data, action="next", version=None):
    if version is None:
        version = version_id(html(client.get(f"{BASE}/{key}/page/{section}")))
    return client.post(f"{BASE}/{key}/page/{section}", data={"version_id": version, "section_id": section, "action": action, **data})


def the_response(db_session) -> Response:
    db_session.expire_all()
    return db_session.scalars(select(Response)).one()


def stored(db_session) -> dict:
    return answering.stored_answers(db_session, the_response(db_session))


# --------------------------------------------------------------- information
def test_information_page_says_who_why_anonymity_duration_and_rights(client, survey_campaign):
    survey_campaign(RESIDENT)
    page = html(client.get(f"{BASE}/resident"))
    assert "Ville de Test" in page
    assert "anonyme" in page and "RGPD" in page and "CNIL" in page
    assert "Environ 15 minutes" in page
    assert "Commencer le questionnaire" in page
    assert 'href="/enquete/ville-test/resident?lang=en"' in page
    client.get(f"{BASE}/resident?lang=en")
    page = html(client.get(f"{BASE}/resident"))
    assert '<html lang="en" dir="ltr">' in page
    assert "Start the questionnaire" in page and "Your rights" in page


def test_campaign_information_text_replaces_the_default(client, survey_campaign):
    survey_campaign(information={"fr": {"who": "Le CCAS de Test mène l'enquête.", "contact": "Écrivez à sante@test.fr."}})
    page = html(client.get(f"{BASE}/mini"))
    assert "Le CCAS de Test mène l&#39;enquête." in page and "sante@test.fr" in page


def test_a_campaign_not_open_says_when_it_opens_or_closed(client, survey_campaign, db_session):
    campaign = survey_campaign()
    campaign.opens_on = dt.date.today() + dt.timedelta(days=10)
    db_session.commit()
    page = html(client.get(f"{BASE}/mini"))
    assert "pas encore ouvert" in page and str((dt.date.today() + dt.timedelta(days=10)).year) in page
    assert client.post(f"{BASE}/mini/commencer").status_code == 200
    assert db_session.scalars(select(Response)).first() is None
    campaign.opens_on = None
    campaign.closes_on = dt.date(2020, 3, 31)
    db_session.commit()
    page = html(client.get(f"{BASE}/mini"))
    assert "est fermé" in page and "31 mars 2020" in page
    campaign.closes_on = None
    campaign.status = CampaignStatus.DRAFT
    db_session.commit()
    assert "pas encore ouvert" in html(client.get(f"{BASE}/mini"))


def test_closing_elsewhere_stops_answers_at_once_and_the_pages_follow_within_the_delay(
        app, client, survey_campaign, db_session, monkeypatch):
    """Another worker or the command line closes the campaign: this worker's snapshot of the
    survey is not told, yet no page is saved after that, and its pages say so once the
    snapshot is older than CLS_SURVEY_CACHE_SECONDS."""
    campaign = survey_campaign()
    start(client)
    page = html(client.get(f"{BASE}/mini/page/un"))
    assert app.config["CLS_SURVEY_CACHE_SECONDS"] > 0
    # closed without the ORM, as another process would: nothing here hears of it
    db_session.execute(update(Campaign).where(Campaign.id == campaign.id).values(status=CampaignStatus.CLOSED))
    db_session.commit()
    response = client.post(f"{BASE}/mini/page/un", data={"version_id": version_id(page), "section_id": "un",
                                                         "action": "next", "fume": "oui", "cigarettes": "3"})
    assert response.status_code == 302 and stored(db_session) == {}  # refused: the draft is read with the campaign
    follow = html(client.get(response.headers["Location"]))
    assert "a expiré" in follow
    assert "est fermé" not in follow  # the page itself comes from the snapshot of the survey, still fresh
    assert client.post(f"{BASE}/mini/commencer").status_code == 200  # no new draft either
    assert db_session.scalars(select(Response)).one()
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + app.config["CLS_SURVEY_CACHE_SECONDS"] + 1)
    assert "est fermé" in html(client.get(f"{BASE}/mini"))


def test_unknown_campaign_or_questionnaire_is_a_404(client, survey_campaign):
    survey_campaign()
    assert client.get("/enquete/nulle/mini").status_code == 404
    assert client.get(f"{BASE}/inconnu").status_code == 404
    assert client.post(f"{BASE}/inconnu/page/un", data={"a": "b"}).status_code == 404


# ----------------------------------------------------------------- answering
def test_complete_path_stores_a_complete_anonymous_response(client, survey_campaign, db_session):
    survey_campaign()
    assert start(client).endswith("/page/un")
    page = html(client.get(f"{BASE}/mini/page/un"))
    assert "Étape 1 sur 3 au plus" in page and "Finir plus tard" in page  # page deux depends on this page
    response = post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "12", "sports": ["marche", "autre"], "sports__autre": "Danse", "poids": "72,5"})
    assert response.headers["Location"].endswith("/page/deux")
    assert "Étape 2 sur 3" in html(client.get(f"{BASE}/mini/page/deux"))
    response = post_page(client, "mini", "deux", {"arret": "oui", "depuis": "2001-05-04"})
    assert response.headers["Location"].endswith("/page/trois")
    response = post_page(client, "mini", "trois", {"gene.bruit": "beaucoup", "gene.air": "non", "note_bruit": "8", "priorites.1": "air", "priorites.2": "medecins", "quartier": "sud", "idees": "Plus de bancs", "surnom": "ok"})
    assert response.headers["Location"].endswith("/relecture")
    review = html(client.get(f"{BASE}/mini/relecture"))
    for text in ["Marche", "Précision : Danse", "72,5", "Le bruit : Beaucoup", "1. Qualité de l&#39;air", "Sud", "Plus de bancs", "Modifier"]:
        assert text in review, text
    response = client.post(f"{BASE}/mini/relecture", data={"version_id": version_id(review)})
    assert response.headers["Location"].endswith("/merci")
    assert "Merci pour vos réponses" in html(client.get(f"{BASE}/mini/merci"))
    saved = the_response(db_session)
    assert saved.status is ResponseStatus.COMPLETE
    assert saved.submitted_on == dt.date.today() and saved.created_on == dt.date.today()
    assert saved.resume_token_hash is None and saved.channel.value == "web"
    assert stored(db_session) == {
        "fume": "oui", "cigarettes": 12, "sports": ["marche", "autre"], "sports__autre": "Danse", "poids": 72.5,
        "arret": "oui", "depuis": "2001-05-04", "gene": {"bruit": "beaucoup", "air": "non"}, "note_bruit": 8,
        "priorites": ["air", "medecins"], "quartier": "sud", "idees": "Plus de bancs", "surnom": "ok",
    }


def test_a_sent_response_cannot_be_changed_from_the_public_side(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))
    post_page(client, "mini", "un", {"fume": "non"}, version=version)
    post_page(client, "mini", "trois", {"surnom": "avant"}, version=version)
    assert client.post(f"{BASE}/mini/relecture", data={"version_id": version}).status_code == 302
    response = client.post(f"{BASE}/mini/page/trois", data={"version_id": version, "section_id": "trois", "surnom": "après"})
    assert response.status_code == 302 and "/page/" not in response.headers["Location"]
    assert stored(db_session)["surnom"] == "avant"
    assert client.post(f"{BASE}/mini/relecture", data={"version_id": version}).status_code == 302
    assert the_response(db_session).status is ResponseStatus.COMPLETE


def test_missing_required_answers_are_shown_next_to_the_question_and_in_a_summary(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    response = post_page(client, "mini", "un", {"sports": "velo"})
    assert response.status_code == 422
    page = html(response)
    assert '<div class="error-summary" role="alert" tabindex="-1" id="erreurs" autofocus>' in page
    assert '<a href="#f-fume-0">Fumez-vous ? — Réponse obligatoire.</a>' in page
    assert 'id="e-fume"' in page and 'aria-describedby="e-fume" aria-invalid="true"' in page
    assert "<title>Erreur : " in page
    assert 'value="velo" checked' in page  # what was typed is shown again
    assert stored(db_session) == {}
    # going back does not need the required answers, but keeps the valid ones
    response = post_page(client, "mini", "un", {"sports": "velo"}, action="back")
    assert response.headers["Location"].endswith("/enquete/ville-test/mini")
    assert stored(db_session) == {"sports": ["velo"]}


def test_errors_are_in_the_respondents_language(client, survey_campaign):
    survey_campaign()
    client.get(f"{BASE}/mini?lang=en")
    start(client)
    page = html(post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "beaucoup"}))
    assert "&#39;beaucoup&#39; is not a whole number." in page
    assert "Continue" in page and "Do you smoke?" in page


def test_bad_values_get_a_clear_message_and_nothing_is_saved(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    cases = [
        ({"fume": "peut-etre"}, "n&#39;est pas un choix possible"),
        ({"fume": ["oui", "non"]}, "Une seule réponse est attendue."),
        ({"fume": "oui", "cigarettes": "500"}, "La valeur doit être au plus 80."),
        ({"fume": "oui", "cigarettes": "1e3"}, "n&#39;est pas un nombre entier"),
        ({"fume": "non", "poids": "lourd"}, "n&#39;est pas un nombre"),
        ({"fume": "non", "sports": ["marche", "aucun"]}, "ne peut pas être combiné"),
        ({"fume": "non", "sports": ["marche", "velo", "natation"]}, "Au plus 2 choix."),
    ]
    for data, message in cases:
        response = post_page(client, "mini", "un", data)
        assert response.status_code == 422, data
        assert message in html(response), (data, html(response)[:3000])
    assert stored(db_session) == {}
    # an « Autre » text without « Autre » chosen is dropped, like an answer to a hidden question
    assert post_page(client, "mini", "un", {"fume": "non", "sports": ["marche"], "sports__autre": "Danse"}).status_code == 302
    assert stored(db_session) == {"fume": "non", "sports": ["marche"]}


def test_texts_are_limited_and_the_limit_is_said(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    page = html(client.get(f"{BASE}/mini/page/trois"))
    assert "300 caractères au maximum." in page and 'maxlength="300"' in page
    response = post_page(client, "mini", "trois", {"idees": "x" * 301, "surnom": "y" * 10_000})
    assert response.status_code == 422
    assert "Texte trop long : 301 caractères pour 300 au maximum." in html(response)
    assert "Texte trop long : 10000 caractères pour 500 au maximum." in html(response)
    assert stored(db_session) == {"fume": "non"}


def test_a_post_too_big_to_read_shows_the_page_again(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    version = version_id(html(client.get(f"{BASE}/mini/page/trois")))
    response = client.post(f"{BASE}/mini/page/trois", data={"version_id": version, "section_id": "trois", "idees": "x" * 3_000_000})
    assert response.status_code == 413
    assert "trop volumineuses" in html(response) and 'id="survey-form"' in html(response)
    assert stored(db_session) == {"fume": "non"}


def test_same_page_conditions_without_javascript(client, survey_campaign, db_session):
    """A question that depends on the same page is shown with a hint; its answer is dropped if hidden."""
    survey_campaign()
    start(client)
    page = html(client.get(f"{BASE}/mini/page/un"))
    assert 'id="q-cigarettes" data-q="cigarettes" data-type="integer" data-cond' in page
    assert "Répondez si cette question vous concerne" in page
    assert '"cigarettes": {"args": [{"ref": "fume"}, {"lit": "oui"}], "op": "="}' in page
    response = post_page(client, "mini", "un", {"fume": "non", "cigarettes": "20"})
    assert response.headers["Location"].endswith("/page/trois")  # page two is hidden
    assert stored(db_session) == {"fume": "non"}
    # shown by an answer of the same page: now required, the page is validated again
    response = post_page(client, "mini", "un", {"fume": "oui"})
    assert response.status_code == 422 and "Combien de cigarettes par jour ? — Réponse obligatoire." in html(response)


def test_answers_for_hidden_or_foreign_questions_are_ignored(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "non", "arret": "oui", "inconnue": "x", "gene.bruit": "non"})
    assert stored(db_session) == {"fume": "non"}
    # a page hidden by earlier answers cannot be posted
    response = post_page(client, "mini", "deux", {"arret": "oui"}, version=version_id(html(client.get(f"{BASE}/mini/page/un"))))
    assert response.status_code == 302 and response.headers["Location"].endswith("/page/trois")
    assert "ne vous concerne plus" in html(client.get(response.headers["Location"]))
    assert stored(db_session) == {"fume": "non"}
    assert client.get(f"{BASE}/mini/page/deux").headers["Location"].endswith("/page/trois")


def test_changing_an_earlier_answer_drops_the_answers_it_hides(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "5"})
    post_page(client, "mini", "deux", {"arret": "non"})
    assert stored(db_session) == {"fume": "oui", "cigarettes": 5, "arret": "non"}
    post_page(client, "mini", "un", {"fume": "non", "cigarettes": "5"})
    assert stored(db_session) == {"fume": "non"}


@pytest.mark.usefixtures("committed_db")  # the read-only page's autocommit mode, as in production
def test_a_save_that_fails_midway_changes_nothing_even_after_a_read_only_page(
        client, survey_campaign, db_session, monkeypatch):
    """Pages that only read run without a transaction; the connection must not keep that
    mode for the next request, whose save is all or nothing."""
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "5"})
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))  # read-only page

    def disk_full(session, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "write_answers", disk_full)
    # the old answer is deleted, then the new one cannot be written: an error page, nothing changed
    assert post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "9"}, version=version).status_code == 500
    assert stored(db_session) == {"fume": "oui", "cigarettes": 5}
    assert the_response(db_session).current_section == "deux"


def test_stale_pages_are_refused_with_a_message(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    for data in [{"version_id": "999999", "section_id": "trois"}, {"version_id": "abc", "section_id": "trois"},
                 {"section_id": "un"}, {"version_id": "1", "section_id": "trois", "action": "sauter"}]:
        response = client.post(f"{BASE}/mini/page/trois", data={"surnom": "x", **data})
        assert response.status_code in (302, 422), data
    assert "surnom" not in stored(db_session) or stored(db_session)["surnom"] == "x"
    response = client.post(f"{BASE}/mini/page/trois", data={"version_id": "999999", "section_id": "trois", "surnom": "z"})
    assert "a été mis à jour" in html(client.get(response.headers["Location"]))
    assert stored(db_session).get("surnom") != "z"
    response = client.post(f"{BASE}/mini/page/nulle", data={"version_id": "1", "section_id": "nulle"})
    assert response.status_code == 302


def test_a_new_questionnaire_version_does_not_disturb_a_draft(client, survey_campaign, db_session, tmp_path):
    campaign = survey_campaign()
    start(client)
    old = version_id(html(client.get(f"{BASE}/mini/page/un")))
    changed = tmp_path / "mini.yaml"
    changed.write_text(MINI.read_text(encoding="utf-8").replace("Vos idées", "Vos propositions"), encoding="utf-8")
    questionnaires.load_file(db_session, campaign, changed)
    db_session.commit()
    assert post_page(client, "mini", "un", {"fume": "non"}, version=old).status_code == 302
    assert str(the_response(db_session).questionnaire_version_id) == old
    assert "Vos idées" in html(client.get(f"{BASE}/mini/page/trois"))


# ------------------------------------------------------------------- resume
def test_resume_with_the_code_on_another_device(app, client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "3"}, action="later")
    page = html(client.get(f"{BASE}/mini/plus-tard"))
    code = re.search(r'id="code-reprise">([A-Z0-9-]+)<', page).group(1)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert the_response(db_session).resume_token_hash == answering.hash_code(code)
    other = app.test_client()
    response = other.post(f"{BASE}/mini/reprendre", data={"code": " " + code.lower().replace("-", " ") + " "})
    assert response.headers["Location"].endswith("/page/un")  # where the respondent stopped
    assert 'value="3"' in html(other.get(f"{BASE}/mini/page/un"))
    post_page(other, "mini", "un", {"fume": "oui", "cigarettes": "4"})
    # the link shows the form with a button (the code after "#", which no server sees);
    # posting it leads to the page reached on the other device
    link = re.search(r'href="(http://localhost[^"]+/reprendre[^"]*)"', page).group(1)
    assert link.endswith("/reprendre#" + code) and "code=" not in link
    third = app.test_client()
    assert third.get(f"{BASE}/mini/reprendre").status_code == 200
    assert third.post(f"{BASE}/mini/reprendre", data={"code": code}).headers["Location"].endswith("/page/deux")


def test_unknown_expired_and_sent_codes_get_a_message_and_the_form(client, survey_campaign, db_session):
    survey_campaign()
    response = client.post(f"{BASE}/mini/reprendre", data={"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 404 and "ne correspond à aucun questionnaire" in html(response)
    assert 'id="f-code"' in html(response)
    for junk in ["", "x" * 5000, "ÉÉÉÉ", "' or 1=1 --"]:
        assert client.post(f"{BASE}/mini/reprendre", data={"code": junk}).status_code in (200, 404)
    start(client)
    draft = the_response(db_session)
    draft.created_on = dt.date.today() - dt.timedelta(days=365)
    db_session.commit()
    response = client.get(f"{BASE}/mini/page/un", follow_redirects=True)
    assert "a expiré" in html(response)


def test_guessing_resume_codes_is_rate_limited(client, survey_campaign):
    survey_campaign()
    codes = [client.post(f"{BASE}/mini/reprendre", data={"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(21)]
    assert codes[:20] == [404] * 20 and codes[20] == 429
    # reading pages is not limited
    assert all(client.get(f"{BASE}/mini").status_code == 200 for _ in range(30))


def test_a_sent_draft_cannot_be_resumed(app, client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    page = html(client.get(f"{BASE}/mini/page/un"))
    code = re.search(r'class="code">([A-Z0-9-]+)<', page).group(1)
    post_page(client, "mini", "un", {"fume": "non"})
    client.post(f"{BASE}/mini/relecture", data={"version_id": version_id(page)})
    response = app.test_client().post(f"{BASE}/mini/reprendre", data={"code": code})
    assert response.status_code == 404  # the token was erased on sending


def test_later_and_pages_without_a_draft_go_to_the_information_page(client, survey_campaign):
    survey_campaign()
    for url in ["/page/un", "/relecture", "/plus-tard"]:
        assert client.get(f"{BASE}/mini{url}").headers["Location"].endswith("/enquete/ville-test/mini")
    response = client.post(f"{BASE}/mini/page/un", data={"fume": "oui"}, follow_redirects=True)
    assert "Aucun questionnaire en cours" in html(response)


# ------------------------------------------------------ review and sending
def test_sending_checks_every_page_again(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))
    post_page(client, "mini", "trois", {"surnom": "x"}, version=version)  # page one skipped by hand
    response = client.post(f"{BASE}/mini/relecture", data={"version_id": version})
    assert response.status_code == 422
    assert "Fumez-vous ? — Réponse obligatoire." in html(response)
    assert the_response(db_session).status is ResponseStatus.DRAFT


# ---------------------------------------------------------- languages, RTL
def test_questionnaire_languages_and_right_to_left(client, survey_campaign):
    survey_campaign()
    page = html(client.get(f"{BASE}/mini"))
    assert 'lang="ar" hreflang="ar">العربية</a>' in page
    response = client.get(f"{BASE}/mini?lang=ar")
    assert response.headers["Location"] == f"{BASE}/mini"
    start(client)
    page = html(client.get(f"{BASE}/mini/page/un"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "الصفحة الأولى" in page and "هل تدخن؟" in page
    assert "Combien de cigarettes par jour ?" in page  # French fallback
    assert 'lang="fr" hreflang="fr">Français</a>' in page
    client.get(f"{BASE}/mini/page/un?lang=xx")
    assert '<html lang="ar"' in html(client.get(f"{BASE}/mini/page/un"))


# -------------------------------------------------- duplicates, invitations
def test_a_device_that_already_answered_is_asked_about_another_person(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))
    post_page(client, "mini", "un", {"fume": "non"}, version=version)
    client.post(f"{BASE}/mini/relecture", data={"version_id": version})
    page = html(client.get(f"{BASE}/mini"))
    assert "déjà été envoyé depuis cet appareil" in page and "une autre personne" in page
    assert client.post(f"{BASE}/mini/commencer").status_code == 422
    assert client.post(f"{BASE}/mini/commencer", data={"another": "1"}).status_code == 302
    assert len(db_session.scalars(select(Response)).all()) == 2


def test_invitation_codes_allow_one_response_each(app, client, survey_campaign, db_session):
    campaign = survey_campaign()
    codes = answering.generate_invitation_codes(db_session, campaign, 3)
    db_session.commit()
    assert len(set(codes)) == 3 and all(len(c) == 10 for c in codes)
    stored_hashes = set(db_session.scalars(select(InvitationCode.code_hash)))
    assert stored_hashes == {answering.hash_code(c) for c in codes} and not stored_hashes & set(codes)
    assert "invitation (imprimé sur votre courrier)" in html(client.get(f"{BASE}/mini"))
    assert client.post(f"{BASE}/mini/commencer").status_code == 422
    assert "pas reconnu" in html(client.post(f"{BASE}/mini/commencer", data={"invitation": "ZZZZZZZZZZ"}))
    assert client.post(f"{BASE}/mini/commencer", data={"invitation": codes[0].lower()}).status_code == 302
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))
    # the same letter on another device continues the same draft
    other = app.test_client()
    assert other.post(f"{BASE}/mini/commencer", data={"invitation": codes[0]}).status_code == 302
    post_page(other, "mini", "un", {"fume": "non"}, version=version)
    assert other.post(f"{BASE}/mini/relecture", data={"version_id": version}).status_code == 302
    assert "déjà servi" in html(app.test_client().post(f"{BASE}/mini/commencer", data={"invitation": codes[0]}))
    assert len(db_session.scalars(select(Response)).all()) == 1
    used = db_session.scalar(select(InvitationCode).where(InvitationCode.response_id.is_not(None)))
    assert used.used_on == dt.date.today()


# --------------------------------------------------------------- CSRF
@pytest.mark.usefixtures("committed_db")  # a second application: its own connections
def test_a_forged_post_without_token_gets_the_form_again(database_url, survey_campaign, db_session, tmp_path_factory):
    from tests.conftest import make_test_app

    survey_campaign()
    strict = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    try:
        _forged_post(strict, db_session)
    finally:
        from survey_app.extensions import db

        with strict.app_context():
            db.engine.dispose()


def _forged_post(strict, db_session):
    client = strict.test_client()
    page = html(client.get(f"{BASE}/mini"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"{BASE}/mini/commencer").status_code == 400
    assert client.post(f"{BASE}/mini/commencer", data={"csrf_token": token}).status_code == 302
    version = version_id(html(client.get(f"{BASE}/mini/page/un")))
    response = client.post(f"{BASE}/mini/page/un", data={"version_id": version, "section_id": "un", "fume": "oui", "cigarettes": "4"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in html(response) and 'value="4"' in html(response)
    assert stored(db_session) == {}
    # every page hands out the same signed token; it saves the page, and only in its own session
    page = html(client.get(f"{BASE}/mini/page/un"))
    mine = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert mine == token
    other = strict.test_client()
    other_page = html(other.get(f"{BASE}/mini"))
    theirs = re.search(r'name="csrf_token" value="([^"]+)"', other_page).group(1)
    assert theirs != mine
    assert other.post(f"{BASE}/mini/commencer", data={"csrf_token": mine}).status_code == 400
    data = {"version_id": version, "section_id": "un", "fume": "oui", "cigarettes": "4"}
    assert client.post(f"{BASE}/mini/page/un", data={**data, "csrf_token": theirs}).status_code == 400
    assert client.post(f"{BASE}/mini/page/un", data={**data, "csrf_token": mine[:-2] + "xx"}).status_code == 400
    assert stored(db_session) == {}
    assert client.post(f"{BASE}/mini/page/un", data={**data, "csrf_token": mine}).status_code == 302
    assert stored(db_session) == {"fume": "oui", "cigarettes": 4}


# --------------------------------------------------------- robustness
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(
    st.sampled_from(["fume", "cigarettes", "sports", "sports__autre", "poids", "version_id", "section_id", "action",
                     "gene.bruit", "priorites.1", "x", "csrf_token"]),
    st.one_of(st.text(max_size=30), st.lists(st.text(max_size=8), max_size=4), st.sampled_from(["oui", "non", "1", "aucun"])),
))
def test_random_posts_never_fail_and_never_corrupt_the_draft(client, survey_campaign, db_session, data):
    if db_session.scalar(select(Response.id)) is None:
        survey_campaign()
        start(client)
    response = client.post(f"{BASE}/mini/page/un", data=data)
    assert response.status_code < 500
    answers = stored(db_session)
    survey = answering.find_survey(db_session, "ville-test", "mini")
    from survey_app.questionnaire import validate_answers

    assert validate_answers(survey.definition, answers, section_id="un") in ({}, {"fume": ["Réponse obligatoire."]})


# ---------------------------------------------------------- resident file
def test_every_page_of_the_resident_questionnaire_is_light_and_local(client, survey_campaign, db_session):
    survey_campaign(RESIDENT)
    static = PROJECT_ROOT / "survey_app" / "static"
    assets = sum(len((static / name).read_bytes()) for name in ("style.css", "conditions.js", "survey.js"))
    pages = [f"{BASE}/resident"]
    start(client, "resident")
    survey = answering.find_survey(db_session, "ville-test", "resident")
    # everybody sees the most pages as an older person with a disability
    answers = {"age": "75_plus", "limitation": "oui_fort", "sexe": "f", "quartier": "nord"}
    pages += [f"{BASE}/resident/page/{s}" for s in answering.section_ids(survey, answers)]
    post_page(client, "resident", "profil", answers)
    pages.append(f"{BASE}/resident/relecture")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = html(response)
        assert not re.search(r'(src|href)="(https?:)?//', body), url
        assert len(response.data) + assets < 60_000, (url, len(response.data) + assets)
    assert len(pages) == 12  # information, 10 sections, review


def test_qr_codes_of_the_public_link(client, survey_campaign, create_user, login, db_session):
    from survey_app.campaigns import services as campaigns

    campaign = survey_campaign()
    coordinator = create_user("coordinator")
    outsider = create_user("coordinator")
    campaigns.add_member(db_session, campaign, coordinator)
    db_session.commit()
    login(outsider)
    assert client.get("/espace/campagnes/ville-test/liens").status_code == 404
    assert client.get("/espace/campagnes/ville-test/liens/mini/qr.svg").status_code == 404
    client.post("/deconnexion")
    login(coordinator)
    assert "Diffuser le questionnaire" in html(client.get("/espace/campagnes/ville-test"))
    page = html(client.get("/espace/campagnes/ville-test/liens"))
    assert "http://localhost/enquete/ville-test/mini" in page
    png = client.get("/espace/campagnes/ville-test/liens/mini/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = client.get("/espace/campagnes/ville-test/liens/mini/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/espace/campagnes/ville-test/liens/mini/qr.gif").status_code == 404
    assert client.get("/espace/campagnes/ville-test/liens/nulle/qr.png").status_code == 404
    response = client.post("/espace/campagnes/ville-test/invitations", data={"count": "5"})
    assert response.mimetype == "text/csv" and len(html(response).split()) == 6
    assert db_session.query(InvitationCode).count() == 5
    assert client.post("/espace/campagnes/ville-test/invitations", data={"count": "zéro"}).status_code == 302


def test_nothing_about_the_device_is_stored(client, survey_campaign, db_session):
    survey_campaign()
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    row = the_response(db_session)
    columns = {c.name for c in Response.__table__.columns}
    assert not {"ip", "ip_address", "user_agent", "created_at", "updated_at"} & columns
    assert isinstance(row.created_on, dt.date) and not isinstance(row.created_on, dt.datetime)
    assert db_session.query(Answer).count() == 1
