"""Pages shared between residents (caches.SHARED_PAGES) never show one resident's things to another.

Two residents answer every page of the resident and the professional questionnaires,
with different answers, resume codes and languages (and in the same language, where a
shared page can be served from one to the other); each sees every page again, then the
review page. Nothing of one resident's answers, resume code or CSRF token appears in any
page the other was shown.
"""
from __future__ import annotations

import re

import pytest

from survey_app.infra import caches
from survey_app.survey import answering
from tests.conftest import PROJECT_ROOT, make_test_app

from .helpers import Resident

QUESTIONNAIRES = {"resident": PROJECT_ROOT / "questionnaires" / "resident.yaml",
                  "professional": PROJECT_ROOT / "questionnaires" / "professional.yaml"}


@pytest.fixture()
def strict(database_url, tmp_path_factory, committed_db):
    """The application with CSRF checked, as in production."""
    from survey_app.extensions import db

    application = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("key", sorted(QUESTIONNAIRES))
@pytest.mark.parametrize("languages", [("fr", "fr"), ("fr", "en")])
def test_two_residents_never_see_each_others_answers_codes_or_tokens(
        strict, db_session, create_campaign, key, languages):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, QUESTIONNAIRES[key])
    db_session.commit()
    caches.SHARED_PAGES.clear()
    survey = answering.find_survey(db_session, "ville-test", key)
    base = f"/enquete/ville-test/{key}"
    residents = []
    for tag, lang in zip(("alpha", "bravo"), languages):
        client = strict.test_client()
        if lang != "fr":
            assert client.get(f"{base}?lang={lang}").status_code == 302
        # answers that show every page: an older person with a disability; a professional in the directory
        residents.append(Resident(client, base, f"secret{tag}", overrides={
            "age": "75_plus", "limitation": "oui_fort", "annuaire_accord": "oui"}))
    walked = [resident.walk(survey) for resident in residents]
    every = [s.id for s in survey.definition.sections]
    assert walked[0] == walked[1] == every, (walked, every)  # every page of the questionnaire, for both
    for resident, sections in zip(residents, walked):
        for section_id in sections:  # again, now with the answers given
            resident.get(f"{base}/page/{section_id}")
        resident.get(f"{base}/relecture")
        resident.get(base)
    assert len(caches.SHARED_PAGES) > 0  # pages were shared
    first, second = residents
    for me, other in ((first, second), (second, first)):
        mine, theirs = me.secrets(), other.secrets()
        assert any(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", s) for s in mine)  # my code was shown to me
        assert any(me.tag in body for _url, body in me.pages)  # and my answers
        for url, body in me.pages:
            leaked = sorted(s for s in theirs if s in body)
            assert not leaked, (url, leaked)
            assert " style=" not in body, url  # the strict CSP allows no inline style
