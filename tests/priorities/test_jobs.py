"""The evidence built by the job "priorities", stored as plain values; pages that never compute it.

The builder is replaced by one that fails wherever a test says nothing may be computed
in the request: the page must still answer from what is stored.
"""
from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import delete, func, select

from survey_app.models import Campaign, Job, JobState, PriorityDecision

from .conftest import build

KEY, OTHER = "sans_medecin_traitant", "barriere_langue"


def url(slug: str, path: str = "") -> str:
    return f"/espace/campagnes/{slug}/priorites{path}"


@pytest.fixture()
def no_building(monkeypatch):
    """Make any gathering of evidence fail loudly (nothing may be computed where this is used)."""
    from survey_app.priorities import evidence

    def refuse(*args, **kwargs):
        raise AssertionError("the evidence was computed")

    monkeypatch.setattr(evidence, "gather_evidence", refuse)
    monkeypatch.setattr(evidence, "campaign_evidence", refuse)
    evidence.EVIDENCE.clear()
    return monkeypatch


def _jobs(session, campaign_id: int) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.campaign_id == campaign_id, Job.kind == "priorities")
                                .order_by(Job.id)))


def test_the_job_stores_the_evidence_as_plain_values_that_read_back_the_same(world, session):
    from analysis.privacy import mask_pii
    from survey_app.priorities import services, stored

    campaign = session.get(Campaign, world.campaign_id)
    job = _jobs(session, campaign.id)[-1]
    assert job.state is JobState.DONE and job.progress == 1.0
    result = job.result
    assert result["format"] == stored.FORMAT and result["computed_at"]
    assert result["stamp"] == stored.data_stamp(session, campaign)  # built on the current data
    json.dumps(result, allow_nan=False)  # plain JSON values, no NaN
    plain = result["evidence"]
    assert plain["weighted"] and plain["respondents"] == 120 and plain["indicators"] and plain["themes"]
    town = plain["indicators"][0]["town"]
    assert set(town) == {"estimate", "ci_low", "ci_high", "n", "n_cell", "suppressed", "fragile"}
    quotes = [v for theme in plain["themes"] for v in theme["verbatims"]]
    assert quotes and all(v == mask_pii(v).strip() for v in quotes)  # stored masked
    # What is read back gives the same plain values again (figures, CIs, counts, labels).
    found = stored.from_plain(plain)
    assert stored.to_plain(found) == plain
    assert found.district_names == {d.code: d.name for d in campaign.districts}
    assert found.group_label("district", campaign.districts[0].code) == campaign.districts[0].name
    assert list(found.axis_labels) == [pair[0] for pair in plain["axis_labels"]]  # order kept (JSONB too)
    # Ranking the stored evidence gives what building it here gives.
    built = services.workspace(session, campaign, found=stored.from_plain(plain)).ranking
    state = stored.stored_evidence(session, campaign)
    assert state.job_id == job.id and state.stale == ()
    assert [(i.key, i.rank, i.score.total) for i in built.all] == \
        [(i.key, i.rank, i.score.total) for i in services.ranked_priorities(session, campaign).all]


def test_ranked_and_kept_priorities_use_the_stored_evidence_without_computing(world, session, coordinator,
                                                                              no_building):
    from survey_app.priorities import services

    campaign = session.get(Campaign, world.campaign_id)
    ranking = services.ranked_priorities(session, campaign)
    assert KEY in {item.key for item in ranking.all}
    services.update_decision(session, campaign, coordinator, KEY, status="kept")
    session.commit()
    assert [item.key for item in services.kept_priorities(session, campaign)] == [KEY]


def test_without_stored_evidence_the_services_build_it_synchronously(world, session):
    """The command line and the report, on a campaign whose list was never built."""
    from survey_app.priorities import services, stored

    unbuilt = session.get(Campaign, world.unbuilt_id)
    if stored.stored_evidence(session, unbuilt) is not None:
        pytest.skip("the list of this campaign was built by another test")
    ranking = services.ranked_priorities(session, unbuilt)
    assert KEY in {item.key for item in ranking.all}
    assert not _jobs(session, unbuilt.id)  # no job: built here


