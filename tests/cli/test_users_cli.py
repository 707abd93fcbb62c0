"""``flask users``: clear one-line errors, nothing half-written."""
from sqlalchemy import func, select

from survey_app.models import User


def test_create_user_reads_the_password_from_the_environment(runner, db_session, monkeypatch):
    monkeypatch.setenv("CLS_NEW_USER_PASSWORD", "un-long-mot-de-passe")
    result = runner.invoke(args=["users", "create", "Coord@Ville.test", "--role", "coordinator", "--name", "Coord"])
    assert result.exit_code == 0, result.output
    assert "Compte créé : coord@ville.test (coordinator)." in result.output
    user = db_session.scalar(select(User))
    assert user.role.value == "coordinator" and user.password_hash.startswith("scrypt:")


def test_create_user_prompts_for_the_password(runner, db_session, monkeypatch):
    monkeypatch.delenv("CLS_NEW_USER_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "agent@ville.test", "--role", "agent"], input="un-long-mot-de-passe\nun-long-mot-de-passe\n")
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_duplicate_email_is_one_clear_error(runner, db_session, monkeypatch):
    monkeypatch.setenv("CLS_NEW_USER_PASSWORD", "un-long-mot-de-passe")
    runner.invoke(args=["users", "create", "a@ville.test", "--role", "agent"])
    result = runner.invoke(args=["users", "create", "A@ville.test", "--role", "admin"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Un compte existe déjà pour a@ville.test."
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_unknown_role_is_refused(runner, db_session, monkeypatch):
    monkeypatch.setenv("CLS_NEW_USER_PASSWORD", "un-long-mot-de-passe")
    result = runner.invoke(args=["users", "create", "a@ville.test", "--role", "chef"])
    assert result.exit_code == 2
    assert "'chef' is not one of 'agent', 'coordinator', 'admin'" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_weak_password_and_bad_email_are_refused(runner, db_session, monkeypatch):
    monkeypatch.setenv("CLS_NEW_USER_PASSWORD", "court")
    result = runner.invoke(args=["users", "create", "a@ville.test", "--role", "agent"])
    assert result.exit_code == 1 and "au moins 12 caractères" in result.output
    monkeypatch.setenv("CLS_NEW_USER_PASSWORD", "un-long-mot-de-passe")
    result = runner.invoke(args=["users", "create", "pas-une-adresse", "--role", "agent"])
    assert result.exit_code == 1 and "Adresse e-mail invalide" in result.output


def test_users_list_and_deactivate(runner, create_user):
    user = create_user("agent")
    assert user.email in runner.invoke(args=["users", "list"]).output
    result = runner.invoke(args=["users", "deactivate", user.email])
    assert result.exit_code == 0 and "Compte désactivé" in result.output
    assert "désactivé" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "deactivate", "x@ville.test"]).exit_code == 1
