"""``flask demo``: a demonstration campaign for trying the service."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..campaigns import services as campaign_service
from ..infra.lazy import lazy_import

demo_service = lazy_import("survey_app.campaigns.demo")  # pandas, when a command runs

group = AppGroup("demo", help="Campagne de démonstration et réponses fictives.")


@group.command("setup")
@click.option("--responses", default=300, show_default=True, help="Réponses fictives d'habitants à générer.")
@click.option("--seed", default=2026, show_default=True, help="Graine du générateur (reproductible).")
def setup(responses: int, seed: int):
    """Create (or refresh) the demo campaign and coordinator, and print how to log in."""
    result = demo_service.setup_demo(
        db.session, responses=responses, seed=seed, questionnaires_dir=current_app.config["CLS_QUESTIONNAIRES_DIR"]
    )
    db.session.commit()
    click.echo("")
    click.echo(f"Campagne de démonstration prête : « {result.campaign.name} » ({result.campaign.slug}).")
    if result.responses_created:
        click.echo(f"{result.responses_created} réponses fictives générées.")
    click.echo("Connectez-vous sur http://127.0.0.1:5000/connexion avec :")
    click.echo(f"  adresse e-mail : {result.email}")
    click.echo(f"  mot de passe   : {result.password}")
    click.echo("(mot de passe régénéré à chaque lancement de la démonstration)")
    click.echo("")


@group.command("seed")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--responses", "count", type=click.IntRange(min=1), required=True, help="Nombre de réponses.")
@click.option("--questionnaire", "key", default="resident", show_default=True)
@click.option("--seed", default=1, show_default=True, help="Graine du générateur (reproductible).")
def seed(slug: str, count: int, key: str, seed: int):
    """Write N plausible synthetic responses that respect the questionnaire."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    stored = demo_service.seed_responses(db.session, campaign, key, count, seed=seed)
    db.session.commit()
    click.echo(f"{stored} réponses fictives enregistrées dans {campaign.slug} ({key}).")
