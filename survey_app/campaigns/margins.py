"""Census margins of a campaign: the population counts that weighting reproduces."""
from __future__ import annotations

import csv
import io
import math
from typing import Iterable, Mapping

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Campaign, Margin, User
from ..domain import ServiceError
from .. import audit

REQUIRED_COLUMNS = ("variable", "category", "count")


def parse_margins_csv(text: str) -> list[dict]:
    """Read a CSV (``,`` or ``;``) with columns variable, category, count[, source]."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceError(f"Colonnes manquantes dans le fichier des marges : {', '.join(missing)} (attendu : variable, category, count).")
    return [dict(row) for row in reader]


def set_margins(session: Session, campaign: Campaign, rows: Iterable[Mapping], *, actor: User | None = None) -> int:
    """Replace the campaign's margins for the variables present in ``rows``; check every row first."""
    cleaned, problems, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        variable = str(row.get("variable") or "").strip()
        category = str(row.get("category") or "").strip()
        raw = str(row.get("count") or "").strip().replace(" ", "").replace(",", ".")
        try:
            count = float(raw)
        except ValueError:
            count = math.nan
        if not variable or not category:
            problems.append(f"ligne {line} : variable et catégorie sont obligatoires")
        elif not math.isfinite(count) or count <= 0:
            problems.append(f"ligne {line} : effectif invalide « {row.get('count')} » (nombre positif attendu)")
        elif (variable, category) in seen:
            problems.append(f"ligne {line} : « {variable} = {category} » apparaît deux fois")
        else:
            seen.add((variable, category))
            cleaned.append(Margin(variable=variable, category=category, count=count, source=str(row.get("source") or "")))
    if problems:
        raise ServiceError("Marges refusées :\n- " + "\n- ".join(problems))
    if not cleaned:
        raise ServiceError("Aucune marge dans le fichier.")
    variables = {m.variable for m in cleaned}
    session.execute(delete(Margin).where(Margin.campaign_id == campaign.id, Margin.variable.in_(variables)))
    for margin in cleaned:
        margin.campaign_id = campaign.id
        session.add(margin)
    session.flush()
    audit.record(session, actor, "margins.set", "campaign", campaign.id, new={"variables": sorted(variables), "rows": len(cleaned)})
    return len(cleaned)


def margins_frame(session: Session, campaign: Campaign) -> pd.DataFrame:
    """Return the margins as a long table: variable, category, count."""
    rows = session.execute(
        select(Margin.variable, Margin.category, Margin.count)
        .where(Margin.campaign_id == campaign.id)
        .order_by(Margin.variable, Margin.id)
    ).all()
    return pd.DataFrame(rows, columns=["variable", "category", "count"])


#: Margin totals may differ by this fraction (census tables from different sources rarely
#: add up to the person); raking rescales them. Beyond it the file is refused.
TOTALS_TOLERANCE = 0.02
#: Joins the variables of a joint margin (``district*age_band``) and its categories (``centre|18_24``).
JOINT_VARIABLE, JOINT_CATEGORY = "*", "|"


