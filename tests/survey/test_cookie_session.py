"""The signed-cookie session: Flask's own (the serializer kept per key set was removed: it
was worth 2.6 % of CPU per page, below the 5 % that keeps a cache, see bench/README.md)."""
from __future__ import annotations

from flask import Flask, session


def _app(secret: str = "clé-1", fallbacks: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []

    @app.get("/ecrire")
    def write():
        session["jeton"] = "ABC"
        return "ok"

    @app.get("/lire")
    def read():
        return session.get("jeton", "rien")

    return app


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