def test_the_page_without_evidence_computes_nothing_and_offers_to_build_it(client, login, world, session,
                                                                           no_building):
    login(world.coordinator_email)
    unbuilt = session.get(Campaign, world.unbuilt_id)
    session.execute(delete(Job).where(Job.campaign_id == unbuilt.id))
    session.commit()
    reply = client.get(url(world.unbuilt_slug))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    text = html.unescape(page)
    assert "<h1>Priorités candidates</h1>" in page
    assert "La liste des priorités candidates n'a pas encore été construite." in text
    assert f'action="{url(world.unbuilt_slug, "/construire")}"' in page and 'method="post"' in page
    assert "Construire la liste des priorités candidates</button>" in text
    assert 'id="cand-' not in page and "<script" not in page and 'style="' not in page
    # A decision before the list exists: nothing stored, back to the page with why.
    reply = client.post(url(world.unbuilt_slug, f"/{KEY}/decision"), data={f"{KEY}-status": "kept"})
    assert reply.status_code == 302
    assert "n'a pas encore été construite" in html.unescape(client.get(reply.headers["Location"]).get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(PriorityDecision)) == 0
    # The CSV is not computed either.
    assert client.get(url(world.unbuilt_slug, "/priorites-candidates.csv")).status_code == 302

    # The build fails (here: the builder refuses): the page says so and offers to try again.
    reply = client.post(url(world.unbuilt_slug, "/construire"))
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/priorites#construction")
    page = html.unescape(client.get(url(world.unbuilt_slug)).get_data(as_text=True))
    assert "La construction de la liste a échoué" in page and "La dernière construction a échoué" in page
    assert "Construire la liste des priorités candidates</button>" in page
    [job] = _jobs(session, unbuilt.id)
    assert job.state is JobState.FAILED


def test_a_running_build_shows_its_progress_and_a_refresh_link(client, login, world, session):
    login(world.coordinator_email)
    unbuilt = session.get(Campaign, world.unbuilt_id)
    from survey_app.models._types import utcnow

    session.execute(delete(Job).where(Job.campaign_id == unbuilt.id))
    job = Job(campaign_id=unbuilt.id, kind="priorities", module="survey_app.priorities.jobs",
              state=JobState.RUNNING, params={}, progress=0.4, attempts=1, heartbeat_at=utcnow(),
              message="Thèmes des réponses libres (codage automatique)…")
    session.add(job)
    session.commit()
    try:
        page = client.get(url(world.unbuilt_slug)).get_data(as_text=True)
        text = html.unescape(page)
        assert 'data-job-status="/espace/campagnes/sans-liste/travaux/' in page and "data-reload-when-done" in page
        assert "Construction de la liste des priorités candidates" in text and "Thèmes des réponses libres" in text
        assert 'value="40"' in page and f'href="{url(world.unbuilt_slug)}">Actualiser</a>' in page
        assert 'src="/static/jobs.js"' in page
        assert "Construire la liste des priorités candidates</button>" not in text  # one build at a time
    finally:
        session.execute(delete(Job).where(Job.id == job.id))
        session.commit()


def test_the_build_button_runs_the_job_and_the_page_then_shows_the_list(client, login, world, session):
    login(world.coordinator_email)
    unbuilt = session.get(Campaign, world.unbuilt_id)
    reply = client.post(url(world.unbuilt_slug, "/construire"))
    assert reply.status_code == 302
    page = html.unescape(client.get(reply.headers["Location"]).get_data(as_text=True))
    assert "Liste des priorités candidates construite." in page
    assert f'id="cand-{KEY}"' in page and "Liste construite le" in page and "Périmé" not in page
    assert "Reconstruire la liste des priorités candidates</button>" in page
    assert _jobs(session, unbuilt.id)[-1].state is JobState.DONE


