"""Hostile or careless input on the resident's pages (issue 18, found by probing)."""
from __future__ import annotations

import http.client
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.models import Response, ResponseStatus
from survey_app.survey import answering
from tests.conftest import PROJECT_ROOT, make_test_app

from .helpers import Resident, csrf_of, html
from .test_survey import BASE, MINI, post_page, start, stored

PROFESSIONAL = PROJECT_ROOT / "questionnaires" / "professional.yaml"


@pytest.fixture()
def strict(database_url, tmp_path_factory, committed_db):
    """The application with CSRF checked, as in production."""
    from survey_app.extensions import db

    application = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture()
def mini(db_session, create_campaign):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    return campaign


def test_a_non_ascii_csrf_token_gets_a_clear_400_on_every_survey_post(strict, mini, db_session):
    client = strict.test_client()
    info = html(client.get(f"{BASE}/mini"))
    assert client.post(f"{BASE}/mini/commencer", data={"csrf_token": csrf_of(info)}).status_code == 302
    page = html(client.get(f"{BASE}/mini/page/un"))  # a signed token was handed out
    version = re.search(r'name="version_id" value="(\d+)"', page).group(1)
    forged = "é" * 20 + csrf_of(page)
    posts = {
        "commencer": {},
        "page/un": {"version_id": version, "section_id": "un", "fume": "non"},
        "relecture": {"version_id": version},
        "reprendre": {"code": "ABCD-EFGH-JKMN"},
    }
    for url, data in posts.items():
        response = client.post(f"{BASE}/mini/{url}", data={**data, "csrf_token": forged})
        assert response.status_code == 400, (url, response.status_code)
        assert "a expiré" in html(response), url  # said in French, with the form again
    assert stored(db_session) == {}
    assert db_session.scalars(select(Response)).one().status is ResponseStatus.DRAFT


def test_a_resume_link_asks_before_continuing_and_never_carries_the_code_to_the_server(app, client, mini, db_session):
    start(client)
    post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "3"}, action="later")
    later = html(client.get(f"{BASE}/mini/plus-tard"))
    code = re.search(r'id="code-reprise">([A-Z0-9-]+)<', later).group(1)
    links = re.findall(r'href="([^"]*reprendre[^"]*)"', later)
    assert links and all("code=" not in link and "?" not in link for link in links)
    assert any(link.endswith("#" + code) for link in links)  # after "#": never sent, never logged
    visitor = app.test_client()
    # an old link with the code in the query: the form, filled in, and nothing attached yet
    shown = visitor.get(f"{BASE}/mini/reprendre?code={code}")
    assert shown.status_code == 200 and f'value="{code}"' in html(shown)
    assert "Continuer mes réponses" in html(shown)
    assert visitor.get(f"{BASE}/mini/page/un").headers["Location"].endswith("/enquete/ville-test/mini")
    # the visitor's own action: now attached
    assert visitor.post(f"{BASE}/mini/reprendre", data={"code": code}).headers["Location"].endswith("/page/un")
    assert 'value="3"' in html(visitor.get(f"{BASE}/mini/page/un"))


def test_a_post_too_big_to_read_anywhere_gets_a_413_page(client, mini, db_session):
    body = {"version_id": "1", "section_id": "nulle", "idees": "x" * 2_500_000}
    response = client.post(f"{BASE}/mini/page/nulle", data=body)  # no draft yet
    assert response.status_code == 413 and "trop volumineuses" in html(response)
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    response = client.post(f"{BASE}/mini/page/nulle", data=body)  # a draft, an unknown section
    assert response.status_code == 413 and "trop volumineuses" in html(response)
    assert "plus de 2 Mo" in html(response)
    assert stored(db_session) == {"fume": "non"}


@pytest.mark.usefixtures("committed_db")  # a live server thread
def test_a_server_answers_413_to_a_big_body_instead_of_resetting_the_connection(app, mini):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        payload = b"section_id=nulle&idees=" + b"x" * 2_500_000
        connection.request("POST", f"{BASE}/mini/page/nulle", body=payload,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        reply = connection.getresponse()
        assert reply.status == 413
        assert "trop volumineuses" in reply.read().decode()
        connection.close()
    finally:
        server.shutdown()
        thread.join(10)


def test_a_huge_answer_is_refused_with_its_real_length_and_the_limit(client, mini, db_session):
    start(client)
    post_page(client, "mini", "un", {"fume": "non"})
    response = post_page(client, "mini", "trois", {"idees": "x" * 1_000_000})
    assert response.status_code == 422
    assert "Texte trop long : 1000000 caractères pour 300 au maximum." in html(response)
    assert len(response.data) < 100_000  # the text typed is not sent back whole
    assert stored(db_session) == {"fume": "non"}


@pytest.mark.parametrize("listed", [True, False])
def test_the_professional_thank_you_page_says_what_a_directory_entry_publishes(
        strict, db_session, create_campaign, listed):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, PROFESSIONAL)
    db_session.commit()
    survey = answering.find_survey(db_session, "ville-test", "professional")
    base = f"{BASE}/professional"
    resident = Resident(strict.test_client(), base, "pro", overrides={"annuaire_accord": "oui" if listed else "non"})
    resident.walk(survey)
    review = resident.get(f"{base}/relecture")
    version = re.search(r'name="version_id" value="(\d+)"', review).group(1)
    sent = resident.post(f"{base}/relecture", {"version_id": version}, review)
    assert sent.headers["Location"].endswith("/merci")
    thanks = resident.get(f"{base}/merci")
    if listed:
        assert "anonymes" not in thanks and "annuaire" in thanks and "seront publiées" in thanks
    else:
        assert "Elles sont anonymes" in thanks and "annuaire" not in thanks


def test_the_signed_token_kept_in_the_session_is_signed_afresh_after_a_key_rotation(strict, mini, db_session):
    client = strict.test_client()
    info = html(client.get(f"{BASE}/mini"))
    assert client.post(f"{BASE}/mini/commencer", data={"csrf_token": csrf_of(info)}).status_code == 302
    page = html(client.get(f"{BASE}/mini/page/un"))
    assert csrf_of(page) == csrf_of(info)  # signed once, kept in the session
    strict.config["WTF_CSRF_SECRET_KEY"] = "a-new-csrf-key"  # the kept token no longer holds
    version = re.search(r'name="version_id" value="(\d+)"', page).group(1)
    data = {"version_id": version, "section_id": "un", "fume": "non"}
    refused = client.post(f"{BASE}/mini/page/un", data={**data, "csrf_token": csrf_of(page)})
    assert refused.status_code == 400
    fresh = csrf_of(html(refused))
    assert fresh != csrf_of(page)
    assert client.post(f"{BASE}/mini/page/un", data={**data, "csrf_token": fresh}).status_code == 302
