"""``flask campaigns purge``: old web drafts, and a campaign's raw responses after its retention date."""
import datetime as dt

import click
from flask import current_app

from ..extensions import db
from ..campaigns import services as campaign_service
from .campaigns import group


@group.command("purge")
@click.option("--campaign", "slug", default=None, help="Une seule campagne (défaut : toutes, pour les brouillons).")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Brouillons commencés depuis plus de N jours (défaut : CLS_DRAFT_RETENTION_DAYS).")
@click.option("--responses", is_flag=True, help="Supprimer aussi les réponses brutes de --campaign après sa date de fin de conservation.")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation pour --responses.")
def purge(slug, days, responses, yes):
    """Delete web drafts older than the retention delay; with --responses, a campaign's raw responses (audited)."""
    from ..collection import retention

    today = dt.date.today()
    days = days or current_app.config["CLS_DRAFT_RETENTION_DAYS"]
    campaign = campaign_service.get_by_slug(db.session, slug) if slug else None
    if responses and campaign is None:
        raise click.ClickException("--responses demande --campaign SLUG.")
    done = retention.purge_drafts(db.session, days, today=today, campaign=campaign)
    db.session.commit()
    total = sum(done.values())
    click.echo(f"{total} brouillon(s) de plus de {days} jours supprimé(s)"
               + (" : " + ", ".join(f"{k} {v}" for k, v in sorted(done.items())) if done else "."))
    if responses:
        if not yes:
            click.confirm(f"Supprimer toutes les réponses brutes de {slug} ? Les chiffres de la collecte et le rapport restent.",
                          abort=True)
        count = retention.purge_responses(db.session, campaign, today=today)
        db.session.commit()
        click.echo(f"{count} réponse(s) brute(s) de {slug} supprimée(s) ; les chiffres agrégés sont conservés.")
