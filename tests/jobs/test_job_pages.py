"""The job status page and its JSON: what it shows, and who may see it."""
import datetime as dt

from survey_app.models import Job, JobState
from survey_app.models._types import utcnow

from . import kinds  # noqa: F401  (registers the test kinds)


def _job(db_session, campaign, state=JobState.RUNNING, **values):
    values = {"started_at": utcnow(), "heartbeat_at": utcnow(), **values}
    job = Job(campaign_id=campaign.id, kind="test-echo", state=state, params={}, progress=0.42,
              message="Pondération…", attempts=1, **values)
    db_session.add(job)
    db_session.commit()
    return job


def test_status_page_shows_state_progress_and_a_refresh_link(client, login, db_session, create_user, create_campaign):
    user = create_user("coordinator")
    campaign = create_campaign(members=[user])
    job = _job(db_session, campaign)
    login(user)
    page = client.get(f"/espace/campagnes/{campaign.slug}/travaux/{job.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "en cours" in html and "Pondération…" in html and "Écho" in html
    assert '<progress id="job-%d-progress" max="100" value="42"' % job.id in html
    assert 'aria-live="polite"' in html and ">Actualiser</a>" in html
    assert "jobs.js" in html and "<script>" not in html
    data = client.get(f"/espace/campagnes/{campaign.slug}/travaux/{job.id}.json").get_json()
    assert data["state"] == "running" and data["state_label"] == "en cours" and data["percent"] == 42
    assert data["finished"] is False and data["message"] == "Pondération…"


def test_a_failed_job_shows_its_french_error(client, login, db_session, create_user, create_campaign):
    user = create_user("coordinator")
    campaign = create_campaign(members=[user])
    job = _job(db_session, campaign, state=JobState.FAILED, error="Pas de marges : importez-les.", finished_at=utcnow())
    login(user)
    html = client.get(f"/espace/campagnes/{campaign.slug}/travaux/{job.id}").get_data(as_text=True)
    assert "échoué" in html and "Pas de marges : importez-les." in html
    data = client.get(f"/espace/campagnes/{campaign.slug}/travaux/{job.id}.json").get_json()
    assert data["state"] == "failed" and data["finished"] is True and data["error"] == "Pas de marges : importez-les."


def test_a_stale_job_read_by_the_page_is_not_left_running(client, login, db_session, create_user, create_campaign, app):
    user = create_user("coordinator")
    campaign = create_campaign(members=[user])
    old = utcnow() - dt.timedelta(seconds=app.config["CLS_JOBS_STALE_SECONDS"] + 10)
    job = _job(db_session, campaign, heartbeat_at=old)
    login(user)
    data = client.get(f"/espace/campagnes/{campaign.slug}/travaux/{job.id}.json").get_json()
    assert data["state"] == "done" and data["attempts"] == 2  # taken up again (immediate mode)


def test_access_agent_403_other_coordinator_404_wrong_campaign_404(client, login, db_session, create_user, create_campaign):
    coordinator, agent, stranger = create_user("coordinator"), create_user("agent"), create_user("coordinator")
    campaign = create_campaign("la-notre", members=[coordinator, agent])
    other = create_campaign("autre", members=[stranger, coordinator])
    job = _job(db_session, campaign)
    url = f"/espace/campagnes/{campaign.slug}/travaux/{job.id}"
    assert client.get(url).status_code == 302  # sign in first
    login(agent)
    assert client.get(url).status_code == 403
    assert client.get(url + ".json").status_code == 403
    client.post("/deconnexion")
    login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(url + ".json").status_code == 404
    client.post("/deconnexion")
    login(coordinator)
    assert client.get(url).status_code == 200
    assert client.get(f"/espace/campagnes/{other.slug}/travaux/{job.id}").status_code == 404
    assert client.get(f"/espace/campagnes/{campaign.slug}/travaux/999999").status_code == 404
