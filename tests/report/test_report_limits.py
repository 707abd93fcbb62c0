"""Bad input: the report still builds and says its limits, or refuses clearly."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, select, update

from .conftest import QUESTIONNAIRES, pdf_text


def _small_campaign(db_session, create_campaign, *, responses=40, professionals=0, free_text=True, slug="petite-ville"):
    """A campaign without margins, one district under 11 respondents, optionally no free text."""
    from survey_app.campaigns import questionnaires
    from survey_app.campaigns.demo import seed_responses
    from survey_app.models import Answer, Response

    campaign = create_campaign(slug)
    for name in ("resident.yaml", "professional.yaml"):
        questionnaires.load_file(db_session, campaign, QUESTIONNAIRES / name)
    if responses:
        seed_responses(db_session, campaign, "resident", responses, seed=7)
    if professionals:
        seed_responses(db_session, campaign, "professional", professionals, seed=8)
    db_session.flush()
    ids = db_session.scalars(select(Response.id).where(Response.campaign_id == campaign.id).order_by(Response.id)).all()
    # all but five in the north: the south has fewer than 11 respondents
    db_session.execute(update(Answer).where(Answer.question_id == "quartier", Answer.response_id.in_(ids[5:]))
                       .values(value_text="nord"))
    db_session.execute(update(Answer).where(Answer.question_id == "quartier", Answer.response_id.in_(ids[:5]))
                       .values(value_text="sud"))
    if not free_text:
        db_session.execute(delete(Answer).where(Answer.response_id.in_(ids), Answer.question_id.in_(
            ["problemes_quartier", "aide_prendre_soin", "propositions"])))
    db_session.commit()
    return campaign


def test_no_margins_no_free_text_no_professionals_and_a_small_district(db_session, create_campaign, app):
    from survey_app.report.build import render_html, render_pdf
    from survey_app.report.gather import gather_report

    campaign = _small_campaign(db_session, create_campaign, free_text=False)
    data = gather_report(db_session, campaign)
    assert not data.weighted
    limits = " ".join(data.limits)
    assert "non pondérés" in limits and "marges de recensement" in limits
    assert "Moins de 11 répondants dans le quartier Sud" in limits
    assert "Aucun professionnel de santé n'a répondu" in limits
    assert "Pas de thèmes des réponses libres" in limits
    for item in (i for a in data.axes for i in a["indicators"]):
        south = dict(item["groups"]["district"]).get("Sud")
        assert south is not None and not south.shown
    html = render_html(data)
    first = html.split('class="toc"')[0]
    assert "Résultats non pondérés" in first and "Moins de 11 répondants dans le quartier Sud" in first
    assert "Part pondérée" not in html
    pdf = render_pdf(data)
    text = pdf_text(pdf)
    assert "Résultats non pondérés" in text.split("Sommaire")[0]
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 10


def test_fewer_than_11_professionals_are_not_figured(db_session, create_campaign):
    from survey_app.report.gather import gather_report

    campaign = _small_campaign(db_session, create_campaign, responses=30, professionals=6, slug="pros")
    data = gather_report(db_session, campaign)
    assert "Moins de 11 professionnels de santé ont répondu" in " ".join(data.limits)
    assert all(not a["professionals"] and not a["professional_quotes"] for a in data.axes)


def test_no_response_at_all_is_a_clear_refusal(db_session, create_campaign, runner, tmp_path):
    from survey_app.campaigns import questionnaires
    from survey_app.domain import ServiceError
    from survey_app.report.gather import gather_report

    campaign = create_campaign("vide")
    questionnaires.load_file(db_session, campaign, QUESTIONNAIRES / "resident.yaml")
    db_session.commit()
    with pytest.raises(ServiceError, match="aucune réponse complète"):
        gather_report(db_session, campaign)
    out = tmp_path / "rapport.pdf"
    result = runner.invoke(args=["report", "build", "--campaign", "vide", "--out", str(out)])
    assert result.exit_code == 1
    assert "aucune réponse complète" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cli_builds_html_and_slides_with_a_progress_bar(db_session, create_campaign, runner, tmp_path):
    from pptx import Presentation

    _small_campaign(db_session, create_campaign, responses=30, slug="cli-ville")
    out = tmp_path / "rapport.html"
    result = runner.invoke(args=["report", "build", "--campaign", "cli-ville", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # the progress bar names each stage (without a terminal, click prints the labels only)
    assert "Rapport écrit" in result.output and "Thèmes des réponses libres" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    deck = tmp_path / "diaporama.pptx"
    result = runner.invoke(args=["report", "slides", "--campaign", "cli-ville", "--out", str(deck)])
    assert result.exit_code == 0, result.output
    assert len(Presentation(str(deck)).slides) >= 3
    bad = runner.invoke(args=["report", "build", "--campaign", "cli-ville", "--out", str(tmp_path / "r.docx")])
    assert bad.exit_code == 1 and "extension" in bad.output


def test_two_waves_of_a_town_show_each_change_with_its_interval(db_session, create_campaign):
    import math

    from survey_app.report.gather import gather_report
    from survey_app.report.values import number_fr

    first = _small_campaign(db_session, create_campaign, responses=60, slug="vague-1")
    second = _small_campaign(db_session, create_campaign, responses=60, slug="vague-2")
    before = gather_report(db_session, first)
    assert before.wave is None  # nothing earlier than the first wave
    after = gather_report(db_session, second)
    wave = after.wave
    assert wave is not None and wave["campaign"] == first.name
    assert "√(se₁² + se₂²)" in wave["method"]
    rows = {row[0]: row for row in wave["table"].rows}
    town_before = {i["label"]: i["town"] for a in before.axes for i in a["indicators"]}
    town_after = {i["label"]: i["town"] for a in after.axes for i in a["indicators"]}
    compared = 0
    for label, row in rows.items():
        p1, p2 = town_before[label], town_after[label]
        if not (p1.shown and p2.shown):
            assert row[3].startswith("non comparé")
            continue
        diff = p2.estimate - p1.estimate
        assert row[3] == f"{'+' if diff >= 0 else ''}{number_fr(100 * diff)} points"
        low, high = (float(x.replace(",", ".").replace("−", "-")) for x in row[4].strip("[]").split(" ; "))
        assert low <= 100 * diff <= high
        # symmetric around the difference: p2 - p1 ± 1.96 × se
        assert math.isclose((low + high) / 2, 100 * diff, abs_tol=0.11)
        significant = row[5].split(" ")[0]
        assert significant == ("oui" if low > 0 or high < 0 else "non")
        compared += 1
    assert compared >= 5


def test_counts_of_one_table_never_reveal_a_hidden_one_by_difference():
    from survey_app.report.values import counts

    shown = [c.text for c in counts([120, 7, 45, 60])]
    assert shown == ["120", "< 11", "n.p.", "60"]  # 7 + 45: the hidden ones add up to 11 or more
    # 3 + 4 + 2 < 11: the total minus the one shown would tell how many they are together
    assert [c.text for c in counts([3, 4, 2, 300])] == ["< 11", "< 11", "< 11", "n.p."]
    assert [c.text for c in counts([3, 4, 2, 300, 40])] == ["< 11", "< 11", "< 11", "300", "n.p."]
    assert [c.text for c in counts([0, 50, 60])] == ["0", "50", "60"]  # zero reveals nobody
    assert [c.text for c in counts([12, 50])] == ["12", "50"]


def test_word_clouds_count_the_forms_of_a_word_together_and_leave_little_words_out():
    from survey_app.report.gather_voices import word_cloud

    texts = {i: ["C'est le médecin qui manque, plus de médecins" if i % 2 else "Pas de medecin, l'attente est trop longue"]
             for i in range(30)}
    cloud = {w["word"]: w["respondents"] for w in word_cloud(texts)}
    assert cloud == {"médecin": 30, "attente": 15, "longue": 15}  # one word, in its usual written form
    assert word_cloud({i: ["une réponse"] for i in range(10)}) == []  # fewer than 11 respondents: nothing
