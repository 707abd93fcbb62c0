"""The resident's survey under malformed input: odd URLs, garbage forms, invalid UTF-8, huge values.

Never a 5xx, always an HTML page with a message, and nothing stored that should not be.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.extensions import limiter
from survey_app.models import Answer, InvitationCode, Response, ResponseStatus
from survey_app.questionnaire import validate_answers
from survey_app.survey import answering
from tests.conftest import PROJECT_ROOT
from tests.robustness.hostile import TRIED, assert_clear_answer, counts, form_body, path_segment, post_form

MINI = PROJECT_ROOT / "tests" / "data" / "survey_mini.yaml"
RESIDENT = PROJECT_ROOT / "questionnaires" / "resident.yaml"
BASE = "/enquete/ville-test"
EXAMPLES = 300
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MINI_FIELDS = ["fume", "cigarettes", "sports", "sports__autre", "poids", "arret", "depuis", "gene.bruit", "gene.air",
               "version_id", "section_id", "action", "csrf_token", "lang", "code"]
MINI_VALUES = ["oui", "non", "marche", "velo", "natation", "autre", "aucun", "next", "previous", "save", "later",
               "un", "deux", "trois", "fr", "en", "ar", "xx"]


@pytest.fixture()
def survey(db_session, create_campaign, client):
    from survey_app.campaigns import questionnaires

    campaign = create_campaign("ville-test")
    for path in (MINI, RESIDENT):
        questionnaires.load_file(db_session, campaign, path)
    db_session.commit()
    assert client.post(f"{BASE}/mini/commencer").status_code == 302
    response = db_session.scalars(select(Response)).one()
    return {"campaign": campaign, "response_id": response.id,
            "version_id": response.questionnaire_version_id}


def state(db_session) -> dict:
    """What must not change: the rows, and the draft's status."""
    snapshot = counts(db_session, Response, Answer, InvitationCode)
    snapshot["statuses"] = sorted(map(str, db_session.scalars(select(Response.status))))
    return snapshot


def test_odd_urls_of_every_survey_page(client, survey, db_session):
    before = state(db_session)
    suffixes = st.one_of(st.sampled_from(["", "/merci", "/plus-tard", "/relecture", "/reprendre", "/commencer"]),
                         path_segment().map(lambda s: "/page/" + s), path_segment().map(lambda s: "/" + s))
    query = st.one_of(st.just(""), path_segment().map(lambda s: "?lang=" + s), path_segment().map(lambda s: "?code=" + s))

    @SETTINGS
    @given(slug=st.one_of(st.just("ville-test"), path_segment()), key=st.one_of(st.sampled_from(["mini", "resident"]), path_segment()),
           suffix=suffixes, query=query, method=st.sampled_from(["GET", "POST"]))
    def probe(slug, key, suffix, query, method):
        if method == "POST" and suffix == "/commencer" and slug == "ville-test" and key in ("mini", "resident"):
            return  # a real start: it creates a draft, as it should
        if method == "POST" and suffix == "/relecture":
            return  # the review's post is tried below
        TRIED["survey urls"] += 1
        url = f"/enquete/{slug}/{key}{suffix}{query}"
        response = client.open(url, method=method)
        assert_clear_answer(response, url)

    first = TRIED["survey urls"]
    probe()
    assert state(db_session) == before
    tried = TRIED["survey urls"] - first
    print(f"\nsurvey urls: {tried} inputs")
    assert tried >= EXAMPLES // 2


def test_garbage_page_posts_never_fail_and_store_only_valid_answers(client, survey, db_session):
    before = counts(db_session, Response)
    survey_def = answering.find_survey(db_session, "ville-test", "mini").definition

    @SETTINGS
    @given(section=st.one_of(st.sampled_from(["un", "deux", "trois"]), path_segment()),
           body=form_body(MINI_FIELDS, values=MINI_VALUES))
    def probe(section, body):
        TRIED["survey pages"] += 1
        url = f"{BASE}/mini/page/{section}"
        assert_clear_answer(post_form(client, url, body), url)

    first = TRIED["survey pages"]
    probe()
    assert counts(db_session, Response) == before
    response = db_session.get(Response, survey["response_id"])
    assert response.status is ResponseStatus.DRAFT
    answers = answering.stored_answers(db_session, response)
    for section in survey_def.sections:
        problems = validate_answers(survey_def, answers, section_id=section.id)
        assert all(messages == ["Réponse obligatoire."] for messages in problems.values()), problems
    tried = TRIED["survey pages"] - first
    print(f"\nsurvey pages: {tried} inputs")
    assert tried >= EXAMPLES // 2


def test_garbage_review_and_resume_posts_change_nothing(client, survey, db_session):
    real_version = str(survey["version_id"])

    def not_the_real_version(name, value):
        try:
            return not (name == "version_id" and value.decode().strip().lstrip("+0") == real_version)
        except UnicodeDecodeError:
            return True

    before = state(db_session)
    answers_before = answering.stored_answers(db_session, db_session.get(Response, survey["response_id"]))

    @SETTINGS
    @given(target=st.sampled_from(["/relecture", "/reprendre"]),
           body=form_body(MINI_FIELDS, values=MINI_VALUES + ["ABCD-EFGH", "0000-0000"], keep=not_the_real_version))
    def probe(target, body):
        limiter.reset()  # the resume form's limit of 20 a minute is tried elsewhere
        TRIED["survey review/resume"] += 1
        url = f"{BASE}/mini{target}"
        assert_clear_answer(post_form(client, url, body), url)

    first = TRIED["survey review/resume"]
    probe()
    assert state(db_session) == before
    db_session.expire_all()
    assert answering.stored_answers(db_session, db_session.get(Response, survey["response_id"])) == answers_before
    tried = TRIED["survey review/resume"] - first
    print(f"\nsurvey review/resume: {tried} inputs")
    assert tried >= EXAMPLES // 2


def test_a_newline_in_the_path_with_lang_is_redirected_not_a_500(client, survey):
    """Found by the generated URLs: ``?lang=`` redirected to the decoded path, a newline broke the header."""
    response = client.get(f"{BASE}/mini%0A/page/un?lang=fr")
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "%0A" in response.headers["Location"]
