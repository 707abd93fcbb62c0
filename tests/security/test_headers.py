"""Every response carries the security headers, on every route, for every visitor."""
import re

import pytest

from survey_app.web.security import CONTENT_SECURITY_POLICY

from .inventory import build_url, fixture_world, login_as

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


#: An SVG file opened on its own: nothing may run, its own style attributes apply.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def assert_headers(response, where, *, https=False):
    headers = response.headers
    if response.mimetype == "image/svg+xml":
        assert headers.get("Content-Security-Policy") == SVG_CSP, where
    else:
        assert headers.get("Content-Security-Policy") == EXPECTED_CSP, where
        assert "unsafe-inline" not in headers["Content-Security-Policy"], where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if "/static/" not in str(where):
        assert "no-store" in headers.get("Cache-Control", "") or "private" in headers.get("Cache-Control", ""), where
    if https:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    else:
        assert "Strict-Transport-Security" not in headers, where


def test_the_policy_is_the_intended_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("identity", ["anonymous", "admin"])
def test_every_route_sends_the_headers(app, client, db_session, create_user, create_campaign, login, identity):
    world = fixture_world(db_session, create_user, create_campaign)
    if identity == "admin":
        login_as(login, world, "admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":
            continue
        url = build_url(rule, world, world["campaign_a"])
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method)
            response.close()
            assert response.status_code < 500, (method, url, response.status_code)
            assert_headers(response, (method, url, response.status_code))
            checked += 1
    assert checked > 20


def test_error_pages_and_static_files_send_the_headers(client):
    for url in ["/nulle-part", "/static/style.css", "/enquete/inconnue/inconnu"]:
        with client.get(url) as response:
            assert_headers(response, url)
    assert_headers(client.delete("/"), "405")


def test_svg_files_may_style_themselves_but_never_run_a_script(app, client, db_session, create_user, create_campaign, login):
    world = fixture_world(db_session, create_user, create_campaign)
    login_as(login, world, "coordinator")
    svg_rules = [rule for rule in app.url_map.iter_rules() if "qr" in rule.rule and "fmt" in rule.arguments]
    assert svg_rules, "the QR code route was expected"
    response = client.get(build_url(svg_rules[0], world, world["campaign_a"]).replace("/x/", "/mini/"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert_headers(response, "qr")
    assert "script-src" not in SVG_CSP and SVG_CSP.startswith("default-src 'none'")


def test_https_deployments_send_strict_transport_security(make_app):
    secure = make_app(SESSION_COOKIE_SECURE=True)
    for url in ["/", "/connexion", "/nulle-part"]:
        assert_headers(secure.test_client().get(url), url, https=True)


def test_templates_have_no_inline_script_or_style():
    """The policy forbids inline code: nothing in the templates may rely on it."""
    from pathlib import Path

    import survey_app

    root = Path(survey_app.__file__).parent / "templates"
    found = []
    inline = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    for path in root.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if inline.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