def test_the_list_is_stale_after_a_reweighting_until_it_is_built_again(client, login, world, session):
    from survey_app.findings import weights
    from survey_app.priorities import stored

    login(world.coordinator_email)
    campaign = session.get(Campaign, world.campaign_id)
    page = html.unescape(client.get(url(world.slug)).get_data(as_text=True))
    assert "Périmé" not in page
    weights.store_weights(session, campaign, weights.weight_sample(session, campaign, "resident"))
    session.commit()
    try:
        assert "les poids ont été recalculés (ou supprimés)" in stored.stored_evidence(session, campaign).stale
        reply = client.get(url(world.slug))
        assert reply.status_code == 200
        page = html.unescape(reply.get_data(as_text=True))
        assert "Périmé" in page and "les poids ont été recalculés" in page
        assert f'id="cand-{KEY}"' in page  # the stale list is still shown, and can be decided on
        assert "Reconstruire la liste des priorités candidates</button>" in page
        assert client.post(url(world.slug, "/construire")).status_code == 302
        page = html.unescape(client.get(url(world.slug)).get_data(as_text=True))
        assert "Périmé" not in page and f'id="cand-{KEY}"' in page
    finally:
        session.rollback()
        if stored.stored_evidence(session, campaign).stale:  # leave the list current for the other tests
            build(session, campaign)


def test_decisions_grid_and_merges_apply_on_the_stored_list_without_a_rebuild(client, login, world, session,
                                                                              no_building):
    login(world.coordinator_email)
    campaign_id = world.campaign_id
    jobs_before = [j.id for j in _jobs(session, campaign_id)]
    form = {f"{KEY}-status": "kept", f"{KEY}-effectiveness": "9", f"{KEY}-label": "Un médecin pour chacun"}
    assert client.post(url(world.slug, f"/{KEY}/decision"), data=form).status_code == 302
    assert client.post(url(world.slug, "/grille"),
                       data={"variant": "double_b", "inequity_weight": "1", "demand_weight": "1"}).status_code == 302
    assert client.post(url(world.slug, f"/{OTHER}/regrouper"),
                       data={f"regrouper-{OTHER}-into": KEY}).status_code == 302
    page = client.get(url(world.slug)).get_data(as_text=True)
    text = html.unescape(page)
    article = text[text.index(f'id="cand-{KEY}"'):]
    article = article[:article.index("</article>")]
    assert "Un médecin pour chacun" in article and "retenue par le comité" in article
    assert '<th scope="row">C — efficacité des interventions</th><td>9</td>' in article
    assert "Regroupe aussi" in article and f'id="cand-{OTHER}"' not in text
    assert "Score de priorité = (A + 2B + I + D) × C / 3" in text
    assert "Périmé" not in text  # a decision is not a change of the data
    assert [j.id for j in _jobs(session, campaign_id)] == jobs_before  # no rebuild
    assert client.get(url(world.slug, "/priorites-candidates.csv")).status_code == 200


def test_the_stamp_says_what_changed():
    from survey_app.priorities import stored

    then = {"weights": [1, "a"], "responses": [10, 5, "d", []], "codebook": None, "districts": []}
    now = dict(then, weights=[2, "b"], codebook="t")
    assert stored.stale_reasons(then, then) == []
    assert stored.stale_reasons(then, now) == ["les poids ont été recalculés (ou supprimés)",
                                               "la grille de codage des réponses libres a changé"]
    # the first build stores the codebook's first copy itself: not a change of the data
    assert stored.settle_stamp(then, now) == dict(then, codebook="t")


def test_a_corrected_response_or_a_new_coding_makes_the_list_stale(world, session):
    from survey_app import audit
    from survey_app.models import AnswerCoding, AuditEvent, Response
    from survey_app.priorities import stored

    campaign = session.get(Campaign, world.campaign_id)
    assert stored.stored_evidence(session, campaign).stale == ()
    response = session.scalar(select(Response).where(Response.campaign_id == campaign.id).limit(1))
    event = audit.record(session, None, "response.correct", "response", response.id, field="q", old="1", new="2")
    session.flush()
    try:
        assert stored.stored_evidence(session, campaign).stale == ("des réponses ont été corrigées ou exclues",)
    finally:
        session.rollback()
    coding = AnswerCoding(campaign_id=campaign.id, response_id=response.id, question_id="q", source="human",
                          themes=[], confidences={})
    session.add(coding)
    session.flush()
    try:
        assert stored.stored_evidence(session, campaign).stale == ("le codage des réponses libres a changé",)
    finally:
        session.rollback()
    assert stored.stored_evidence(session, campaign).stale == ()
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id == event.id)) == 0
