"""Strategies of malformed input shared by the robustness tests, and the checks on answers.

Every test counts the inputs it tried in :data:`TRIED` (printed at the end of the run
with ``-s``, and asserted so that a test that tried nothing fails).
"""
from __future__ import annotations

import collections
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st
from sqlalchemy import func, select

TRIED: collections.Counter = collections.Counter()

# Texts: short and weird, huge, with NUL and control characters, right-to-left, surrogates escaped
weird_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\r\n", "\t", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                     "../../etc/passwd", "%00", "%", "%zz", "NaN", "inf", "-1", "1e309", "0x10", "٣", "🙂", "\u202e",
                     "oui", "non", "aucun", "autre", "1", "80", "81", "2026-02-30", "nord", "sud"]),
    st.integers(min_value=1_000, max_value=200_000).map(lambda n: "x" * n),
)
# Raw bytes of a form value, including invalid UTF-8
raw_bytes = st.one_of(
    weird_text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=40),
    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00\xff\xfe"]),
)


def field_names(known):
    return st.one_of(st.sampled_from(list(known)), st.text(max_size=20))


def form_body(known_fields, *, values=None, keep=lambda name, value: True) -> st.SearchStrategy[bytes]:
    """A urlencoded body: known and unknown fields, repeated or missing, values in any bytes.

    ``values`` adds plausible values (option codes...); ``keep(name, value)`` drops pairs.
    """
    value = raw_bytes if values is None else st.one_of(raw_bytes, st.sampled_from([v.encode() for v in values]))
    pair = st.tuples(field_names(known_fields), value).filter(lambda p: keep(*p))
    return st.lists(pair, max_size=12).map(
        lambda pairs: b"&".join(quote(k, safe="").encode() + b"=" + quote_from_bytes(v, safe="").encode()
                                for k, v in pairs))


def path_segment() -> st.SearchStrategy[str]:
    """An odd URL path segment, already escaped (or deliberately not)."""
    return st.one_of(
        weird_text.filter(lambda s: len(s) < 3000).map(lambda s: quote(s, safe="")),
        st.sampled_from(["..", ".", "%00", "de%00mo", "%FF", "%C3", "%2F", "a%2Fb", "%25", "~", "-", "_",
                         "x" * 300, "%E2%80%AE", "%0A", "%0D%0A"]),
    )


def post_form(client, url: str, body: bytes):
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def counts(session, *models) -> dict:
    session.expire_all()
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in models}


def assert_clear_answer(response, url: str) -> None:
    """No 5xx; an error is an HTML page with a text in it."""
    assert response.status_code < 500, (url, response.status_code, response.get_data(as_text=True)[:2000])
    if response.status_code >= 400 and response.status_code != 405:
        assert response.mimetype == "text/html", (url, response.status_code, response.mimetype)
        body = response.get_data(as_text=True)
        assert "<html" in body and "<h1" in body, (url, response.status_code, body[:500])
