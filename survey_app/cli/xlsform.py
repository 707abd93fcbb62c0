"""``flask questionnaires import-xlsform`` and ``export-xlsform``: XLSForm in and out."""
from pathlib import Path

import click

from ..interop import xlsform as xlsform_service
from .questionnaires import _fail_with_problems, group


@group.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Afficher le rapport sans rien écrire.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier YAML à écrire (défaut : celui du formulaire, en .yaml).")
def import_xlsform_command(path: Path, dry_run: bool, out: Path | None):
    """Convert an XLSForm (xlsx, xls, csv) into our questionnaire format; exit 1 on problems."""
    import yaml

    from ..questionnaire.xlsform import import_xlsform

    result = import_xlsform(path)
    for line in result.report_lines():
        click.echo(line, err=bool(result.errors))
    if not result.usable:
        click.echo("Rien n'a été écrit.", err=True)
        raise SystemExit(1)
    definition = result.definition
    summary = xlsform_service.import_summary(path.name, definition)
    if dry_run:
        click.echo(summary + " Essai : rien n'a été écrit.")
        return
    target = out or path.with_suffix(".yaml")
    text = yaml.safe_dump(result.data, allow_unicode=True, sort_keys=False, width=100)
    target.write_text(f"# Converti depuis {path.name} (XLSForm)\n" + text, encoding="utf-8")
    click.echo(f"{summary} Écrit : {target}")


@group.command("export-xlsform")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Classeur XLSForm (.xlsx) à écrire.")
@click.option("--campaign", "slug", default=None,
              help="Campagne dont les quartiers remplissent la question « quartier ».")
def export_xlsform_command(path: Path, out: Path, slug: str | None):
    """Write one of our questionnaires as an XLSForm for KoboToolbox or ODK Collect."""
    from ..questionnaire import DefinitionError, load_definition

    campaign = None
    if slug is not None:
        from ..campaigns import services as campaign_service
        from ..extensions import db

        campaign = campaign_service.get_by_slug(db.session, slug)
    try:
        definition = load_definition(path)
    except DefinitionError as error:
        _fail_with_problems(error)
    if slug is None and any(q.type == "district" for q in definition.questions.values()):
        click.echo("Sans --campaign, la question de quartier ne propose que « Je ne sais pas ».",
                   err=True)
    notes = xlsform_service.export_workbook(definition, out, campaign)
    for note in notes:
        click.echo(f"  {note}", err=True)
    click.echo(f"« {definition.id} » exporté en XLSForm : {out}")
