"""Login: limits per client address behind the proxy, lock-out per address, sessions that can be ended."""
import re

import pytest
from sqlalchemy import select

from survey_app.accounts import services as users
from survey_app.domain import ServiceError
from survey_app.models import LoginThrottle
from tests.conftest import TEST_PASSWORD

LOCKED = "la connexion est suspendue"
WRONG = "Adresse e-mail ou mot de passe incorrect"
PROXY = "10.0.0.1"  # the town's reverse proxy, as every request's REMOTE_ADDR


def page(response):
    return response.get_data(as_text=True)


def post_login(client, email, password, client_address=None, **kwargs):
    environ = {"REMOTE_ADDR": PROXY}
    headers = {"X-Forwarded-For": client_address} if client_address else {}
    return client.post("/connexion", data={"email": email, "password": password}, environ_base=environ, headers=headers, **kwargs)


@pytest.fixture()
def proxied_app(make_app):
    return make_app(CLS_TRUSTED_PROXIES=1)


def test_an_attack_on_one_account_does_not_lock_out_other_coordinators_behind_the_proxy(proxied_app, create_user):
    victim = create_user("coordinator")
    colleague = create_user("coordinator")
    attacker = proxied_app.test_client()
    codes = [post_login(attacker, victim.email, "mauvais-mot-de-passe", "203.0.113.66").status_code for _ in range(20)]
    assert 429 in codes  # the attacker's address is limited...
    colleague_client = proxied_app.test_client()
    response = post_login(colleague_client, colleague.email, TEST_PASSWORD, "198.51.100.7")
    assert response.status_code == 302, page(response)  # ...not the colleague behind the same proxy
    home = colleague_client.get("/espace/", environ_base={"REMOTE_ADDR": PROXY}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert home.status_code == 200


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(client, create_user):
    """A client cannot dodge the limit by forging X-Forwarded-For when no proxy is declared."""
    user = create_user("agent")
    codes = [post_login(client, user.email, "mauvais-mot-de-passe", f"192.0.2.{n}").status_code for n in range(12)]
    assert codes[10:] == [429, 429]


def test_the_account_is_locked_after_repeated_failures_whatever_the_address(proxied_app, create_user, db_session):
    user = create_user("coordinator")
    for n in range(10):  # ten addresses: the per-address limit never applies
        response = post_login(proxied_app.test_client(), user.email, "mauvais-mot-de-passe", f"203.0.113.{n}")
        assert response.status_code == 400 and WRONG in page(response)
    response = post_login(proxied_app.test_client(), user.email, TEST_PASSWORD, "198.51.100.7")
    assert response.status_code == 429 and LOCKED in page(response)  # even the right password
    assert "15 minutes" in page(response)


def test_unknown_addresses_get_the_same_answers_as_real_accounts(proxied_app, create_user):
    user = create_user("coordinator")
    answers = {}
    for email in (user.email, "personne@ville.test"):
        seen = []
        for n in range(11):
            response = post_login(proxied_app.test_client(), email, "mauvais-mot-de-passe", f"203.0.113.{n}")
            seen.append((response.status_code, re.sub(r'name="csrf_token"[^>]*>|value="[^"]*"', "", page(response))))
        answers[email] = seen
    assert answers[user.email] == answers["personne@ville.test"]
    assert LOCKED in answers[user.email][-1][1]


def test_the_lock_ends_after_the_delay_and_a_success_resets_the_count(db_session, create_user):
    import datetime as dt

    user = create_user("coordinator")
    policy = users.LockoutPolicy(failures=3, minutes=15)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    for minute in range(3):
        outcome = users.sign_in(db_session, user.email, "faux", key_secret="k", policy=policy, now=start + dt.timedelta(minutes=minute))
        assert outcome.user is None and not outcome.locked
    db_session.commit()
    assert users.sign_in(db_session, user.email, TEST_PASSWORD, key_secret="k", policy=policy, now=start + dt.timedelta(minutes=10)).locked
    later = start + dt.timedelta(minutes=18)
    assert users.sign_in(db_session, user.email, TEST_PASSWORD, key_secret="k", policy=policy, now=later).user == user
    db_session.commit()
    assert db_session.scalars(select(LoginThrottle)).all() == []
    # failures spread over more than the window never lock
    for hour in range(6):
        outcome = users.sign_in(db_session, user.email, "faux", key_secret="k", policy=policy, now=later + dt.timedelta(hours=hour))
        assert not outcome.locked
    # the address itself is never stored
    db_session.commit()
    assert all(user.email not in row.key for row in db_session.scalars(select(LoginThrottle)))


def test_old_counts_are_forgotten(db_session, create_user):
    import datetime as dt

    policy = users.LockoutPolicy(failures=3, minutes=15)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    users.sign_in(db_session, "faute.de.frappe@ville.test", "x", key_secret="k", policy=policy, now=start)
    db_session.commit()
    users.sign_in(db_session, "autre@ville.test", "x", key_secret="k", policy=policy, now=start + dt.timedelta(minutes=20))
    db_session.commit()
    assert len(db_session.scalars(select(LoginThrottle)).all()) == 2
    users.sign_in(db_session, "autre@ville.test", "x", key_secret="k", policy=policy, now=start + dt.timedelta(minutes=31))
    db_session.commit()
    keys = {row.key for row in db_session.scalars(select(LoginThrottle))}
    assert keys == {users.throttle_key("autre@ville.test", "k")}


# ------------------------------------------------------------------ sessions
def test_a_cookie_replayed_after_logout_no_longer_signs_in(app, client, create_user, login):
    user = create_user("coordinator")
    login(user)
    assert client.get("/espace/").status_code == 200
    stolen = client.get_cookie("session").value
    client.post("/deconnexion")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/espace/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_new_password_or_a_deactivation_ends_every_session(app, create_user, login, db_session):
    user = create_user("coordinator")
    password = TEST_PASSWORD
    for change in ("password", "deactivate"):
        browser = app.test_client()
        response = browser.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302
        assert browser.get("/espace/").status_code == 200
        if change == "password":
            users.set_password(db_session, user, "une-toute-nouvelle-phrase")
            db_session.commit()
            password = "une-toute-nouvelle-phrase"
        else:
            users.set_active(db_session, user, False)
            db_session.commit()
        assert browser.get("/espace/").status_code == 302, change
    users.set_active(db_session, user, True)
    db_session.commit()
    browser = app.test_client()
    assert browser.post("/connexion", data={"email": user.email, "password": password}).status_code == 302


def test_the_session_is_renewed_at_login(make_app, create_user):
    strict = make_app(WTF_CSRF_ENABLED=True)
    user = create_user("agent")
    browser = strict.test_client()
    before = browser.get("/connexion")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page(before)).group(1)
    planted = browser.get_cookie("session").value
    with browser.session_transaction() as session:
        session["planted"] = "par un autre"
        session["lang"] = "en"
    response = browser.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    with browser.session_transaction() as session:
        assert "planted" not in session and session.get("lang") == "en"
        assert "csrf_token" not in session  # a token known before the login is no good after it
    assert browser.get_cookie("session").value != planted


