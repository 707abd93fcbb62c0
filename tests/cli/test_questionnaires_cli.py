"""``flask questionnaires`` and ``flask demo``."""
from pathlib import Path

from sqlalchemy import func, select

from survey_app.models import Answer, QuestionnaireVersion, Response

from ..campaigns.test_questionnaires import SMALL

ROOT = Path(__file__).resolve().parents[2]


def test_validate_accepts_the_real_questionnaires(runner):
    for name in ("resident.yaml", "professional.yaml"):
        result = runner.invoke(args=["questionnaires", "validate", str(ROOT / "questionnaires" / name)])
        assert result.exit_code == 0, result.output
        assert "valide" in result.output


def test_validate_lists_every_problem_and_exits_1(runner, tmp_path):
    bad = SMALL.replace("medecin = '2'", "inconnue = '2'").replace('code: "3"', 'code: "2"')
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "validate", str(path)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "problème" in result.output
    assert "2 problème(s)" in result.output
    assert "[pourquoi]" in result.output and "inconnue" in result.output
    assert "[medecin]" in result.output


def test_load_then_list_then_load_unchanged(runner, create_campaign, tmp_path, db_session):
    create_campaign("ville")
    path = tmp_path / "mini.yaml"
    path.write_text(SMALL, encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "ville"])
    assert result.exit_code == 0, result.output
    assert "version 1 chargée" in result.output
    assert "inchangé" in runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "ville"]).output
    listing = runner.invoke(args=["questionnaires", "list"]).output
    assert "ville\tmini\tv1\tcourante" in listing


def test_load_into_an_unknown_campaign_is_one_clear_error(runner, tmp_path, db_session):
    path = tmp_path / "mini.yaml"
    path.write_text(SMALL, encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "absente"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Campagne inconnue : « absente »."


def test_conflicting_load_asks_and_can_be_refused(runner, create_campaign, tmp_path, db_session):
    create_campaign("ville")
    path = tmp_path / "mini.yaml"
    path.write_text(SMALL, encoding="utf-8")
    runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "ville"])
    assert runner.invoke(args=["demo", "seed", "--campaign", "ville", "--questionnaire", "mini", "--responses", "30"]).exit_code == 0
    path.write_text(SMALL.replace('          - {code: "1", label: {fr: "Oui"}}\n', ""), encoding="utf-8")
    refused = runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "ville"], input="n\n")
    assert refused.exit_code == 1 and "Chargement annulé" in refused.output
    assert db_session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1
    accepted = runner.invoke(args=["questionnaires", "load", str(path), "--campaign", "ville", "--yes"])
    assert accepted.exit_code == 0 and "version 2" in accepted.output


def test_demo_seed_is_reproducible(runner, create_campaign, db_session):
    create_campaign("ville")
    runner.invoke(args=["questionnaires", "load", str(ROOT / "questionnaires" / "resident.yaml"), "--campaign", "ville"])
    result = runner.invoke(args=["demo", "seed", "--campaign", "ville", "--responses", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "40 réponses fictives" in result.output
    first = sorted(db_session.execute(select(Answer.question_id, Answer.value_text, Answer.value_number)).all(), key=repr)
    db_session.execute(Answer.__table__.delete())
    db_session.execute(Response.__table__.delete())
    db_session.commit()
    runner.invoke(args=["demo", "seed", "--campaign", "ville", "--responses", "40", "--seed", "7"])
    second = sorted(db_session.execute(select(Answer.question_id, Answer.value_text, Answer.value_number)).all(), key=repr)
    assert first == second


def test_demo_seed_without_questionnaire_is_a_clear_error(runner, create_campaign):
    create_campaign("ville")
    result = runner.invoke(args=["demo", "seed", "--campaign", "ville", "--responses", "5"])
    assert result.exit_code == 1 and "n'est pas chargé" in result.output


def test_demo_setup_prints_how_to_log_in_and_can_log_in(runner, app, db_session):
    result = runner.invoke(args=["demo", "setup", "--responses", "50"])
    assert result.exit_code == 0, result.output
    password = next(line.split(":", 1)[1].strip() for line in result.output.splitlines() if "mot de passe   :" in line)
    assert "coordination@demo.test" in result.output
    assert db_session.scalar(select(func.count()).select_from(Response)) >= 50
    client = app.test_client()
    response = client.post("/connexion", data={"email": "coordination@demo.test", "password": password})
    assert response.status_code == 302
    assert "démonstration" in client.get("/espace/").get_data(as_text=True)
    again = runner.invoke(args=["demo", "setup"])
    assert again.exit_code == 0 and password not in again.output
