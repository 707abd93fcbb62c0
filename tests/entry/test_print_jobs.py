"""The printable questionnaire's PDF is made by a background job: queued, run, downloaded by the right people."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.models import Job, JobState, PaperSerial, ReportFile


def _pdf(content: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content))


@pytest.fixture()
def queued(app, monkeypatch):
    """A queue that records the jobs sent to it instead of running them (no consumer)."""
    queue = app.extensions["cls_jobs"]
    sent = []
    monkeypatch.setattr(queue, "run_job", lambda job_id, module: sent.append((job_id, module)))
    return queue, sent


def test_numbered_pdf_is_queued_then_run_and_downloaded(client, login, paper_campaign, db_session, queued, app):
    from survey_app.jobs import runner

    queue, sent = queued
    login(paper_campaign["coordinator"])
    slug, version = paper_campaign["campaign"].slug, paper_campaign["version"]
    answer = client.post(f"/saisie/{slug}/formulaires/numerotes",
                         data={"questionnaire": version.id, "lang": "fr", "copies": 3, "format": "pdf"})
    # the request returns at once: no PDF made in it, a job queued, the serials recorded
    assert answer.status_code == 303
    job = db_session.scalar(select(Job).where(Job.kind == "paper_form"))
    assert answer.headers["Location"].endswith(f"/saisie/{slug}/formulaires/pdf/{job.id}")
    assert sent == [(job.id, "survey_app.entry.print_jobs")]
    assert job.state is JobState.QUEUED and len(job.params["serials"]) == 3
    assert db_session.scalar(select(func.count()).select_from(PaperSerial)) == 3
    assert db_session.scalar(select(func.count()).select_from(ReportFile)) == 0
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "en attente" in page and f'id="job-{job.id}-progress"' in page and "Télécharger le PDF" not in page
    assert "3 exemplaires numérotés" in page and "data-reload-when-done" in page and "<script>" not in page
    assert client.get(f"/saisie/{slug}/formulaires/pdf/{job.id}/telecharger").status_code == 404
    # a second PDF while this one waits is refused before any serial is issued
    again = client.post(f"/saisie/{slug}/formulaires/numerotes",
                        data={"questionnaire": version.id, "lang": "fr", "copies": 5, "format": "pdf"},
                        follow_redirects=True)
    assert "en cours de préparation" in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PaperSerial)) == 3
    assert db_session.scalar(select(func.count()).select_from(Job)) == 1

    # a consumer runs it: the file is stored, the page offers it
    assert runner.execute(db_session, job.id, "survey_app.entry.print_jobs", queue) is JobState.DONE
    db_session.expire_all()
    job = db_session.get(Job, job.id)
    assert job.progress == 1.0 and job.result["copies"] == 3 and job.error is None
    page = client.get(f"/saisie/{slug}/formulaires/pdf/{job.id}").get_data(as_text=True)
    assert "Télécharger le PDF" in page and "terminé" in page
    download = client.get(f"/saisie/{slug}/formulaires/pdf/{job.id}/telecharger")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert f'filename="questionnaire-{slug}-resident-fr-3-numerotes.pdf"' in download.headers["Content-Disposition"]
    reader = _pdf(download.data)
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    for serial in ("00001-8", "00002-6", "00003-4"):
        assert serial in text
    # each copy starts on a page of its own: three times the pages of one copy
    from survey_app.campaigns.questionnaires import definition_of
    from survey_app.entry import paper_form

    with app.test_request_context():
        html = paper_form.render_html(paper_campaign["campaign"], definition_of(version), "fr", [None])
    blank_pages = len(_pdf(paper_form.to_pdf(html)).pages)
    assert len(reader.pages) == 3 * blank_pages


def test_blank_pdf_is_asked_by_post_and_the_html_stays_immediate(client, login, paper_campaign, db_session):
    login(paper_campaign["coordinator"])
    slug, version = paper_campaign["campaign"].slug, paper_campaign["version"]
    html = client.get(f"/saisie/{slug}/formulaires/vierge/{version.id}.html")
    assert html.status_code == 200 and "passez à la question" in html.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0
    # a GET of the PDF makes nothing: it sends to the button
    link = client.get(f"/saisie/{slug}/formulaires/vierge/{version.id}.pdf")
    assert link.status_code == 302 and db_session.scalar(select(func.count()).select_from(Job)) == 0
    settings = client.get(f"/saisie/{slug}/reglages").get_data(as_text=True)
    assert "Préparer le PDF" in settings and 'method="post"' in settings
    # tests run jobs immediately: after the POST the job is done
    made = client.post(f"/saisie/{slug}/formulaires/vierge/{version.id}.pdf")
    assert made.status_code == 303
    job = db_session.scalar(select(Job).where(Job.kind == "paper_form"))
    assert job.state is JobState.DONE and job.params["serials"] == []
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "exemplaire sans numéro" in page and "Télécharger le PDF" in page
    pdf = client.get(f"/saisie/{slug}/formulaires/pdf/{job.id}/telecharger")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db_session.scalar(select(func.count()).select_from(PaperSerial)) == 0


def test_a_report_build_keeps_the_paper_pdf(client, login, paper_campaign, db_session):
    from survey_app.report.services import Outputs, store_outputs

    login(paper_campaign["coordinator"])
    slug, version = paper_campaign["campaign"].slug, paper_campaign["version"]
    made = client.post(f"/saisie/{slug}/formulaires/vierge/{version.id}.pdf")
    job = db_session.scalar(select(Job).where(Job.kind == "paper_form"))
    store_outputs(db_session, paper_campaign["campaign"], Outputs(None, {"pdf": b"%PDF-report"}))
    db_session.commit()
    assert client.get(f"/saisie/{slug}/formulaires/pdf/{job.id}/telecharger").status_code == 200
    assert made.status_code == 303


def test_only_the_campaigns_coordinators_see_and_download_the_pdf(client, login, paper_campaign, db_session,
                                                                   create_user, create_campaign):
    from survey_app.campaigns import questionnaires

    from .conftest import RESIDENT

    login(paper_campaign["coordinator"])
    slug, version = paper_campaign["campaign"].slug, paper_campaign["version"]
    client.post(f"/saisie/{slug}/formulaires/vierge/{version.id}.pdf")
    job = db_session.scalar(select(Job).where(Job.kind == "paper_form"))
    status, download = f"/saisie/{slug}/formulaires/pdf/{job.id}", f"/saisie/{slug}/formulaires/pdf/{job.id}/telecharger"
    assert client.get(download).status_code == 200
    client.post("/deconnexion")
    # not signed in: sent to the sign-in page, no PDF
    anonymous = client.get(download)
    assert anonymous.status_code in (302, 401) and not anonymous.data.startswith(b"%PDF")
    # an agent of the campaign: refused (printing is the coordinator's)
    login(paper_campaign["first"])
    assert client.get(status).status_code == 403 and client.get(download).status_code == 403
    client.post("/deconnexion")
    # the coordinator of another campaign: the job is not theirs
    stranger = create_user("coordinator")
    other = create_campaign("autre-ville", members=[stranger])
    questionnaires.load_file(db_session, other, RESIDENT)
    db_session.commit()
    login(stranger)
    assert client.get(download).status_code == 404
    assert client.get(f"/saisie/autre-ville/formulaires/pdf/{job.id}/telecharger").status_code == 404
    assert client.get(f"/saisie/autre-ville/formulaires/pdf/{job.id}").status_code == 404
    # a job of another kind of the same campaign is no PDF
    client.post("/deconnexion")
    login(paper_campaign["coordinator"])
    other_job = Job(campaign_id=paper_campaign["campaign"].id, kind="report", state=JobState.DONE, params={},
                    progress=1.0, message="", attempts=1)
    db_session.add(other_job)
    db_session.commit()
    assert client.get(f"/saisie/{slug}/formulaires/pdf/{other_job.id}/telecharger").status_code == 404
