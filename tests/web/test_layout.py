"""The base layout: French first, English available, accessible, nothing from the web."""
import re


def test_language_can_be_switched_on_every_page(client):
    page = client.get("/connexion").get_data(as_text=True)
    assert 'href="/langue/en?next=/connexion"' in page
    response = client.get("/langue/en?next=/connexion")
    assert response.headers["Location"] == "/connexion"
    page = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Sign in" in page
    assert "Password" in page


def test_unknown_language_keeps_french_and_next_stays_on_site(client):
    response = client.get("/langue/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert '<html lang="fr"' in client.get("/connexion").get_data(as_text=True)


def _assert_local_only(html: str, url: str):
    assert not re.search(r'(src|href)="(https?:)?//', html), url
    assert html.count('<link rel="stylesheet"') == 1, url


def test_pages_load_nothing_from_the_internet(client, create_user, login):
    for url in ["/", "/connexion", "/nulle-part"]:
        _assert_local_only(client.get(url).get_data(as_text=True), url)
    login(create_user("admin"))
    for url in ["/espace/", "/admin/utilisateurs"]:
        _assert_local_only(client.get(url).get_data(as_text=True), url)


def test_layout_has_a_skip_link_a_viewport_and_a_main_landmark(client):
    html = client.get("/connexion").get_data(as_text=True)
    assert 'name="viewport"' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert "<main" in html and "<label" in html


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Cette page n&#39;existe pas." in response.get_data(as_text=True) or "Cette page n'existe pas." in response.get_data(as_text=True)


def test_health_check(client):
    assert client.get("/sante").get_json() == {"status": "ok"}


def test_stylesheet_is_small_and_has_no_web_font(client):
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert "@font-face" not in css and "@import" not in css
    assert len(css.encode()) < 20_000


def test_a_trailing_slash_leads_to_the_page_without_it(client, create_user, login):
    response = client.get("/connexion/?next=/espace/")
    assert response.status_code == 308
    assert response.headers["Location"] == "/connexion?next=/espace/"
    login(create_user("admin"))
    response = client.get("/admin/utilisateurs/")
    assert response.status_code == 308 and response.headers["Location"] == "/admin/utilisateurs"
    assert client.get("/admin/utilisateurs/", follow_redirects=True).status_code == 200


def test_a_trailing_slash_never_redirects_off_the_site_nor_to_a_missing_page(client):
    for url in ["//evil.example/", "///evil.example/", "/nulle-part/", "/%2F%2Fevil.example/", "/connexion//"]:
        response = client.get(url)
        location = response.headers.get("Location", "")
        assert response.status_code < 500, url
        assert not location.startswith("//") and "evil" not in location, (url, location)
    for raw in ["//evil.example/", "//connexion/", "/\\evil.example/"]:  # the path as a proxy passes it
        response = client.get("/", environ_overrides={"PATH_INFO": raw})
        location = response.headers.get("Location", "")
        assert response.status_code < 500 and not location.startswith(("//", "/\\")) and "evil" not in location, (raw, location)
    assert client.get("/nulle-part/").status_code == 404
    assert client.post("/connexion/").status_code in (404, 405)
