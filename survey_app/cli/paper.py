"""``flask paper form``: the printable paper questionnaire, as PDF or HTML."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..domain import ServiceError
from ..extensions import db

group = AppGroup("paper", help="Questionnaires papier : formulaire à imprimer.")


@group.command("form")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--questionnaire", "questionnaire", required=True,
              help="Questionnaire : son identifiant (resident…) ou le numéro de la version.")
@click.option("--lang", default="fr", show_default=True, help="Langue du questionnaire imprimé.")
@click.option("--copies", type=click.IntRange(0, 2000), default=0, show_default=True,
              help="Exemplaires numérotés (numéros enregistrés) ; 0 : un exemplaire sans numéro.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Fichier écrit : .pdf ou .html.")
def form(slug: str, questionnaire: str, lang: str, copies: int, out: str):
    """Write the printable questionnaire of a campaign (numbered copies with their QR codes)."""
    from ..campaigns import services as campaign_service
    from ..campaigns.questionnaires import current_version, definition_of
    from ..entry import paper_form, serials
    from ..models import QuestionnaireVersion

    path = Path(out)
    if path.suffix.lower() not in (".pdf", ".html"):
        raise ServiceError("Le fichier de sortie doit finir par .pdf ou .html.")
    campaign = campaign_service.get_by_slug(db.session, slug)
    version = current_version(db.session, campaign, questionnaire)
    if version is None and questionnaire.isdigit():
        version = db.session.get(QuestionnaireVersion, int(questionnaire))
        version = version if version is not None and version.campaign_id == campaign.id else None
    if version is None:
        raise ServiceError(f"Questionnaire inconnu dans la campagne « {slug} » : « {questionnaire} ».")
    definition = definition_of(version)
    if lang not in definition.languages:
        raise ServiceError(f"Langue absente du questionnaire : « {lang} » (langues : {', '.join(definition.languages)}).")
    serial_list = serials.issue(db.session, campaign, version, copies, None, lang) if copies else [None]
    with current_app.test_request_context():
        if path.suffix.lower() == ".pdf":
            html = paper_form.render_html(campaign, definition, lang, serial_list)
            path.write_bytes(paper_form.to_pdf(html))
        else:
            stylesheet = (paper_form.static_folder() / "print.css").as_uri()
            path.write_text(paper_form.render_html(campaign, definition, lang, serial_list, stylesheet), encoding="utf-8")
    db.session.commit()
    shown = f"{copies} exemplaires numérotés ({serials.display(serial_list[0])} à {serials.display(serial_list[-1])})" \
        if copies else "un exemplaire sans numéro"
    click.echo(f"{path} : {definition.label(lang)}, {shown}.")