# ------------------------------------------------------------------ passwords
@pytest.mark.parametrize("password", ["court", "azertyuiop123", "motdepasse2026!", "Mot-De-Passe-2024", "password1234", "aaaaaaaaaaaaaa", "123456789012", "qwertyuiopasdfgh"])
def test_short_or_common_passwords_are_refused(db_session, password):
    with pytest.raises(ServiceError) as refused:
        users.create_user(db_session, "nouvelle@ville.test", password, "agent")
    assert "au moins 12 caractères" in str(refused.value) or "plus courants" in str(refused.value)


def test_a_password_may_not_repeat_the_address(db_session):
    with pytest.raises(ServiceError, match="adresse e-mail"):
        users.create_user(db_session, "jeanne.martin@ville.test", "jeanne.martin-2026", "agent")


@pytest.mark.parametrize("password", ["cheval agrafe batterie", "Le-quartier-du-Port-1987", TEST_PASSWORD])
def test_long_uncommon_passwords_are_accepted(db_session, password):
    users.create_user(db_session, "nouvelle@ville.test", password, "agent")


def test_the_invitation_page_says_why_a_password_is_refused(app, client, create_user, login):
    import re

    login(create_user("admin"))
    issued = client.post("/admin/utilisateurs", data={"email": "agent.neuf@ville.test", "display_name": "Agent", "role": "agent"})
    url = re.search(r'value="http://localhost(/compte/lien/[^"]+)"', issued.get_data(as_text=True)).group(1)
    response = app.test_client().post(url, data={"password": "azertyuiop123", "confirm": "azertyuiop123"})
    assert response.status_code == 400
    text = page(response)
    assert "plus courants" in text and 'href="#password"' in text
    assert 'aria-describedby="password-aide password-erreur"' in text


def test_the_lock_out_is_shared_by_every_worker(make_app, create_user):
    """Two applications on one database, as two gunicorn workers: the failures add up."""
    user = create_user("coordinator")
    workers = [make_app(CLS_TRUSTED_PROXIES=1), make_app(CLS_TRUSTED_PROXIES=1)]
    for n in range(10):
        response = post_login(workers[n % 2].test_client(), user.email, "mauvais-mot-de-passe", f"203.0.113.{n}")
        assert response.status_code == 400
    response = post_login(workers[0].test_client(), user.email, TEST_PASSWORD, "198.51.100.7")
    assert response.status_code == 429 and LOCKED in page(response)
