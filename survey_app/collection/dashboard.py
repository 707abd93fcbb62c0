"""The collection dashboard: one aggregate query per figure, never a loop over responses.

"Complete" responses are those the analysis reads (``ANALYSED_STATUSES``: complete or
validated). A response's district, age band and sex are its answers to the questions
with those roles in its questionnaire version.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ..campaigns import questionnaires as questionnaire_service
from ..jobs.i18n import _
from ..models import Answer, Campaign, Channel, Margin, QuestionnaireVersion, Response, ResponseStatus

#: The statuses the analysis reads (``findings.frame.ANALYSED_STATUSES``, which imports pandas;
#: a test checks they are the same).
ANALYSED_STATUSES = (ResponseStatus.COMPLETE, ResponseStatus.VALIDATED)
#: The key of the respondents who did not give their age band or sex (shown as ``unknown_label()``).
UNKNOWN = "(sans réponse)"


def channel_name(channel: Channel) -> str:
    """The channel's name in the interface's language (French outside a request)."""
    return {Channel.WEB: _("Internet"), Channel.PAPER: _("Papier"), Channel.IMPORT: _("Import")}[channel]


def unknown_label() -> str:
    return _("(sans réponse)")
TARGET_KEY = "resident"
CHART_NAMES = ("quartiers", "canaux", "jours", "structure", "abandons")


@dataclass
class Roles:
    """The question ids holding each role, over every questionnaire version of the campaign."""

    district: set = field(default_factory=set)
    age_band: set = field(default_factory=set)
    sex: set = field(default_factory=set)
    age_labels: dict = field(default_factory=dict)
    sex_labels: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)  # section id -> (position, label, questionnaire)
    #: the versions whose respondents the targets count: the residents' questionnaire when loaded
    version_ids: set = field(default_factory=set)


def roles(session: Session, campaign: Campaign, lang: str = "fr") -> Roles:
    """Role questions of the residents' questionnaire (every questionnaire when there is none),
    their options and the sections named in ``lang``."""
    found = Roles()
    versions = list(session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.campaign_id == campaign.id)
                                    .order_by(QuestionnaireVersion.is_current, QuestionnaireVersion.id)))
    counted = [v for v in versions if v.key == TARGET_KEY] or versions
    for version in versions:
        definition = questionnaire_service.definition_of(version)
        for position, section in enumerate(definition.sections):
            found.sections[(version.key, section.id)] = (position, section.label(lang), definition.label(lang))
        if version not in counted:
            continue
        found.version_ids.add(version.id)
        for role, ids, labels in (("district", found.district, None), ("age_band", found.age_band, found.age_labels),
                                  ("sex", found.sex, found.sex_labels)):
            question = definition.question_for_role(role)
            if question is not None:
                ids.add(question.id)
                if labels is not None:
                    labels.update({o.code: o.label(lang) for o in question.options})
    return found


def _analysed():
    return Response.status.in_(list(ANALYSED_STATUSES))


def status_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    counts = {s.value: 0 for s in ResponseStatus}
    for status, count in session.execute(select(Response.status, func.count()).where(
            Response.campaign_id == campaign.id).group_by(Response.status)):
        counts[status.value] = count
    return counts


def district_counts(session: Session, campaign: Campaign, district_ids: set, version_ids: set = frozenset()) -> list[dict]:
    """Complete responses (to the residents' questionnaire) per district against its target (one query)."""
    counts: dict[str, int] = {}
    if district_ids:
        counts = dict(session.execute(
            select(Answer.value_text, func.count())
            .join(Response, Answer.response_id == Response.id)
            .where(Response.campaign_id == campaign.id, _analysed(), Answer.question_id.in_(district_ids),
                   Response.questionnaire_version_id.in_(version_ids or {0}))
            .group_by(Answer.value_text)).all())
    rows = []
    for district in campaign.districts:
        count = counts.pop(district.code, 0)
        share = (count / district.target) if district.target else None
        rows.append({"code": district.code, "name": district.name, "qpv": district.qpv, "count": count,
                     "target": district.target, "share": share,
                     "missing": max((district.target or 0) - count, 0)})
    other = sum(counts.values())
    if other:
        rows.append({"code": "", "name": "Autre ou « je ne sais pas »", "qpv": False, "count": other, "target": None,
                     "share": None, "missing": 0})
    return rows


def channel_counts(session: Session, campaign: Campaign) -> list[dict]:
    counts = dict(session.execute(select(Response.channel, func.count()).where(
        Response.campaign_id == campaign.id, _analysed()).group_by(Response.channel)).all())
    return [{"channel": c.value, "name": channel_name(c), "count": counts.get(c, 0)} for c in Channel]


def daily_counts(session: Session, campaign: Campaign) -> list[dict]:
    day = func.coalesce(Response.submitted_on, Response.created_on)
    rows = session.execute(select(day, func.count()).where(Response.campaign_id == campaign.id, _analysed())
                           .group_by(day).order_by(day)).all()
    return [{"day": d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)), "count": n} for d, n in rows]


