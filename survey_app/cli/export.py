"""``flask export``: a campaign's responses as CSV, XLSX, SPSS or Stata for partners."""
from pathlib import Path

import click

from ..extensions import db
from ..campaigns import services as campaign_service

FORMAT_CHOICES = ["csv", "xlsx", "sav", "dta"]


@click.command("export")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--format", "fmt", required=True, help="csv, xlsx, sav (SPSS) ou dta (Stata).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire.")
@click.option("--labels", is_flag=True, help="Libellés des réponses au lieu de leurs codes (CSV, XLSX).")
@click.option("--all-statuses", is_flag=True, help="Toutes les réponses, brouillons et exclues compris.")
@click.option("--comma", is_flag=True, help="CSV : virgules au lieu de points-virgules.")
@click.option("--questionnaire", "key", default=None, help="Questionnaire (défaut : celui des habitants).")
def command(slug, fmt, out, labels, all_statuses, comma, key):
    """Export the campaign's complete and validated responses (every status with --all-statuses)."""
    from ..exports import formats  # pandas, pyreadstat: only when the command runs

    formats.check_format(fmt)
    campaign = campaign_service.get_by_slug(db.session, slug)
    result = formats.export(db.session, campaign, fmt, out, labels=labels, all_statuses=all_statuses,
                            delimiter="," if comma else ";", key=key)
    which = "toutes les réponses" if all_statuses else "réponses complètes ou validées"
    click.echo(f"{result.rows} {which} ({', '.join(result.keys)}) écrites dans {out} ({formats.FORMAT_NAMES[fmt]}).")
