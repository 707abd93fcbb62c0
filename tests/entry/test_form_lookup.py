"""A keyed form is reached only through its own campaign: any other id is a 404 on every page of a form."""
from __future__ import annotations

from sqlalchemy import select

from survey_app.models import PaperForm

from .conftest import RESIDENT_KEYED
from .test_entry_views import key_form

#: The pages of one keyed form (method, path after /saisie/<slug>/).
FORM_PAGES = [("get", "questionnaires/{id}"), ("get", "questionnaires/{id}/annuler"),
              ("post", "questionnaires/{id}/annuler"), ("post", "questionnaires/{id}/corriger"),
              ("get", "rapprochement/{id}"), ("post", "rapprochement/{id}")]


def test_a_form_is_not_found_under_another_campaign_nor_by_an_unknown_id(client, login, paper_campaign, db_session,
                                                                         create_campaign):
    campaign, coordinator = paper_campaign["campaign"], paper_campaign["coordinator"]
    login(paper_campaign["first"])
    key_form(client, campaign.slug, "F6", RESIDENT_KEYED)
    form = db_session.scalar(select(PaperForm))
    other = create_campaign("autre-ville", members=[coordinator])
    db_session.commit()
    client.post("/deconnexion")
    login(coordinator)
    assert client.get(f"/saisie/{campaign.slug}/questionnaires/{form.id}").status_code == 200
    for method, page in FORM_PAGES:
        for slug, form_id in ((other.slug, form.id), (campaign.slug, form.id + 1000)):
            url = f"/saisie/{slug}/" + page.format(id=form_id)
            assert getattr(client, method)(url, data={"reason": "x", "question": "age"}).status_code == 404, url