def structure_counts(session: Session, campaign: Campaign, found: Roles) -> dict:
    """Complete responses by district, age band and sex (one query), with the census beside."""
    if not (found.district and (found.age_band or found.sex)):
        return {}
    d, a, s = aliased(Answer), aliased(Answer), aliased(Answer)
    query = (select(d.value_text, a.value_text, s.value_text, func.count())
             .select_from(Response)
             .join(d, and_(d.response_id == Response.id, d.question_id.in_(found.district)))
             .outerjoin(a, and_(a.response_id == Response.id, a.question_id.in_(found.age_band or {""})))
             .outerjoin(s, and_(s.response_id == Response.id, s.question_id.in_(found.sex or {""})))
             .where(Response.campaign_id == campaign.id, _analysed(),
                    Response.questionnaire_version_id.in_(found.version_ids or {0}))
             .group_by(d.value_text, a.value_text, s.value_text))
    cells: dict[str, dict] = {}
    for district, age, sex, count in session.execute(query):
        cell = cells.setdefault(district, {"age": {}, "sex": {}, "joint": {}, "total": 0})
        cell["total"] += count
        joint = f"{age or UNKNOWN}|{sex or UNKNOWN}"
        cell["joint"][joint] = cell["joint"].get(joint, 0) + count
        cell["age"][age or UNKNOWN] = cell["age"].get(age or UNKNOWN, 0) + count
        cell["sex"][sex or UNKNOWN] = cell["sex"].get(sex or UNKNOWN, 0) + count
    return cells


def census(session: Session, campaign: Campaign) -> dict:
    """Census counts by age band and by sex: for each district when joint cells are loaded, else the town's."""
    rows = session.execute(select(Margin.variable, Margin.category, Margin.count)
                           .where(Margin.campaign_id == campaign.id)).all()
    town = {"age": {}, "sex": {}}
    by_district: dict[str, dict] = {}
    for variable, category, count in rows:
        if variable == "age_band":
            town["age"][category] = count
        elif variable == "sex":
            town["sex"][category] = count
        elif variable in ("district*age_band", "district*sex"):
            district, _, value = category.partition("|")
            key = "age" if variable.endswith("age_band") else "sex"
            by_district.setdefault(district, {"age": {}, "sex": {}})[key][value] = count
        elif variable == "district*age_band*sex":
            parts = category.split("|")
            if len(parts) == 3:
                entry = by_district.setdefault(parts[0], {"age": {}, "sex": {}})
                entry.setdefault("joint", {})[f"{parts[1]}|{parts[2]}"] = count
                entry["age"][parts[1]] = entry["age"].get(parts[1], 0) + count
                entry["sex"][parts[2]] = entry["sex"].get(parts[2], 0) + count
    return {"town": town, "districts": by_district}


