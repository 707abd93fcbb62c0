"""Security plumbing shared by every page: response headers, input refused at the edge, safe redirects.

- Every response carries a strict Content-Security-Policy (scripts and styles from our
  own files only, no inline code), ``nosniff``, ``Referrer-Policy: same-origin`` (a
  resume link never leaks in a Referer), ``Cache-Control: no-store`` unless the view
  or the static files say otherwise and, behind HTTPS, ``Strict-Transport-Security``.
- A request whose path, query string or form holds a NUL character or bytes that are not
  UTF-8 is refused with a 400 page before any view runs: PostgreSQL cannot store NUL in
  text (it answers ``DataError``), and no honest form sends either.
- :func:`safe_next_url` is the one check of every ``next`` parameter.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, current_app, request
from flask_babel import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
#: SVG files served on their own (QR codes, charts): no script at all, but their own
#: style attributes (matplotlib writes them), which a browser opening the file
#: directly would otherwise ignore.
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
HSTS = "max-age=31536000"

#: Characters a browser drops or acts on inside a URL; never part of a page of ours.
_CONTROL = frozenset(chr(c) for c in range(0x20)) | {"\x7f"}


def safe_next_url(target: str | None, fallback: str) -> str:
    """Return ``target`` only when it is a path on this site, else ``fallback``.

    Accepted: a relative path starting with one ``/``, without backslash or control
    character, before or after percent-decoding, whose parsed form has neither scheme
    nor host. Browsers drop tabs and newlines in URLs, so ``/\\t/evil.example`` would
    become ``//evil.example``: another site.
    """
    if not target or not isinstance(target, str):
        return fallback
    decoded = unquote_to_bytes(target).decode("utf-8", "replace")
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return fallback
        if "\\" in candidate or any(char in _CONTROL for char in candidate):
            return fallback
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return fallback
    return target


class InvalidInput(ValueError):
    """A request carries characters that cannot be text: NUL, or bytes that are not UTF-8."""


#: Runs of percent-escaped bytes above 0x7F: the only places a urlencoded text can hold
#: bytes that are not UTF-8 (a multi-byte character is always one such run).
#: (Written with a literal "%" first: the regular expression engine then skips ahead to
#: each "%", three times faster than the same pattern as one repeated group.)
_HIGH_ESCAPES = re.compile(rb"%[89A-Fa-f][0-9A-Fa-f](?:%[89A-Fa-f][0-9A-Fa-f])*")


def _check_text(raw: bytes) -> None:
    """Raise :class:`InvalidInput` when urlencoded ``raw`` holds NUL or bytes that are not UTF-8.

    Cheap on the residents' pages: C-level scans, and one decoding of the escaped
    non-ASCII bytes, instead of decoding the whole body.
    """
    if b"%00" in raw or b"\x00" in raw:
        raise InvalidInput("nul")
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("not utf-8") from None
    runs = _HIGH_ESCAPES.findall(raw)
    if runs:
        # "20" (a space) between runs keeps each one a separate sequence.
        try:
            bytes.fromhex(b"%20".join(runs).replace(b"%", b"").decode("ascii")).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("not utf-8") from None


#: A JSON escape of a surrogate: fine in a pair (an emoji), unstorable alone.
_JSON_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _check_json_strings(text: str) -> None:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return  # not JSON: the view says so
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("lone surrogate in json") from None


def check_request_input() -> None:
    """Raise :class:`InvalidInput` when the path, the query or a form value cannot be text."""
    req = request._get_current_object()  # one proxy look-up: this runs on every request
    environ = req.environ
    # WSGI gives the path as latin-1 text of the raw bytes (already percent-decoded).
    path = environ.get("PATH_INFO", "")
    if not path.isascii():
        try:
            path = path.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise InvalidInput("path not utf-8") from None
        # U+FFFD: bytes already replaced by a server or client that decoded them.
        if "\ufffd" in path:
            raise InvalidInput("replacement character in path")
    if "\x00" in path:
        raise InvalidInput("nul in path")
    query = environ.get("QUERY_STRING", "")
    if query:
        _check_text(query.encode("latin-1", "replace"))
    if req.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (req.content_length or 0) > limit:
        return  # too large to read: the view's 413 answers
    mimetype = req.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        # Cached: the form is then parsed from these same bytes.
        _check_text(req.get_data(cache=True))
    elif mimetype == "multipart/form-data":
        for values in req.form.listvalues():
            if any("\x00" in value or "\ufffd" in value for value in values):
                raise InvalidInput("nul in form")
        for storage in req.files.values():
            if storage.filename and "\x00" in storage.filename:
                raise InvalidInput("nul in file name")
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            text = req.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("json not utf-8") from None
        if "\x00" in text or "\\u0000" in text:
            raise InvalidInput("nul in json")
        if _JSON_SURROGATE.search(text):
            _check_json_strings(text)


def _refuse_invalid_input():
    try:
        check_request_input()
    except InvalidInput:
        from .errors import render_error

        return render_error(
            400,
            _(
                "La demande contient des caractères qui ne peuvent pas être enregistrés "
                "(caractère nul ou texte mal encodé). Retirez-les du texte saisi ou de "
                "l'adresse de la page, puis réessayez."
            ),
        )
    return None


_ALWAYS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))


def _add_headers(response):
    headers = response.headers
    # One pass over what the view set (werkzeug's ``setdefault`` raises and catches a
    # KeyError per missing header: costly on every request).
    present = {key.lower() for key in headers.keys()}
    wanted = [("Content-Security-Policy", SVG_CONTENT_SECURITY_POLICY if response.mimetype == "image/svg+xml" else CONTENT_SECURITY_POLICY)]
    wanted.extend(_ALWAYS)
    if request.endpoint != "static":
        # Pages hold answers, tokens and staff data: never kept by a shared cache or a
        # shared computer's browser (a view may say otherwise, e.g. a chart).
        wanted.append(("Cache-Control", "no-store"))
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        wanted.append(("Strict-Transport-Security", HSTS))
    headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
    return response


def init_security(app: Flask) -> None:
    """Refuse unusable input before any other check, and add the headers to every response."""
    # First of all request hooks: before CSRF, access control and the survey's own.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_invalid_input)
    app.after_request(_add_headers)
