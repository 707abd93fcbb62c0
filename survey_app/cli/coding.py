"""``flask analysis code``: automatic coding of the open answers with the campaign's codebook."""
import click

from ..extensions import db
from ..campaigns import services as campaign_service
from ..infra.lazy import lazy_import

coding_service = lazy_import("survey_app.coding.services")  # loaded when the command runs
from .analysis import group


@group.command("code")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--question", "question_id", help="Une seule question ouverte (par défaut : toutes).")
def code(slug: str, question_id: str | None):
    """Code every open answer with the codebook and the corrections made; store the codings."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    with click.progressbar(length=1, label="Codage des réponses libres", show_eta=False) as bar:
        state = {"done": 0}

        def progress(done, total):
            bar.length = max(total, 1)
            bar.update(done - state["done"])
            state["done"] = done

        result = coding_service.run_auto_coding(db.session, campaign, question_id, progress=progress)
    db.session.commit()
    click.echo(f"{result.answers} réponses, dont {result.useless} sans contenu exploitable "
               f"(« rien », « RAS », politesses).")
    click.echo(f"Couverture : {result.coded} réponses utiles sur {result.useful} ont au moins un thème "
               f"({_decimal(100 * result.coverage, 1)} %) ; {result.human} codées par une personne.")
    click.echo(f"Non codées : {result.useful - result.coded} (aucun thème de la grille n'est assez sûr).")
    click.echo("Confiance du thème principal (codage automatique) :")
    for label, count in result.distribution:
        click.echo(f"  {label} : {count}")
    if result.deciles:
        click.echo("  déciles : " + " ; ".join(_decimal(q, 2) for q in result.deciles))


def _decimal(value: float, digits: int) -> str:
    """Format a number the French way (decimal comma)."""
    return f"{value:.{digits}f}".replace(".", ",")
