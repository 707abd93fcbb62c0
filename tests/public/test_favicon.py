"""The site's icon: linked from the layout, and /favicon.ico leads to it (no 404 in the logs)."""
from __future__ import annotations

from xml.etree import ElementTree


def fetch(client, url):
    """The response, read and closed (a static file is sent as an open file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_the_favicon_is_linked_and_served_at_both_addresses(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    static = fetch(client, "/static/favicon.svg")
    assert static.status_code == 200 and static.mimetype == "image/svg+xml"
    moved = client.get("/favicon.ico")
    assert moved.status_code == 301 and moved.headers["Location"] == "/static/favicon.svg"
    icon = fetch(client, moved.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.data == static.data
    root = ElementTree.fromstring(icon.data)  # a well-formed SVG, without script or anything fetched
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in icon.data and b"href" not in icon.data and len(icon.data) < 1024


def test_the_favicon_needs_no_login(client, create_user, login):
    assert fetch(client, "/favicon.ico").status_code == 301
    assert fetch(client, "/static/favicon.svg").status_code == 200
    login(create_user("agent"))
    assert fetch(client, "/favicon.ico").status_code == 301
