"""The margins upload (coordinator) under malformed CSV files: never a 5xx, a refusal changes nothing."""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.models import Margin, Response
from tests.conftest import PROJECT_ROOT
from tests.robustness.hostile import TRIED, assert_clear_answer, counts, raw_bytes, weird_text

EXAMPLES = 150
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture()
def coordinator_on_demo(db_session, create_user, login):
    from survey_app.campaigns import demo, services as campaigns

    setup = demo.setup_demo(db_session, responses=0, questionnaires_dir=PROJECT_ROOT / "questionnaires")
    user = create_user("coordinator")
    campaigns.add_member(db_session, setup.campaign, user)
    db_session.commit()
    login(user)
    return setup.campaign


def margins(db_session) -> list[tuple]:
    db_session.expire_all()
    return sorted((m.variable, m.category, float(m.count)) for m in db_session.scalars(select(Margin)))


def test_garbage_margin_files_are_refused_with_a_message(client, coordinator_on_demo, db_session):
    campaign = coordinator_on_demo
    known = margins(db_session)
    assert known, "the demo has margins"
    variables = sorted({v for v, _, _ in known}) + ["inconnue", ""]
    categories = sorted({c for _, c, _ in known}) + ["zzz", ""]
    cell = st.one_of(st.sampled_from(variables), st.sampled_from(categories), weird_text.filter(lambda s: len(s) < 2000),
                     st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str))
    header = st.sampled_from(["variable;category;count", "variable,category,count", "count;variable", "", "\ufeffvariable;category;count",
                              "variable;category;count;extra", "variable;variable;count"])
    text_file = st.builds(lambda h, rows, sep: (h + "\n" + "\n".join(sep.join(r) for r in rows)).encode("utf-8", "surrogatepass"),
                          header, st.lists(st.lists(cell, max_size=5), max_size=15), st.sampled_from([";", ",", "\t"]))
    files = st.one_of(text_file, raw_bytes, st.binary(max_size=2000),
                      text_file.map(lambda b: b.decode("utf-8", "surrogatepass").encode("latin-1", "replace")))
    url = f"/espace/campagnes/{campaign.slug}/ponderation/marges"
    state = {"margins": known}
    responses_before = counts(db_session, Response)

    @SETTINGS
    @given(content=files, filename=st.sampled_from(["marges.csv", "marges.xlsx", "", "../../x.csv", "m\x00.csv"]),
           extra=st.lists(st.tuples(st.sampled_from(["margins_file", "csrf_token", "x"]), weird_text.filter(lambda s: len(s) < 100)), max_size=3),
           send_file=st.booleans())
    def probe(content, filename, extra, send_file):
        TRIED["margins upload"] += 1
        data = [(name, value) for name, value in extra]
        if send_file:
            data.append(("margins_file", (io.BytesIO(content), filename)))
        from werkzeug.datastructures import MultiDict

        response = client.post(url, data=MultiDict(data), content_type="multipart/form-data")
        assert_clear_answer(response, url)
        now = margins(db_session)
        if response.status_code == 302:  # accepted: the margins are the file's
            state["margins"] = now
        else:
            assert response.status_code == 400, response.status_code
            assert now == state["margins"]
            body = response.get_data(as_text=True)
            assert any(text in body for text in ("Marges refusées", "Choisissez le fichier", "ne peuvent pas être enregistrés",
                                                 "Fichier", "fichier")), body[:3000]

    first = TRIED["margins upload"]
    probe()
    assert counts(db_session, Response) == responses_before
    tried = TRIED["margins upload"] - first
    print(f"\nmargins upload: {tried} inputs")
    assert tried >= EXAMPLES // 2
