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
#: style attributes (matplotlib and segno write them), which a browser opening the file
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


def _check_text(raw: bytes) -> None:
    """Raise :class:`InvalidInput` when percent-decoded ``raw`` is not UTF-8 or holds NUL."""
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("not utf-8") from None
    if "\x00" in text:
        raise InvalidInput("nul")


def check_request_input() -> None:
    """Raise :class:`InvalidInput` when the path, the query or a form value cannot be text."""
    environ = request.environ
    # WSGI gives the path as latin-1 text of the raw bytes (already percent-decoded).
    path = environ.get("PATH_INFO", "")
    try:
        path_text = path.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise InvalidInput("path not utf-8") from None
    # U+FFFD: bytes already replaced by a server or client that decoded them.
    if "\x00" in path_text or "\ufffd" in path_text:
        raise InvalidInput("nul in path")
    query = environ.get("QUERY_STRING", "")
    if query:
        _check_text(query.encode("latin-1", "replace"))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        return  # too large to read: the view's 413 answers
    if request.mimetype == "application/x-www-form-urlencoded":
        # Cached: the form is then parsed from these same bytes.
        _check_text(request.get_data(cache=True))
    elif request.mimetype == "multipart/form-data":
        for values in request.form.listvalues():
            if any("\x00" in value or "\ufffd" in value for value in values):
                raise InvalidInput("nul in form")
        for storage in request.files.values():
            if storage.filename and "\x00" in storage.filename:
                raise InvalidInput("nul in file name")
    elif request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        body = request.get_data(cache=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("json not utf-8") from None
        if "\x00" in text or "\\u0000" in text:
            raise InvalidInput("nul in json")


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


def _add_headers(response):
    headers = response.headers
    svg = response.mimetype == "image/svg+xml"
    headers.setdefault("Content-Security-Policy", SVG_CONTENT_SECURITY_POLICY if svg else CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        # Pages hold answers, tokens and staff data: never kept by a shared cache or a
        # shared computer's browser (a view may say otherwise, e.g. a chart).
        headers.setdefault("Cache-Control", "no-store")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_security(app: Flask) -> None:
    """Refuse unusable input before any other check, and add the headers to every response."""
    # First of all request hooks: before CSRF, access control and the survey's own.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_invalid_input)
    app.after_request(_add_headers)
