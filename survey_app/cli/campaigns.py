"""``flask campaigns``: create a campaign, its districts, census margins, members, invitations."""
import csv
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import CampaignStatus
from ..domain import ServiceError
from ..survey import answering
from ..accounts import services as user_service
from ..campaigns import services as campaign_service
from ..infra.lazy import lazy_import

margin_service = lazy_import("survey_app.campaigns.margins")  # pandas, when a command runs

group = AppGroup("campaigns", help="Campagnes : création, quartiers, marges, membres, invitations.")


def _read_csv(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text[:2048].count(";") > text[:2048].count(",") else ","
    return [dict(row) for row in csv.DictReader(text.splitlines(), delimiter=delimiter)]


def _districts(path: Path) -> list[dict]:
    rows = _read_csv(path)
    if not rows or "code" not in rows[0]:
        raise ServiceError("Le fichier des quartiers doit avoir les colonnes code, name[, qpv, target].")
    districts = []
    for line, row in enumerate(rows, start=2):
        target = (row.get("target") or "").strip()
        if target and not target.isdigit():
            raise ServiceError(f"Quartiers, ligne {line} : objectif « {target} » invalide (nombre entier attendu).")
        districts.append({
            "code": (row.get("code") or "").strip(),
            "name": (row.get("name") or row.get("nom") or row.get("code") or "").strip(),
            "qpv": (row.get("qpv") or "").strip().lower() in {"1", "oui", "true", "yes", "qpv"},
            "target": int(target) if target else None,
        })
        if not districts[-1]["code"]:
            raise ServiceError(f"Quartiers, ligne {line} : code manquant.")
    return districts


@group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Nom de la campagne, montré aux habitants.")
@click.option("--organisation", default="", help="Commune ou territoire qui mène l'enquête.")
@click.option("--districts", "districts_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="CSV : code, name, qpv, target.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), help="Date d'ouverture (AAAA-MM-JJ).")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), help="Date de clôture (AAAA-MM-JJ).")
@click.option("--open", "open_now", is_flag=True, help="Ouvrir la campagne aux réponses.")
def create(slug, name, organisation, districts_file, opens, closes, open_now):
    """Create a campaign with its districts."""
    if opens and closes and closes < opens:
        raise click.ClickException("La date de clôture précède la date d'ouverture.")
    campaign = campaign_service.create_campaign(
        db.session,
        slug,
        name,
        organisation=organisation,
        districts=_districts(districts_file) if districts_file else [],
        status=CampaignStatus.OPEN if open_now else CampaignStatus.DRAFT,
        opens_on=opens.date() if opens else None,
        closes_on=closes.date() if closes else None,
    )
    db.session.commit()
    click.echo(f"Campagne « {campaign.name} » créée ({campaign.slug}), {len(campaign.districts)} quartier(s).")


@group.command("status")
@click.argument("slug")
@click.argument("status", type=click.Choice([s.value for s in CampaignStatus]))
def status(slug, status):
    """Open, close or archive a campaign."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    campaign_service.set_status(db.session, campaign, CampaignStatus(status))
    db.session.commit()
    click.echo(f"Campagne {slug} : {status}.")


@group.command("margins")
@click.argument("slug")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def margins(slug, path):
    """Import census margins (CSV: variable, category, count[, source]); each row is checked first."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    count = margin_service.set_margins(db.session, campaign, margin_service.parse_margins_csv(path.read_text(encoding="utf-8-sig")))
    db.session.commit()
    click.echo(f"{count} marges enregistrées pour {slug}.")


@group.command("add-member")
@click.argument("slug")
@click.argument("email")
def add_member(slug, email):
    """Give a staff account access to a campaign."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    user = user_service.find_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}.")
    campaign_service.add_member(db.session, campaign, user)
    db.session.commit()
    click.echo(f"{user.email} a accès à la campagne {slug}.")


@group.command("invitations")
@click.argument("slug")
@click.option("--count", type=click.IntRange(min=1, max=answering.MAX_INVITATIONS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV des codes (montrés une seule fois).")
def invitations(slug, count, out):
    """Create invitation codes for paper-mailed letters: one response per code; only hashes are kept."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    if out.exists():
        raise click.ClickException(f"{out} existe déjà : choisissez un autre fichier.")
    codes = answering.generate_invitation_codes(db.session, campaign, count)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code"])
        writer.writerows([answering.format_code(c)] for c in codes)
    db.session.commit()
    click.echo(f"{len(codes)} codes d'invitation écrits dans {out} ; ils ne pourront plus être affichés.")