def structure_rows(found: Roles, cells: dict, census_counts: dict, district: str) -> list[dict]:
    """Shares by age band and sex of one district's respondents beside the census's."""
    sample = cells.get(district, {"age": {}, "sex": {}, "total": 0})
    reference = census_counts["districts"].get(district) or census_counts["town"]
    rows = []
    for key, labels, prefix in (("age", found.age_labels, _("Âge")), ("sex", found.sex_labels, _("Sexe"))):
        known = reference[key]
        codes = list(known) if known else [c for c in labels if c in sample[key]]
        sample_total = sum(sample[key].get(c, 0) for c in codes)
        census_total = sum(known.values())
        for code in codes:
            count = sample[key].get(code, 0)
            rows.append({"label": _("%(variable)s : %(group)s", variable=prefix, group=_shown(labels, code)), "count": count,
                         "sample": count / sample_total if sample_total else None,
                         "census": (known.get(code, 0) / census_total) if census_total else None})
    return rows


def joint_rows(found: Roles, cells: dict, census_counts: dict, district: str) -> dict:
    """One district's respondents by age band (rows) and sex (columns), and, when the census
    gives the district's age-by-sex cells, how many each cell would have in proportion."""
    sample = cells.get(district, {"joint": {}, "total": 0})
    reference = (census_counts["districts"].get(district) or {}).get("joint") or {}
    ages = list(found.age_labels) or sorted({k.split("|")[0] for k in sample["joint"]})
    sexes = list(found.sex_labels) or sorted({k.split("|")[1] for k in sample["joint"]})
    if reference:
        ages = [a for a in ages if any(k.startswith(a + "|") for k in reference)]
        sexes = [x for x in sexes if any(k.endswith("|" + x) for k in reference)]
    census_total = sum(reference.values())
    respondents = sum(sample["joint"].get(f"{a}|{x}", 0) for a in ages for x in sexes)
    rows = []
    for age in ages:
        row = {"label": _shown(found.age_labels, age), "cells": []}
        for sex in sexes:
            count = sample["joint"].get(f"{age}|{sex}", 0)
            expected = (reference.get(f"{age}|{sex}", 0) / census_total * respondents) if census_total else None
            row["cells"].append({"count": count, "expected": expected,
                                 "short": expected is not None and count < 0.8 * expected})
        rows.append(row)
    return {"sexes": [_shown(found.sex_labels, x) for x in sexes], "rows": rows, "census": bool(census_total)}


def _shown(labels: dict, code: str) -> str:
    return unknown_label() if code == UNKNOWN else labels.get(code, code)


def dropoff(session: Session, campaign: Campaign, found: Roles) -> list[dict]:
    """Drafts by the page where the resident stopped, in questionnaire order (one query)."""
    rows = session.execute(
        select(QuestionnaireVersion.key, Response.current_section, func.count())
        .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
        .where(Response.campaign_id == campaign.id, Response.status == ResponseStatus.DRAFT)
        .group_by(QuestionnaireVersion.key, Response.current_section)).all()
    out = []
    for key, section, count in rows:
        position, label, questionnaire = found.sections.get((key, section), (999, section or _("(page d'accueil)"), key))
        out.append({"questionnaire": questionnaire, "section": label, "position": position, "count": count})
    out.sort(key=lambda r: (r["questionnaire"], r["position"]))
    return out


@dataclass
class Dashboard:
    counts: dict
    districts: list
    channels: list
    days: list
    structure: dict
    census: dict
    roles: Roles
    dropoff: list

    @property
    def complete(self) -> int:
        return self.counts["complete"] + self.counts["validated"]

    @property
    def started(self) -> int:
        return self.complete + self.counts["draft"]


def build(session: Session, campaign: Campaign, lang: str = "fr") -> Dashboard:
    """Every figure of the dashboard (seven aggregate queries), named in ``lang``."""
    found = roles(session, campaign, lang)
    return Dashboard(
        counts=status_counts(session, campaign),
        districts=district_counts(session, campaign, found.district, found.version_ids),
        channels=channel_counts(session, campaign),
        days=daily_counts(session, campaign),
        structure=structure_counts(session, campaign, found),
        census=census(session, campaign),
        roles=found,
        dropoff=dropoff(session, campaign, found),
    )


