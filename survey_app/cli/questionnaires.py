"""``flask questionnaires``: validate, load and list questionnaire definitions."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..questionnaire import DefinitionError, load_definition
from ..campaigns import services as campaign_service
from ..campaigns import questionnaires as questionnaire_service

group = AppGroup("questionnaires", help="Questionnaires : validation, chargement, versions.")


def _fail_with_problems(error: DefinitionError):
    click.echo(f"{len(error.problems)} problème(s) :", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


@group.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def validate(path: Path):
    """Check a questionnaire file and list every problem (exit 1 if any)."""
    try:
        definition = load_definition(path)
    except DefinitionError as error:
        _fail_with_problems(error)
    click.echo(
        f"{path.name} : questionnaire « {definition.id} » valide — "
        f"{len(definition.sections)} sections, {len(definition.questions)} questions."
    )


@group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--yes", is_flag=True, help="Appliquer sans confirmation, même si des réponses existantes sont touchées.")
def load(path: Path, slug: str, yes: bool):
    """Load a questionnaire into a campaign as a new version (when it changed)."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    try:
        plan = questionnaire_service.plan_load(db.session, campaign, path)
    except DefinitionError as error:
        _fail_with_problems(error)
    if plan.unchanged:
        click.echo(f"« {plan.definition.id} » est inchangé (version {plan.current.version}) : rien à charger.")
        return
    if plan.diff is not None:
        click.echo(f"Changements par rapport à la version {plan.current.version} :")
        for line in plan.diff.summary():
            click.echo(f"  - {line}")
    accept = False
    if plan.conflicts:
        click.echo("Attention, des réponses existantes utilisent ce qui disparaît :", err=True)
        for line in plan.conflicts:
            click.echo(f"  - {line}", err=True)
        accept = yes or click.confirm("Charger quand même cette version ?", default=False)
        if not accept:
            raise click.ClickException("Chargement annulé : rien n'a été modifié.")
    version = questionnaire_service.apply_load(db.session, campaign, plan, source_name=path.name, accept_conflicts=accept)
    db.session.commit()
    click.echo(f"« {version.key} » version {version.version} chargée dans la campagne {campaign.slug}.")


@group.command("list")
def list_():
    """List the loaded versions."""
    rows = questionnaire_service.list_versions(db.session)
    if not rows:
        click.echo("Aucun questionnaire chargé.")
    for version, slug, responses in rows:
        current = "courante" if version.is_current else "ancienne"
        click.echo(f"{slug}\t{version.key}\tv{version.version}\t{current}\t{responses} réponse(s)\t{version.content_hash[:12]}\t{version.source_name}")
