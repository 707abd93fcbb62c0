"""Flask's signed-cookie session, with its signing serializer built once per key set.

Flask builds a new ``URLSafeTimedSerializer`` to open and again to save the session of
every request (itsdangerous checks the payload serializer with a trial ``dumps`` each
time). The serializer only depends on the secret key, the fallback keys and settings
that never change, so it is kept per key set; rotating ``SECRET_KEY`` or its fallbacks
gives a new one. Signing, expiry and everything else are Flask's own.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    """:class:`SecureCookieSessionInterface` that reuses its signing serializer."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(key, False)
        if found is False:
            if len(self._serializers) > 8:  # keys rotated many times in one process (tests)
                self._serializers.clear()
            found = self._serializers[key] = super().get_signing_serializer(app)
        return found
