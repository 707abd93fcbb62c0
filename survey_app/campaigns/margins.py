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
