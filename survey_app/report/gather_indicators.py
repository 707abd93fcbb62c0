"""Indicators by district, disparities, tris à plat and the comparison with an earlier wave."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .values import MIN_CELL, Share, Table, count, number_fr, share_from_row

GROUP_TITLES = {"district": "Quartier", "qpv": "QPV", "age_band": "Âge", "sex": "Sexe"}
WAVE_METHOD = (
    "Évolution entre deux vagues : différence de deux estimations pondérées indépendantes "
    "(échantillons distincts), p₂ − p₁, d'erreur type √(se₁² + se₂²) ; intervalle à 95 % "
    "p₂ − p₁ ± 1,96 × erreur type et test de Wald bilatéral (loi normale), significatif "
    "au seuil de 5 %. Un indicateur non publié (moins de 11 répondants) dans l'une des "
    "vagues n'est pas comparé.")


@dataclass
class IndicatorsPart:
    items: list[dict]
    tables: object  # DataFrame from analysis.crosstab.indicator_tables (with suppression)
    comparisons: object
    evidence: tuple
    limits: list[str] = field(default_factory=list)
    small_districts: list[str] = field(default_factory=list)


def _labels(definition, campaign) -> dict[str, dict]:
    out = {"qpv": {"QPV": "QPV", "hors QPV": "Hors QPV"},
           "district": {"nsp": "Quartier non précisé", **{d.code: d.name for d in campaign.districts}}}
    for role in ("age_band", "sex"):
        question = definition.question_for_role(role)
        if question is not None:
            out[role] = {o.code: o.label("fr") for o in question.options}
    return out


def indicators_part(sample, campaign, *, gaps: dict | None = None) -> IndicatorsPart:
    """Every indicator for the town and by district, QPV, age and sex, with the gaps.

    ``gaps`` (indicator name -> its :class:`~analysis.priorities.DistrictGap` tuple) are
    the district and QPV comparisons of the candidate priorities' evidence, when it rests
    on the same data: the report then shows the disparities the priorities page shows,
    without comparing every indicator again. Without it they are computed here.
    """
    from analysis.crosstab import TOWN
    from analysis.priorities import compare_indicators, indicator_evidence

    from ..findings.indicators import campaign_indicator_tables, indicator_columns
    from .charts import bar_chart

    weighted = sample.as_weighted_sample()
    tables, _ = campaign_indicator_tables(None, campaign, sample=weighted)
    domains = [d for d in ("district", "qpv") if d in sample.table.columns]
    comparisons = None
    if gaps is None and domains:
        specs = indicator_columns(sample.table, sample.definition)
        comparisons = compare_indicators(sample.table, sample.design, specs, domains=domains)
    indicators = {i.name: i for i in sample.definition.indicators()}
    axes = {name: i.axis for name, i in indicators.items()}
    evidence = indicator_evidence(tables, comparisons, axes=axes)
    if gaps is not None:
        import dataclasses

        evidence = tuple(dataclasses.replace(item, gaps=tuple(gaps.get(item.name, ()))) for item in evidence)
    labels = _labels(sample.definition, campaign)
    limits: list[str] = []
    small = []
    if "district" in sample.table.columns:
        sizes = sample.table["district"].astype(str).value_counts()
        for district in campaign.districts:
            if sizes.get(district.code, 0) < MIN_CELL:
                small.append(district.name)
        if small:
            limits.append(
                "Moins de 11 répondants dans " + ("le quartier " if len(small) == 1 else "les quartiers ")
                + ", ".join(small) + " : leurs résultats ne sont pas publiés (ni chiffres, ni graphiques) ; "
                "ils comptent dans l'ensemble de la ville.")
    items = []
    source = "Enquête habitants, " + ("résultats pondérés" if sample.weighted else "résultats non pondérés")
    for position, item in enumerate(evidence):
        rows = tables[tables["indicator"] == item.name]
        town_row = rows[rows["variable"] == TOWN]
        town = share_from_row(town_row.iloc[0]) if len(town_row) else Share(False)
        groups = {}
        for variable in GROUP_TITLES:
            part = rows[rows["variable"] == variable]
            names = labels.get(variable, {})
            groups[variable] = [(names.get(str(g), str(g)), share_from_row(r))
                                for g, (_, r) in zip(part["group"], part.iterrows())]
        if "district" in groups:
            # every district of the campaign appears, even one nobody from answered
            present = {name for name, _ in groups["district"]}
            groups["district"] += [(d.name, Share(False)) for d in campaign.districts if d.name not in present]
        district_shares = dict(groups.get("district", []))
        gaps, directions = [], {}
        for gap in item.gaps:
            name = labels.get(gap.variable, {}).get(gap.group, gap.group)
            here = district_shares.get(name) if gap.variable == "district" else dict(groups.get("qpv", [])).get(name)
            if gap.variable == "district" and here is not None and here.shown:
                directions[name] = gap.direction
            if gap.direction not in ("worse", "better") or here is None or not here.shown:
                continue
            gaps.append({
                "group": name, "direction": gap.direction,
                "text": (f"{name} : {here.pct} contre {number_fr(100 * gap.estimate_rest)} % dans le reste "
                         f"de la ville (écart de {number_fr(100 * gap.difference)} points, IC à 95 % "
                         f"[{number_fr(100 * gap.ci_low)} ; {number_fr(100 * gap.ci_high)}], "
                         f"p ajustée {_p_text(gap.p_adjusted)})"),
                "difference": float(gap.difference),
            })
        chart = None
        if groups.get("district"):
            chart = bar_chart(f"ind-{position + 1}", f"{item.label} selon le quartier", groups["district"],
                              reference=town, source=source, directions=directions)
        labels_by_language = dict(indicators[item.name].labels) if item.name in indicators else {}
        items.append({"name": item.name, "label": item.label, "labels": labels_by_language,
                      "axis": item.axis, "town": town,
                      "groups": groups, "gaps": gaps, "chart": chart,
                      "question": indicators[item.name].question_id if item.name in indicators else ""})
    return IndicatorsPart(items, tables, comparisons, evidence, limits, small)


def _p_text(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    return "< 0,001" if p < 0.001 else "= " + number_fr(p, 3)


def weighted_distribution(values, weights, codes):
    """``(code, respondents, weighted share)`` of each code among the answers given."""
    labels = values.astype(object).where(values.notna(), None)
    text = labels.map(lambda v: None if v is None else str(v))
    answered = text.notna().to_numpy()
    w = np.asarray(weights, dtype=float)
    total = w[answered].sum()
    out = []
    for code in codes:
        hit = (text == str(code)).to_numpy()
        n = int(hit.sum())
        out.append((str(code), n, float(w[hit].sum() / total) if total > 0 else None))
    return out


def flat_tables(sample, campaign) -> list[Table]:
    """Tris à plat of every closed question of the residents' questionnaire."""
    definition, table, weights = sample.definition, sample.table, sample.design.weights
    header = "Part pondérée" if sample.weighted else "Part"
    out = []
    for question in definition.questions.values():
        kind = question.type
        rows = []
        if kind in ("single", "yesno", "district", "scale"):
            if question.id not in table.columns:
                continue
            options = question.options_for([{"code": d.code, "name": d.name} for d in campaign.districts])
            if kind == "scale":
                codes = [str(int(v)) for v in sorted(table[question.id].dropna().unique())]
                labels = {c: c for c in codes}
                values = table[question.id].map(lambda v: None if v is None or v != v else str(int(v)))
            else:
                codes = [o.code for o in options]
                labels = {o.code: o.label("fr") for o in options}
                values = table[question.id]
            for code, n, w in weighted_distribution(values, weights, codes):
                rows.append(_flat_row(labels.get(code, code), n, w))
        elif kind == "multiple":
            columns = [f"{question.id}__{o.code}" for o in question.options]
            present = [c for c in columns if c in table.columns]
            if not present:
                continue
            answered = table[present].notna().any(axis=1).to_numpy()
            w = np.asarray(weights, dtype=float)
            total = w[answered].sum()
            for option, column in zip(question.options, columns):
                if column not in table.columns:
                    continue
                hit = (table[column].fillna(0).to_numpy() > 0) & answered
                rows.append(_flat_row(option.label("fr"), int(hit.sum()),
                                      float(w[hit].sum() / total) if total > 0 else None))
        elif kind == "matrix":
            for row in question.rows:
                column = f"{question.id}__{row.id}"
                if column not in table.columns:
                    continue
                for code, n, w in weighted_distribution(table[column], weights, question.codes):
                    option = question.option(code)
                    rows.append(_flat_row(f"{row.label('fr')} — {option.label('fr') if option else code}", n, w))
        else:
            continue
        note = "Plusieurs réponses possibles : le total dépasse 100 %." if kind == "multiple" else ""
        out.append(Table(f"tri-{question.id}", question.label("fr"), ["Réponse", "Répondants", header], rows,
                         note=(note + " « < 11 » : moins de 11 répondants, chiffre non publié.").strip()))
    return out


