"""``flask demo``: a demonstration campaign for trying the service."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import demo as demo_service

group = AppGroup("demo", help="Campagne de démonstration.")


@group.command("setup")
@click.option("--responses", default=300, show_default=True, help="Réponses fictives à générer.")
@click.option("--seed", default=2026, show_default=True)
def setup(responses: int, seed: int):
    """Create (or refresh) the demo campaign and coordinator, and print how to log in."""
    result = demo_service.setup_demo(db.session, responses=responses, seed=seed)
    db.session.commit()
    click.echo("")
    click.echo("Campagne de démonstration prête : « %s » (%s)." % (result.campaign.name, result.campaign.slug))
    if result.responses_created:
        click.echo(f"{result.responses_created} réponses fictives générées.")
    click.echo("Connectez-vous sur http://127.0.0.1:5000/connexion avec :")
    click.echo(f"  adresse e-mail : {result.email}")
    click.echo(f"  mot de passe   : {result.password}")
    click.echo("(mot de passe régénéré à chaque lancement de la démonstration)")
