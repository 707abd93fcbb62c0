"""``flask report``: the diagnostic report (HTML or PDF) and its slides, with a progress bar."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..campaigns import services as campaign_service
from ..domain import ServiceError
from ..extensions import db

group = AppGroup("report", help="Rapport de diagnostic (HTML, PDF) et diaporama.")


def _progress_bar(bar):
    state = {"done": 0}

    def report(fraction: float, message: str) -> None:
        target = int(round(100 * min(max(fraction, 0.0), 1.0)))
        bar.label = message[:40].ljust(40)
        if target > state["done"]:
            bar.update(target - state["done"])
            state["done"] = target

    return report


def _target(out: str, suffixes: tuple[str, ...]) -> Path:
    target = Path(out)
    if target.suffix.lower() not in suffixes:
        raise ServiceError(f"« {out} » : l'extension doit être {' ou '.join(suffixes)}.")
    if not target.parent.exists():
        raise ServiceError(f"Le dossier « {target.parent} » n'existe pas.")
    return target


@group.command("build")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--out", required=True, help="Fichier à écrire : rapport.pdf ou rapport.html.")
def build(slug: str, out: str):
    """Write the campaign's diagnostic report as a PDF or a standalone HTML page."""
    from ..report.services import build_outputs

    target = _target(out, (".pdf", ".html", ".htm"))
    campaign = campaign_service.get_by_slug(db.session, slug)
    kind = "pdf" if target.suffix.lower() == ".pdf" else "html"
    with click.progressbar(length=100, label="Rapport".ljust(40), show_percent=True) as bar:
        outputs = build_outputs(db.session, campaign, progress=_progress_bar(bar), kinds=(kind,))
    target.write_bytes(outputs.files[kind])
    db.session.commit()  # lemmas and codings cached while building
    click.echo(f"Rapport écrit : {target} ({len(outputs.files[kind]) // 1024} Ko).")
    for limit in outputs.data.limits:
        click.echo(f"  · {limit}")


@group.command("slides")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--out", required=True, help="Fichier à écrire : diaporama.pptx.")
def slides(slug: str, out: str):
    """Write the key findings and candidate priorities as a PowerPoint deck."""
    from ..report.services import build_outputs

    target = _target(out, (".pptx",))
    campaign = campaign_service.get_by_slug(db.session, slug)
    with click.progressbar(length=100, label="Diaporama".ljust(40), show_percent=True) as bar:
        outputs = build_outputs(db.session, campaign, progress=_progress_bar(bar), kinds=("pptx",))
    target.write_bytes(outputs.files["pptx"])
    db.session.commit()
    click.echo(f"Diaporama écrit : {target} ({len(outputs.data.findings)} constats clés).")
