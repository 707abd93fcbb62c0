"""``flask analysis code`` on the demo campaign: coverage and confidence, codings stored."""
import re

import pytest
from sqlalchemy import func, select

from survey_app.models import AnswerCoding, AuditEvent, Campaign
from survey_app.coding import cache as _coding_cache, services as coding


@pytest.fixture()
def demo(runner, db_session):
    _coding_cache.clear()
    result = runner.invoke(args=["demo", "setup", "--responses", "200", "--seed", "11"])
    assert result.exit_code == 0, result.output
    yield db_session.scalar(select(Campaign).where(Campaign.slug == "demo"))
    _coding_cache.clear()


def test_code_prints_coverage_and_the_confidence_distribution(runner, demo, db_session):
    result = runner.invoke(args=["analysis", "code", "--campaign", "demo"])
    assert result.exit_code == 0, result.output
    n = len(coding.coding_answers(db_session, demo).frame)
    coverage = re.search(r"Couverture : (\d+) réponses utiles sur (\d+) ont au moins un thème \(([\d,]+) %\)", result.output)
    assert coverage, result.output
    coded, useful, share = int(coverage.group(1)), int(coverage.group(2)), float(coverage.group(3).replace(",", "."))
    assert 0 < coded <= useful < n and share == pytest.approx(100 * coded / useful, abs=0.05) and share > 60
    assert f"{n} réponses, dont {n - useful} sans contenu exploitable" in result.output
    assert "Confiance du thème principal" in result.output and "0,9 – 1,0 :" in result.output
    bins = [int(c) for c in re.findall(r"^  \d,\d – \d,\d : (\d+)$", result.output, flags=re.M)]
    assert len(bins) == 5 and sum(bins) == coded
    assert "déciles" in result.output
    assert db_session.scalar(select(func.count()).select_from(AnswerCoding).where(AnswerCoding.source == "auto")) == n
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "coding.auto")) == 1


def test_code_one_question_and_refuse_a_closed_one(runner, demo, db_session):
    result = runner.invoke(args=["analysis", "code", "--campaign", "demo", "--question", "propositions"])
    assert result.exit_code == 0, result.output
    questions = set(db_session.scalars(select(AnswerCoding.question_id).distinct()))
    assert questions == {"propositions"}
    refused = runner.invoke(args=["analysis", "code", "--campaign", "demo", "--question", "age"])
    assert refused.exit_code == 1 and "« age » n'est pas une question ouverte" in refused.output
    assert "Traceback" not in refused.output


def test_an_unknown_campaign_is_one_clear_line(runner):
    result = runner.invoke(args=["analysis", "code", "--campaign", "inconnue"])
    assert result.exit_code == 1 and "Campagne inconnue : « inconnue »" in result.output
