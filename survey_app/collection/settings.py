"""Campaign settings from the pages: what ``flask campaigns …`` does, with the same checks
and messages (the campaign services are called for creation, status and members)."""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..accounts import services as user_service
from ..campaigns import services as campaign_service
from ..domain import ServiceError
from ..models import Campaign, CampaignStatus, District, InvitationCode, Margin, User
from ..questionnaire.model import DEFAULT_AXES

DATES_MESSAGE = "La date de clôture précède la date d'ouverture."


def _date(text: str, label: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label} : « {text} » n'est pas une date (AAAA-MM-JJ).") from None


def update_general(session: Session, campaign: Campaign, values: Mapping[str, str], languages: Sequence[str],
                   available_languages: Sequence[str], *, actor: User) -> list[str]:
    """Name, organisation, dates, retention date, languages and information texts; every change audited.

    Checks everything before changing anything; returns the names of the changed fields.
    """
    name = (values.get("name") or "").strip()
    if not name:
        raise ServiceError("Le nom de la campagne est obligatoire.")
    opens_on = _date(values.get("opens_on", ""), "Date d'ouverture")
    closes_on = _date(values.get("closes_on", ""), "Date de clôture")
    if opens_on and closes_on and closes_on < opens_on:
        raise ServiceError(DATES_MESSAGE)
    retention = _date(values.get("retention_until", ""), "Fin de conservation des réponses")
    if retention and closes_on and retention < closes_on:
        raise ServiceError("La fin de conservation des réponses précède la clôture de la campagne.")
    unknown = [lang for lang in languages if lang not in available_languages]
    if unknown:
        raise ServiceError(f"Langue non proposée : {', '.join(unknown)}.")
    if "fr" not in languages:
        raise ServiceError("Le français est toujours proposé.")
    ordered = [lang for lang in available_languages if lang in languages]
    information = {lang: (values.get(f"information_{lang}") or "").strip() for lang in available_languages}
    information = {k: v for k, v in information.items() if v}
    new = {"name": name, "organisation": (values.get("organisation") or "").strip(), "opens_on": opens_on,
           "closes_on": closes_on, "retention_until": retention, "languages": ordered, "information": information}
    changed = []
    for field, value in new.items():
        old = getattr(campaign, field)
        if old != value:
            audit.record(session, actor, f"campaign.{field}", "campaign", campaign.id, field=field,
                         old=old.isoformat() if isinstance(old, dt.date) else old,
                         new=value.isoformat() if isinstance(value, dt.date) else value)
            setattr(campaign, field, value)
            changed.append(field)
    session.flush()
    return changed


def set_status(session: Session, campaign: Campaign, status: str, *, actor: User) -> None:
    try:
        wanted = CampaignStatus(status)
    except ValueError:
        raise ServiceError("Statut inconnu : " + ", ".join(s.value for s in CampaignStatus) + ".") from None
    campaign_service.set_status(session, campaign, wanted, actor=actor)


def parse_districts(rows: Sequence[Mapping[str, str]]) -> list[dict]:
    """Check the district rows as ``flask campaigns create --districts`` does (same messages)."""
    districts, codes = [], set()
    for line, row in enumerate(rows, start=1):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        target = (row.get("target") or "").strip()
        if not code and not name and not target:
            continue
        if target and not target.isdigit():
            raise ServiceError(f"Quartiers, ligne {line} : objectif « {target} » invalide (nombre entier attendu).")
        if not code:
            raise ServiceError(f"Quartiers, ligne {line} : code manquant.")
        if code in codes:
            raise ServiceError(f"Code de quartier en double : « {code} ».")
        codes.add(code)
        districts.append({"code": code, "name": name or code, "qpv": bool(row.get("qpv")),
                          "target": int(target) if target else None})
    return districts


def update_districts(session: Session, campaign: Campaign, rows: Sequence[Mapping[str, str]], *, actor: User) -> int:
    """Rename districts, flag QPV, set targets, add new ones; a district keeps its code (answers carry it)."""
    wanted = parse_districts(rows)
    existing = {d.code: d for d in campaign.districts}
    missing = [code for code in existing if code not in {w["code"] for w in wanted}]
    if missing:
        raise ServiceError(f"Un quartier ne se supprime pas (des réponses portent son code) : {', '.join(missing)}.")
    changes = 0
    for position, spec in enumerate(wanted):
        district = existing.get(spec["code"])
        if district is None:
            district = District(code=spec["code"], position=position)
            campaign.districts.append(district)
            old = None
        else:
            old = {"name": district.name, "qpv": district.qpv, "target": district.target}
        new = {"name": spec["name"], "qpv": spec["qpv"], "target": spec["target"]}
        if old != new:
            district.name, district.qpv, district.target = spec["name"], spec["qpv"], spec["target"]
            audit.record(session, actor, "district.update" if old else "district.create", "campaign", campaign.id,
                         field=spec["code"], old=old, new=new)
            changes += 1
        district.position = position
    session.flush()
    return changes