def summary(session: Session, campaign: Campaign) -> dict:
    """The dashboard's figures as plain values (kept when the raw responses are deleted)."""
    board = build(session, campaign)
    return {
        "counts": board.counts,
        "districts": [{k: r[k] for k in ("code", "name", "count", "target")} for r in board.districts],
        "channels": [{k: r[k] for k in ("channel", "name", "count")} for r in board.channels],
        "days": [{"day": r["day"].isoformat(), "count": r["count"]} for r in board.days],
        "structure": board.structure,
    }


# --- charts (analysis.charts, imported when one is drawn) ---------------------------------


def chart(board: Dashboard, name: str, *, district: str | None = None):
    """The chart ``name`` of the dashboard, or ``None`` when it has nothing to show."""
    import pandas as pd

    from analysis import charts

    source = _("Source : réponses complètes ou validées de la campagne.")
    if name == "quartiers":
        rows = [r for r in board.districts if r["code"]]
        if not rows:
            return None
        frame = pd.DataFrame({"quartier": [r["name"] for r in rows], "reponses": [r["count"] for r in rows],
                              "objectif": [r["target"] if r["target"] else float("nan") for r in rows]})
        return charts.grouped_bar_chart(frame, "quartier", ["reponses", "objectif"],
                                        _("Réponses complètes par quartier et objectif"), source,
                                        series_labels=[_("Réponses"), _("Objectif")], percent=False,
                                        axis_label=_("Nombre de réponses"), chart_id="collecte-quartiers")
    if name == "canaux":
        frame = pd.DataFrame({"canal": [r["name"] for r in board.channels], "reponses": [r["count"] for r in board.channels]})
        return charts.grouped_bar_chart(frame, "canal", ["reponses"], _("Réponses complètes par canal"), source,
                                        series_labels=[_("Réponses")], percent=False, axis_label=_("Nombre de réponses"),
                                        chart_id="collecte-canaux")
    if name == "jours":
        if not board.days:
            return None
        return charts.daily_counts_chart([r["day"] for r in board.days], _("Réponses complètes par jour"), source,
                                         counts=[r["count"] for r in board.days], chart_id="collecte-jours")
    if name == "structure":
        rows = structure_rows(board.roles, board.structure, board.census, district or "")
        if not rows or not any(r["census"] is not None for r in rows):
            return None
        frame = pd.DataFrame({"groupe": [r["label"] for r in rows],
                              "echantillon": [r["sample"] if r["sample"] is not None else float("nan") for r in rows],
                              "recensement": [r["census"] if r["census"] is not None else float("nan") for r in rows]})
        return charts.grouped_bar_chart(frame, "groupe", ["echantillon", "recensement"],
                                        _("Âge et sexe des répondants et de la population"),
                                        _("Sources : réponses complètes ; marges du recensement chargées."),
                                        series_labels=[_("Répondants"), _("Recensement")], percent=True,
                                        chart_id="collecte-structure")
    if name == "abandons":
        if not board.dropoff:
            return None
        frame = pd.DataFrame({"page": [f"{r['section']}" for r in board.dropoff],
                              "brouillons": [r["count"] for r in board.dropoff]})
        return charts.grouped_bar_chart(frame, "page", ["brouillons"], _("Brouillons par page où le répondant s'est arrêté"),
                                        _("Source : brouillons non envoyés de la campagne."), series_labels=[_("Brouillons")],
                                        percent=False, axis_label=_("Nombre de brouillons"), chart_id="collecte-abandons")
    return None


def for_chart(session: Session, campaign: Campaign, name: str, lang: str = "fr") -> Dashboard:
    """Only the figures chart ``name`` draws (its one query), named in ``lang``."""
    found = roles(session, campaign, lang)
    board = Dashboard(counts={}, districts=[], channels=[], days=[], structure={}, census={"town": {}, "districts": {}},
                      roles=found, dropoff=[])
    if name == "quartiers":
        board.districts = district_counts(session, campaign, found.district, found.version_ids)
    elif name == "canaux":
        board.channels = channel_counts(session, campaign)
    elif name == "jours":
        board.days = daily_counts(session, campaign)
    elif name == "structure":
        board.structure, board.census = structure_counts(session, campaign, found), census(session, campaign)
    elif name == "abandons":
        board.dropoff = dropoff(session, campaign, found)
    return board
