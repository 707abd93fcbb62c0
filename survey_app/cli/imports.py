"""``flask import responses``: responses collected with KoboToolbox or ODK."""
from pathlib import Path

import click
from flask.cli import AppGroup

group = AppGroup("import", help="Importer des réponses collectées ailleurs (KoboToolbox, ODK).")


@group.command("responses")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--questionnaire", "key", default=None,
              help="Questionnaire visé (défaut : celui dont les colonnes correspondent le mieux).")
@click.option("--separator", default="/", show_default=True,
              help="Séparateur des groupes dans les en-têtes (group/question).")
@click.option("--dry-run", is_flag=True, help="Afficher le rapport sans rien enregistrer.")
def responses(path: Path, slug: str, key: str | None, separator: str, dry_run: bool):
    """Import a KoboToolbox or ODK Central export (CSV or XLSX) as responses of a campaign."""
    from ..campaigns import services as campaign_service
    from ..extensions import db
    from ..imports import kobo

    campaign = campaign_service.get_by_slug(db.session, slug)
    report = kobo.import_responses(db.session, campaign, path, questionnaire=key,
                                   separator=separator, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("Essai : rien n'a été enregistré.")
