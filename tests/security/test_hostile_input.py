"""NUL characters and bytes that are not UTF-8 are refused at the edge, on both databases.

PostgreSQL cannot store NUL in text and answers ``DataError``: without the check at the
edge, each of these requests was a 500 on PostgreSQL and a normal answer on SQLite.
"""
import pytest
from sqlalchemy import func, select

from survey_app.models import Codebook, Response, User

MESSAGE = "caractères qui ne peuvent pas être enregistrés"


def refused(response):
    page = response.get_data(as_text=True)
    return response.status_code == 400 and MESSAGE in page


@pytest.mark.parametrize(
    "url",
    [
        "/enquete/de%00mo/resident",
        "/enquete/demo/resi%00dent",
        "/espace/campagnes/de%00mo",
        "/langue/f%00r",
        "/enquete/demo/resident?lang=f%00r",
        "/connexion?next=/espace/%00",
        "/enquete/de%FFmo/resident",  # not UTF-8
        "/enquete/de%ED%A0%80mo/resident",  # an encoded surrogate
        "/enquete/demo/resident?lang=%C3",  # a cut UTF-8 sequence
    ],
)
def test_urls_with_nul_or_bad_bytes_are_refused(client, url):
    response = client.get(url)
    assert refused(response), (url, response.status_code)
    assert "Content-Security-Policy" in response.headers


def test_the_login_e_mail_with_nul_is_refused(client, create_user):
    user = create_user("agent")
    response = client.post("/connexion", data={"email": user.email + "\x00", "password": "mot-de-passe-de-test"})
    assert refused(response)
    response = client.post(
        "/connexion",
        data=b"email=agent%FF%40ville.test&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert refused(response)


def test_an_admin_display_name_with_nul_is_refused_and_nothing_is_created(client, create_user, login, db_session):
    admin = create_user("admin")
    login(admin)
    response = client.post(
        "/admin/utilisateurs",
        data={"email": "nul@ville.test", "display_name": "Ag\x00ent", "role": "agent", "password": "un-long-mot-de-passe"},
    )
    assert refused(response)
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_a_multipart_form_with_nul_is_refused(client, create_user, login, db_session):
    admin = create_user("admin")
    login(admin)
    response = client.post(
        "/admin/utilisateurs",
        data={"email": "nul@ville.test", "display_name": "Ag\x00ent", "role": "agent", "password": "un-long-mot-de-passe"},
        content_type="multipart/form-data",
    )
    assert refused(response)


def test_a_theme_label_with_nul_is_refused(client, create_user, create_campaign, login, db_session):
    coordinator = create_user("coordinator")
    create_campaign("nul", members=[coordinator])
    login(coordinator)
    before = db_session.scalar(select(func.count()).select_from(Codebook))
    response = client.post(
        "/espace/campagnes/nul/codage/themes", data={"key": "bruit", "label": "Bru\x00it", "axis": "", "terms": "bruit"}
    )
    assert refused(response)
    assert db_session.scalar(select(func.count()).select_from(Codebook)) == before


def test_survey_answers_with_nul_are_refused_and_nothing_is_stored(client, create_campaign, db_session):
    from tests.security.inventory import MINI
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    response = client.post("/enquete/ville-test/mini/commencer", data={"another": "1\x00"})
    assert refused(response)
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_ordinary_text_is_untouched(client, create_user):
    user = create_user("agent")
    response = client.post(
        "/connexion", data={"email": user.email, "password": "mot-de-passe-de-test – été ½ 😀"}
    )
    assert response.status_code == 400 and MESSAGE not in response.get_data(as_text=True)
    assert client.get("/enquete/d%C3%A9mo/resident").status_code == 404


@pytest.mark.parametrize(
    "body, content_type, refused_",
    [
        (rb'{"a": "\ud800"}', "application/json", True),
        (rb'{"a": "\u0000"}', "application/json", True),
        (rb'{"a": "\ud83d\ude00 \u00e9"}', "application/json", False),
        (b"a=%F0%9F%98%80&b=%C3%A9t%C3%A9", "application/x-www-form-urlencoded", False),
        (b"a=%C3&b=%A9", "application/x-www-form-urlencoded", True),  # a character cut in two fields
        (b"a=\xff", "application/x-www-form-urlencoded", True),  # a raw byte that is not UTF-8
        (b"a=%00", "application/x-www-form-urlencoded", True),
    ],
)
def test_bodies_are_checked_without_a_route(app, body, content_type, refused_):
    from survey_app.web.security import InvalidInput, check_request_input

    with app.test_request_context("/", method="POST", data=body, content_type=content_type):
        if refused_:
            with pytest.raises(InvalidInput):
                check_request_input()
        else:
            check_request_input()
