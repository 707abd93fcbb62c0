"""The margins and weights page: upload, compute through the job, diagnostics shown, access."""
import io
import re

from sqlalchemy import func, select

from survey_app.campaigns import margins
from survey_app.models import Margin, WeightingRun
from survey_app.weighting import services

from .conftest import margins_csv

URL = "/espace/campagnes/demo/ponderation/"


def centre_name(campaign):
    return next(d.name for d in campaign.districts if d.code == "centre")


def _upload(client, text, name="marges.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(URL + "marges", data={"margins_file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_page_lists_the_loaded_margins_and_links_from_the_campaign(client, login, coordinator, demo):
    login(coordinator)
    campaign_page = client.get("/espace/campagnes/demo").get_data(as_text=True)
    assert f'href="{URL}"' in campaign_page and "bientôt disponible) </span></li>" not in campaign_page
    html = client.get(URL).get_data(as_text=True)
    assert "Marges du recensement" in html and '<th scope="col">Catégorie</th>' in html
    # the variables and categories by their names, the CSV's codes beside them
    centre = centre_name(demo)
    assert f'<td>{centre} <span class="muted">(centre)</span></td>' in html and "Total « Quartier »" in html
    assert '<td>Âge <span class="muted">(age_band)</span></td><td>18 à 24 ans <span class="muted">(18_24)</span></td>' in html
    assert "pas encore été pondérées" in html
    assert '<option value="age_band">Âge</option>' in html  # the post-stratification variable


def test_good_margins_upload_replaces_them(client, login, coordinator, demo, db_session):
    login(coordinator)
    response = _upload(client, margins_csv(demo, db_session, changes={("district", "centre"): "4200"}))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "marges importées" in page


def test_bad_margins_upload_lists_every_problem_and_changes_nothing(client, login, coordinator, demo, db_session):
    login(coordinator)
    before = db_session.scalar(select(func.count()).select_from(Margin))
    text = margins_csv(demo, db_session, changes={("age_band", "18_24"): "-5"}, extra=[("district", "lune", 10)],
                       drop={("district", "parc")})
    response = _upload(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in html and "rien n&#39;a été changé" in html
    assert "« lune »" in html and "quartiers absents des marges : parc" in html and "« -5 »" in html
    assert db_session.scalar(select(func.count()).select_from(Margin)) == before
    assert _upload(client, b"\x00\x01binary", "marges.xlsx").status_code == 400
    missing = client.post(URL + "marges", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choisissez le fichier CSV" in missing.get_data(as_text=True)


def test_compute_runs_the_job_and_the_page_shows_the_diagnostics(client, login, coordinator, demo, db_session):
    login(coordinator)
    response = client.post(URL + "calcul", data={"method": "rake", "trim_upper": "", "min_respondents": ""})
    assert response.status_code == 302
    html = client.get(URL).get_data(as_text=True)
    current = services.current_weighting(db_session, demo)
    d = current.run.diagnostics["weights"]
    assert "Poids en vigueur" in html and "calage sur marges (raking)" in html
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))
    assert shown["kish_deff"] == f"{d['kish_deff']:.3f}".replace(".", ",")
    assert shown["effective_n"] == f"{d['effective_n']:.1f}".replace(".", ",")
    assert shown["n"].replace(" ", "") == str(int(d["n"]))
    assert shown["imputed"] == str(current.run.diagnostics["imputed"]) and shown["excluded"] == "0"
    assert '<table id="hors-recensement">' in html
    assert "sur : Âge, Quartier, Sexe." in html or "sur : Quartier, Âge, Sexe." in html
    assert "<td>Sexe</td><td>Autre ou je préfère ne pas répondre</td>" in html  # kept outside the census categories
    assert '<td>Quartier</td><th scope="row">' + centre_name(demo) + "</th>" in html  # the sample's structure
    assert '<table id="structure">' in html and '<table id="distribution">' in html
    assert "Part dans le recensement" in html
    assert 'alt="Histogramme' in html or "histogramme-titre" in html
    # the chart is drawn when the page's image asks for it, from the stored weights
    assert current.run.diagnostics["distribution"]["chart"] and not current.run.diagnostics["distribution"]["svg"]
    assert f'src="{URL}poids-{current.run.id}.svg"' in html
    chart = client.get(f"{URL}poids-{current.run.id}.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    assert "Distribution des poids" in chart.get_data(as_text=True)
    assert client.get(f"{URL}poids-{current.run.id + 1}.svg").status_code == 404


def test_compute_bad_input_is_refused_in_french(client, login, coordinator, demo, db_session):
    login(coordinator)
    bad = client.post(URL + "calcul", data={"method": "rake", "trim_upper": "0.5"})
    assert bad.status_code == 400 and "supérieur à 1" in bad.get_data(as_text=True)
    db_session.execute(Margin.__table__.delete())
    db_session.commit()
    refused = client.post(URL + "calcul", data={"method": "rake"})
    assert refused.status_code == 400 and "Pas de marges de recensement" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(WeightingRun)) == 0


def test_access_agent_403_other_campaign_coordinator_404(client, login, demo, create_user, create_campaign, db_session):
    agent, stranger = create_user("agent"), create_user("coordinator")
    from survey_app.campaigns import services as campaigns

    campaigns.add_member(db_session, demo, agent)
    create_campaign("ailleurs", members=[stranger])
    db_session.commit()
    before = margins.margins_frame(db_session, demo)
    login(agent)
    assert client.get(URL).status_code == 403
    assert client.post(URL + "calcul", data={"method": "rake"}).status_code == 403
    client.post("/deconnexion")
    login(stranger)
    assert client.get(URL).status_code == 404
    assert _upload(client, "variable,category,count\ndistrict,centre,1\n").status_code == 404
    assert client.post(URL + "calcul", data={"method": "rake"}).status_code == 404
    assert margins.margins_frame(db_session, demo).equals(before)


def test_while_weights_are_computed_the_page_follows_the_job(client, login, coordinator, demo, db_session):
    from survey_app.models import Job, JobState
    from survey_app.models._types import utcnow

    job = Job(campaign_id=demo.id, kind="weights", module="survey_app.weighting.services", state=JobState.RUNNING,
              params={}, progress=0.7, message="Enregistrement des poids…", attempts=1, started_at=utcnow(),
              heartbeat_at=utcnow())
    db_session.add(job)
    db_session.commit()
    login(coordinator)
    html = client.get(URL).get_data(as_text=True)
    assert f'data-job-status="/espace/campagnes/demo/travaux/{job.id}.json"' in html and "data-reload-when-done" in html
    assert "Enregistrement des poids…" in html and 'value="70"' in html
    assert f'href="{URL}#ponderation">Actualiser</a>' in html and "jobs.js" in html
    assert 'id="calculer-poids"' not in html  # one weighting at a time
    # starting it again returns the running job instead of a second one
    assert client.post(URL + "calcul", data={"method": "rake"}).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Job)) == 1
