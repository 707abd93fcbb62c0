"""``flask users``: staff accounts."""
import os

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import Role
from ..accounts import services as user_service

group = AppGroup("users", help="Comptes des agents, coordinateurs et administrateurs.")

PASSWORD_ENV = "CLS_NEW_USER_PASSWORD"


@group.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role], case_sensitive=False),
    required=True,
    help="agent, coordinator ou admin.",
)
@click.option("--name", "display_name", help="Nom affiché (par défaut : le début de l'adresse).")
def create(email: str, role: str, display_name: str | None):
    """Create an account; the password is prompted for, or read from CLS_NEW_USER_PASSWORD."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe")
    user = user_service.create_user(db.session, email, password, role, display_name=display_name)
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({user.role.value}).")


@group.command("list")
def list_():
    """List the accounts."""
    for user in user_service.list_users(db.session):
        state = ("actif" if user.active
                 else "invitation en attente" if getattr(user, "invitation_pending", False) else "désactivé")
        click.echo(f"{user.email}\t{user.role.value}\t{state}\t{user.display_name}")


@group.command("deactivate")
@click.argument("email")
def deactivate(email: str):
    """Deactivate an account."""
    user = user_service.find_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}.")
    user_service.set_active(db.session, user, False)
    db.session.commit()
    click.echo(f"Compte désactivé : {user.email}.")