def decode_upload(data: bytes | str) -> str:
    """Return the text of an uploaded margins file, or refuse what is not a CSV text file."""
    if isinstance(data, str):
        text = data
    else:
        if not data or not data.strip():
            raise ServiceError("Le fichier des marges est vide.")
        if b"\x00" in data[:4096] or data[:4] in (b"PK\x03\x04", b"%PDF") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ServiceError(
                "Ce fichier n'est pas un fichier CSV (texte) : enregistrez le tableau au format CSV "
                "(colonnes variable, category, count) puis importez-le."
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise ServiceError("Le fichier des marges est vide.")
    return text


def read_margins_file(data: bytes | str) -> list[dict]:
    """Read an uploaded margins CSV into rows (``variable, category, count[, source]``)."""
    text = decode_upload(data)
    try:
        rows = parse_margins_csv(text)
    except csv.Error as error:
        raise ServiceError(f"Ce fichier n'est pas un CSV lisible : {error}.") from None
    return rows


def _count(raw) -> float:
    text = str(raw if raw is not None else "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return math.nan


def margin_problems(rows: list[Mapping], categories: Mapping[str, list[str]], districts: list[str]) -> tuple[list[str], list[str]]:
    """Every problem of a margins file at once, and the notices that do not stop it.

    ``categories`` gives the known categories of each variable that may be a margin
    (weighting roles and closed questions); ``districts`` the campaign's district codes.
    """
    problems, notices, seen = [], [], set()
    totals: dict[str, float] = {}
    present: dict[str, set] = {}
    unknown_variables: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        variable = str(row.get("variable") or "").strip()
        category = str(row.get("category") or "").strip()
        count = _count(row.get("count"))
        if not variable or not category:
            problems.append(f"ligne {line} : variable et catégorie sont obligatoires")
            continue
        if not math.isfinite(count):
            problems.append(f"ligne {line} : effectif « {row.get('count') or ''} » non numérique (nombre positif attendu)")
        elif count <= 0:
            problems.append(f"ligne {line} : effectif invalide « {row.get('count')} » (nombre positif attendu)")
        if (variable, category) in seen:
            problems.append(f"ligne {line} : « {variable} = {category} » apparaît deux fois")
        seen.add((variable, category))
        parts = variable.split(JOINT_VARIABLE)
        values = category.split(JOINT_CATEGORY) if len(parts) > 1 else [category]
        if any(part not in categories for part in parts):
            unknown_variables.setdefault(variable, line)
            continue
        if len(values) != len(parts):
            problems.append(f"ligne {line} : « {category} » devrait avoir {len(parts)} parties séparées par « {JOINT_CATEGORY} »")
            continue
        for part, value in zip(parts, values):
            if value not in categories[part]:
                problems.append(
                    f"ligne {line} : catégorie inconnue « {value} » pour « {part} » "
                    f"(catégories possibles : {', '.join(categories[part]) or 'aucune'})"
                )
            present.setdefault(part, set()).add(value)
        if math.isfinite(count) and count > 0:
            totals[variable] = totals.get(variable, 0.0) + count
    for variable, line in unknown_variables.items():
        problems.append(
            f"ligne {line} : variable inconnue « {variable} » (ni rôle de pondération, ni question fermée du questionnaire ; "
            f"possibles : {', '.join(sorted(categories))})"
        )
    if districts:
        if "district" not in present:
            problems.append("aucune marge par quartier (variable « district ») : le calage par quartier est nécessaire")
        else:
            missing = [code for code in districts if code not in present["district"]]
            if missing:
                problems.append(f"quartiers absents des marges : {', '.join(missing)}")
    if len(totals) > 1:
        low, high = min(totals.values()), max(totals.values())
        shown = ", ".join(f"{v} : {t:,.0f}".replace(",", "\u202f") for v, t in totals.items())
        if high - low > TOTALS_TOLERANCE * high:
            problems.append(
                f"les totaux des variables ne décrivent pas la même population ({shown}) : "
                f"l'écart dépasse {TOTALS_TOLERANCE:.0%}"
            )
        elif high - low > 1e-9 * high:
            notices.append(f"totaux légèrement différents ({shown}) : ils seront ramenés au même total pour le calage")
    if not rows:
        problems.append("aucune marge dans le fichier")
    return problems, notices


def replace_margins(session: Session, campaign: Campaign, rows: list[Mapping], *, actor: User | None = None) -> int:
    """Replace all the campaign's margins by ``rows`` (already checked)."""
    session.execute(delete(Margin).where(Margin.campaign_id == campaign.id))
    session.flush()
    count = 0
    for row in rows:
        session.add(Margin(
            campaign_id=campaign.id, variable=str(row["variable"]).strip(), category=str(row["category"]).strip(),
            count=_count(row["count"]), source=str(row.get("source") or "").strip()[:500],
        ))
        count += 1
    session.flush()
    audit.record(session, actor, "margins.import", "campaign", campaign.id, new={"rows": count})
    return count
