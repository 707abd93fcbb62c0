"""The ``next`` parameter never sends anybody to another site, and never fails."""
import pytest

from survey_app.web.security import safe_next_url

HOSTILE = [
    "//evil.example",
    "//evil.example/espace/",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%2F/evil.example",
    "/%5C/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " /espace/",
    "\t//evil.example",
    "espace/",
    "/espace/\x00",
    "",
    None,
]


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_hostile_targets_fall_back(target):
    assert safe_next_url(target, "/repli") == "/repli"


@pytest.mark.parametrize("target", ["/", "/espace/", "/espace/campagnes/demo?onglet=1", "/enquete/demo/resident?lang=en#haut"])
def test_paths_of_this_site_are_kept(target):
    assert safe_next_url(target, "/repli") == target


# The query as a browser would send it: %09 is a tab, %0a a newline.
@pytest.mark.parametrize("query", ["/%09/evil.example", "//evil.example", "/%0a/evil.example", "/%0d%0aSet-Cookie:x=1", "https://evil.example", "/%5cevil.example"])
def test_language_switch_stays_on_the_site(client, query):
    response = client.get(f"/langue/en?next={query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(client):
    response = client.get("/langue/en?next=/connexion")
    assert response.status_code == 302 and response.headers["Location"] == "/connexion"


@pytest.mark.parametrize("query", ["/%09/evil.example", "/%0a/evil.example", "//evil.example/", "/\\evil.example"])
def test_login_stays_on_the_site(client, create_user, query):
    user = create_user("agent")
    response = client.post(f"/connexion?next={query}", data={"email": user.email, "password": "mot-de-passe-de-test"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/espace/"
