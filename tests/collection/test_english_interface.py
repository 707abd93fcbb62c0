"""The response page in English: the exclusion motives in English (the choices and the
stored reason as shown), the coordinator's note as written; what is stored stays French."""
from __future__ import annotations

import html

from tests.collection.world import world_fixture

world = world_fixture()


def _page(client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200
    return html.unescape(reply.get_data(as_text=True))


def test_exclusion_motives_in_the_page_language_stored_in_french(client, login, world, session):
    from survey_app.models import Response

    login(world.coordinator_email)
    rid = world.ids[31]
    base = f"/espace/campagnes/{world.slug}/collecte/reponses/{rid}"
    page = _page(client, base)  # French by default
    for motive in ("Réponse de test", "Doublon", "Hors du territoire", "Réponse incohérente"):
        assert f">{motive}</option>" in page
    client.get("/langue/en?next=/")
    page = _page(client, base)
    for motive in ("Test response", "Duplicate", "Outside the area", "Incoherent response"):
        assert f">{motive}</option>" in page
    assert "Réponse de test" not in page and "Hors du territoire" not in page
    assert 'value="hors_territoire"' in page  # the codes are unchanged

    assert client.post(base + "/exclure", data={"motive": "hors_territoire", "note": "adresse à Paris"}).status_code == 302
    session.expire_all()
    assert session.get(Response, rid).exclusion_reason == "Hors du territoire : adresse à Paris"
    page = _page(client, base)
    assert "Excluded: Outside the area: adresse à Paris" in page
    assert "Hors du territoire" not in page

    client.get("/langue/fr?next=/")
    page = _page(client, base)
    assert "Exclue : Hors du territoire : adresse à Paris" in page and "Outside the area" not in page


def test_exclusion_reason_text_keeps_unknown_reasons(app):
    from survey_app.collection.responses import exclusion_reason_text

    with app.test_request_context():
        assert exclusion_reason_text(None) is None
        assert exclusion_reason_text("Doublon : même adresse") == "Doublon : même adresse"
        assert exclusion_reason_text("Saisie annulée : erreur de lot") == "Saisie annulée : erreur de lot"
        assert exclusion_reason_text("autre chose : libre") == "autre chose : libre"