def targets_from_margins(session: Session, campaign: Campaign, total_text: str) -> dict[str, int]:
    """Targets that share ``total`` responses between districts as their census populations do
    (largest remainders, so they add up to the total)."""
    total_text = (total_text or "").strip()
    if not total_text.isdigit() or int(total_text) < 1:
        raise ServiceError(f"Objectif total « {total_text} » invalide (nombre entier attendu).")
    total = int(total_text)
    populations = dict(session.execute(select(Margin.category, Margin.count).where(
        Margin.campaign_id == campaign.id, Margin.variable == "district")).all())
    codes = [d.code for d in campaign.districts if populations.get(d.code)]
    if not codes:
        raise ServiceError("Aucune marge du recensement par quartier n'est chargée : chargez-les d'abord "
                           "(page « Marges du recensement et pondération »), ou saisissez les objectifs.")
    population = sum(populations[c] for c in codes)
    exact = {c: total * populations[c] / population for c in codes}
    targets = {c: int(v) for c, v in exact.items()}
    for code in sorted(codes, key=lambda c: exact[c] - targets[c], reverse=True)[: total - sum(targets.values())]:
        targets[code] += 1
    return targets


def apply_targets(session: Session, campaign: Campaign, targets: Mapping[str, int], *, actor: User) -> None:
    for district in campaign.districts:
        if district.code in targets and district.target != targets[district.code]:
            audit.record(session, actor, "district.update", "campaign", campaign.id, field=district.code,
                         old={"target": district.target}, new={"target": targets[district.code]})
            district.target = targets[district.code]
    session.flush()


def axes_of(campaign: Campaign) -> dict:
    return campaign.axes or DEFAULT_AXES


def update_axes(session: Session, campaign: Campaign, labels: Mapping[str, str], *, actor: User) -> None:
    """Rename the CLS axes (French labels); keys stay, as questions refer to them."""
    current = {k: dict(v) for k, v in axes_of(campaign).items()}
    for key, text in labels.items():
        if key not in current:
            raise ServiceError(f"Axe inconnu : « {key} ».")
        if not (text or "").strip():
            raise ServiceError("Chaque axe a un libellé.")
        current[key]["fr"] = text.strip()
    if current != (campaign.axes or DEFAULT_AXES):
        audit.record(session, actor, "campaign.axes", "campaign", campaign.id, field="axes", old=campaign.axes, new=current)
        campaign.axes = current
    session.flush()


def add_member(session: Session, campaign: Campaign, email: str, *, actor: User) -> User:
    """Give a staff account access to the campaign (as ``flask campaigns add-member``)."""
    user = user_service.find_by_email(session, (email or "").strip())
    if user is None:
        raise ServiceError(f"Aucun compte pour {email}.")
    campaign_service.add_member(session, campaign, user, actor=actor)
    return user


def invitation_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    total, used = session.execute(select(func.count(), func.count(InvitationCode.used_on)).where(
        InvitationCode.campaign_id == campaign.id)).one()
    return {"total": total, "used": used, "unused": total - used}


def create(session: Session, values: Mapping[str, str], *, actor: User) -> Campaign:
    """Create a campaign as ``flask campaigns create`` does; its creator becomes a member."""
    opens_on = _date(values.get("opens_on", ""), "Date d'ouverture")
    closes_on = _date(values.get("closes_on", ""), "Date de clôture")
    if opens_on and closes_on and closes_on < opens_on:
        raise ServiceError(DATES_MESSAGE)
    name = (values.get("name") or "").strip()
    if not name:
        raise ServiceError("Le nom de la campagne est obligatoire.")
    campaign = campaign_service.create_campaign(session, (values.get("slug") or "").strip(), name,
                                                organisation=(values.get("organisation") or "").strip(),
                                                opens_on=opens_on, closes_on=closes_on, actor=actor)
    campaign_service.add_member(session, campaign, actor, actor=actor)
    return campaign
