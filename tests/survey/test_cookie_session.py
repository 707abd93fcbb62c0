"""The signed-cookie session reuses its signing serializer, and stays Flask's session."""
from __future__ import annotations

from flask import Flask, session

from survey_app.infra.cookie_session import CookieSessionInterface


def _app(secret: str = "clé-1", fallbacks: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []
    app.session_interface = CookieSessionInterface()

    @app.get("/ecrire")
    def write():
        session["jeton"] = "ABC"
        return "ok"

    @app.get("/lire")
    def read():
        return session.get("jeton", "rien")

    return app


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, CookieSessionInterface)


def test_the_serializer_is_built_once_per_key_set():
    app = _app()
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert first is not None
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "clé-2"
    second = interface.get_signing_serializer(app)
    assert second is not first
    app.config["SECRET_KEY_FALLBACKS"] = ["clé-1"]
    assert interface.get_signing_serializer(app) is not second


def test_no_secret_key_means_no_session():
    app = _app()
    app.secret_key = None
    assert app.session_interface.get_signing_serializer(app) is None


def test_a_session_round_trips_and_a_forged_cookie_is_ignored():
    app = _app()
    client = app.test_client()
    client.get("/ecrire")
    assert client.get("/lire").text == "ABC"
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"))
    assert client.get("/lire").text == "rien"


def test_rotated_keys_still_open_older_sessions_and_others_do_not():
    app = _app("ancienne")
    client = app.test_client()
    client.get("/ecrire")
    app.secret_key = "nouvelle"
    app.config["SECRET_KEY_FALLBACKS"] = ["ancienne"]
    assert client.get("/lire").text == "ABC"
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/lire").text == "rien"