def _flat_row(label: str, n: int, weighted) -> list[str]:
    c = count(n)
    return [label, c.text, f"{number_fr(100 * weighted)} %" if c.shown and weighted is not None else "–"]


# --------------------------------------------------------------------------- waves


def previous_wave(session, campaign):
    """The town's latest earlier campaign (same organisation), or None."""
    from sqlalchemy import select

    from ..models import Campaign

    if not campaign.organisation:
        return None
    others = session.scalars(select(Campaign).where(Campaign.organisation == campaign.organisation,
                                                    Campaign.id != campaign.id)).all()
    def start(c):
        return (c.opens_on or c.created_at.date(), c.created_at)
    earlier = [c for c in others if start(c) < start(campaign)]
    return max(earlier, key=start) if earlier else None


def wave_part(session, campaign, indicators: IndicatorsPart) -> dict | None:
    """Each indicator's change since the earlier wave, with its interval and significance."""
    from analysis.crosstab import TOWN
    from scipy import stats

    from ..domain import ServiceError
    from .gather import residents_sample

    earlier = previous_wave(session, campaign)
    if earlier is None:
        return None
    try:
        before = residents_sample(session, earlier)
        before_part = _town_tables(before, earlier)
    except ServiceError as error:
        return {"campaign": earlier.name, "rows": [], "message": str(error), "method": WAVE_METHOD}
    now = indicators.tables
    now = now[now["variable"] == TOWN]
    rows = []
    for _, r in now.iterrows():
        name = r["indicator"]
        if name not in before_part:
            continue
        b = before_part[name]
        a = share_from_row(r)
        p1 = share_from_row(b)
        if not a.shown or not p1.shown:
            rows.append([str(r.get("label", name)), p1.pct, a.pct, "non comparé (moins de 11 répondants)", "", ""])
            continue
        diff = a.estimate - p1.estimate
        se = math.sqrt(float(r["se"]) ** 2 + float(b["se"]) ** 2)
        z = stats.norm.ppf(0.975)
        p_value = 2 * stats.norm.sf(abs(diff / se)) if se > 0 else float("nan")
        rows.append([str(r.get("label", name)), p1.pct, a.pct,
                     f"{'+' if diff >= 0 else ''}{number_fr(100 * diff)} points",
                     f"[{number_fr(100 * (diff - z * se))} ; {number_fr(100 * (diff + z * se))}]",
                     ("oui" if p_value < 0.05 else "non") + f" (p {_p_text(p_value)})"])
    table = Table("evolution", f"Évolution depuis « {earlier.name} »",
                  ["Indicateur", "Vague précédente", "Cette vague", "Évolution", "IC à 95 %", "Significative"],
                  rows, note=WAVE_METHOD)
    return {"campaign": earlier.name, "table": table, "rows": rows, "message": "", "method": WAVE_METHOD}


def _town_tables(sample, campaign) -> dict:
    from analysis.crosstab import indicator_tables

    from ..findings.indicators import indicator_columns

    specs = indicator_columns(sample.table, sample.definition)
    tables = indicator_tables(sample.table, sample.design, specs)
    return {r["indicator"]: r for _, r in tables.iterrows()}


__all__ = ["IndicatorsPart", "indicators_part", "flat_tables", "wave_part", "weighted_distribution",
           "WAVE_METHOD"]
