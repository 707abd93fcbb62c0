"""The blank questions of a page (shared between residents) never show another campaign's districts."""
import re

from survey_app.campaigns import questionnaires

from ..campaigns.test_questionnaires import ROOT


def _first_page(app, slug):
    client = app.test_client()
    info = client.get(f"/enquete/{slug}/resident").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', info).group(1)
    return client.post(f"/enquete/{slug}/resident/commencer", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)


def test_district_options_follow_the_campaign(app, db_session, create_campaign):
    for slug, name in (("ville-a", "Les Tilleuls"), ("ville-b", "La Source")):
        campaign = create_campaign(slug, districts=[{"code": "q1", "name": name}, {"code": "q2", "name": "Gare"}])
        questionnaires.load_file(db_session, campaign, ROOT / "questionnaires" / "resident.yaml")
        db_session.commit()
    first, second = _first_page(app, "ville-a"), _first_page(app, "ville-b")
    assert "Les Tilleuls" in first and "La Source" not in first
    assert "La Source" in second and "Les Tilleuls" not in second
