"""The paper entry screen (as an agent) under malformed input: never a 5xx, nothing stored by a bad page."""
from __future__ import annotations

import collections
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.models import Answer, Response
from tests.conftest import PROJECT_ROOT
from tests.robustness.hostile import TRIED, assert_clear_answer, counts, form_body, path_segment, post_form, weird_text

RESIDENT = PROJECT_ROOT / "questionnaires" / "resident.yaml"
EXAMPLES = 150
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture()
def agent_on_campaign(db_session, create_campaign, create_user, login):
    from survey_app.campaigns import questionnaires

    agent = create_user("agent")
    campaign = create_campaign("ville-papier", members=[agent])
    version = questionnaires.load_file(db_session, campaign, RESIDENT)
    db_session.commit()
    login(agent)
    from survey_app.campaigns.questionnaires import definition_of

    return {"campaign": campaign, "version_id": version.id, "definition": definition_of(version)}


def test_garbage_on_the_entry_screen(client, agent_on_campaign, db_session):
    slug = agent_on_campaign["campaign"].slug
    definition = agent_on_campaign["definition"]
    sections = [s.id for s in definition.sections][:-1]  # "next" on the last one saves the form, as it should
    fields = ["serial", "version_id", "section", "state", "action", "questionnaire", "reason", "csrf_token"] + [
        "k-" + q for q in list(definition.questions)[:40]]
    codes = sorted({o.code for q in definition.questions.values() for o in (getattr(q, "options", None) or [])})[:60]
    values = sections + codes + ["A1", "c-3", "D4", "0", str(agent_on_campaign["version_id"]), "previous", "bogus",
                                 json.dumps({"age": "75_plus"}), "{", "[]", "null", json.dumps({"x" * 50: ["y"]})]
    body = form_body(fields, values=values, keep=lambda name, value: not (name == "action" and value == b"incomplete"))
    # the page posts: a real serial, a page that is not the last, then anything
    keying = st.builds(
        lambda serial, section, rest: b"&".join([b"serial=" + serial, b"version_id=" + str(agent_on_campaign["version_id"]).encode(),
                                                 b"section=" + section.encode(), rest]),
        st.sampled_from([b"A1", b"c-3", b"%00", b"%FF", b""]), st.one_of(st.sampled_from(sections), st.sampled_from(sections), st.sampled_from(sections), path_segment()),
        body.map(lambda b: b.replace(b"section=", b"x=").replace(b"action=incomplete", b"x=1")))
    before = counts(db_session, Response, Answer)
    start = TRIED["entry screen"]

    @SETTINGS
    @given(target=st.sampled_from(["start", "keying", "keying", "get"]), body=body, keying_body=keying,
           segment=path_segment(), query=weird_text.filter(lambda s: len(s) < 200))
    def probe(target, body, keying_body, segment, query):
        TRIED["entry screen"] += 1
        if target == "start":
            url = f"/saisie/{slug}/"
            response = post_form(client, url, body)
        elif target == "keying":
            url = f"/saisie/{slug}/questionnaire"
            response = post_form(client, url, keying_body)
        else:
            url = f"/saisie/{segment}/"
            response = client.get(url, query_string={"questionnaire": query})
        assert_clear_answer(response, url)
        statuses[(target, response.status_code)] += 1

    statuses = collections.Counter()
    probe()
    assert counts(db_session, Response, Answer) == before
    tried = TRIED["entry screen"] - start
    print(f"\nentry screen: {tried} inputs", dict(statuses))
    assert statuses[("keying", 200)] + statuses[("keying", 422)] > 0, "no page post reached the keying screen"
    assert tried >= EXAMPLES // 2
