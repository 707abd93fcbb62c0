"""Candidate priorities, the chapters by CLS axis and the key findings of the Synthèse."""
from __future__ import annotations

from .values import Share, Table, number_fr, share

#: Key findings of the Synthèse (one slide each).
MAX_FINDINGS = 7
#: Candidates shown in the Synthèse and on the public page.
TOP_CANDIDATES = 5


def _figure_share(figure) -> Share:
    return share(figure.estimate, figure.ci_low, figure.ci_high, figure.n, figure.n_cell,
                 suppressed=figure.suppressed, fragile=figure.fragile)


def decisions(session, campaign) -> tuple[dict, object]:
    """The coordinator's decisions on the candidates (key -> row) and the campaign's grid row."""
    from sqlalchemy import select

    from ..models import PriorityDecision, PriorityGrid

    rows = session.scalars(select(PriorityDecision).where(PriorityDecision.campaign_id == campaign.id)).all()
    return {row.candidate_key: row for row in rows}, session.get(PriorityGrid, campaign.id)


def _assessments(decided: dict) -> dict:
    from analysis.priorities import Assessment, Pearl

    out = {}
    for key, row in decided.items():
        pearl = {k: v for k, v in (row.pearl or {}).items() if k in Pearl.__dataclass_fields__}
        out[key] = Assessment(seriousness=row.seriousness, effectiveness=row.effectiveness,
                              pearl=Pearl(**pearl), note=row.note or "")
    return out


def priorities_part(session, campaign, sample, indicators, voices, professionals, *, grid=None) -> dict:
    """Candidates from every source, scored on the grid, with their evidence."""
    from analysis.priorities import (
        ScoringGrid, build_candidates, format_number_fr, rank_candidates, ranking_evidence, ranking_shares,
    )

    ranking_rows, ranking = [], ()
    question = next((q for q in sample.definition.questions.values() if q.type == "ranking"), None)
    if question is not None and f"{question.id}__rang1" in sample.table.columns:
        top = question.rank_count or 3
        shares = ranking_shares(sample.table, sample.design, question.id, question.codes, top=top)
        labels = {o.code: o.label("fr") for o in question.options}
        ranking = ranking_evidence(shares, labels=labels, top=top)
        for item in ranking:
            first, best = _figure_share(item.first), _figure_share(item.top)
            ranking_rows.append((best.estimate if best.shown else -1,
                                 [item.label, first.pct, first.ci, best.pct, best.ci]))
    ranking_table = Table("classement-habitants", "Les priorités classées par les habitants",
                          ["Priorité proposée", "Classée 1re", "IC à 95 %", "Parmi les 3 premières", "IC à 95 %"],
                          [row for _, row in sorted(ranking_rows, key=lambda r: -r[0])],
                          note="Parts des répondants qui ont classé au moins une priorité. "
                               "« < 11 » : moins de 11 répondants, chiffre non publié.") if ranking_rows else None
    decided, grid_row = decisions(session, campaign)
    if grid is None and grid_row is not None:
        grid = ScoringGrid(variant=grid_row.variant, inequity_weight=grid_row.inequity_weight,
                           demand_weight=grid_row.demand_weight)
    grid = grid or ScoringGrid()
    candidates = build_candidates(indicators.evidence, voices.evidence, ranking, professionals.evidence,
                                  assessments=_assessments(decided))
    ranked = rank_candidates(candidates, grid)
    names = {d.code: d.name for d in campaign.districts}
    kept = [k for k, row in decided.items() if row.status == "kept" and not row.merged_into]
    items = []
    for entry in ranked.all:
        candidate, score = entry.candidate, entry.score
        decision = decided.get(candidate.key)
        if decision is not None and decision.merged_into:
            continue
        lead = candidate.lead
        figure = _figure_share(lead[1]) if lead else Share(False)
        items.append({
            "key": candidate.key, "rank": entry.rank,
            "label": (decision.label if decision is not None and decision.label else candidate.label),
            "note": decision.note if decision is not None else "", "axis": candidate.axis,
            "axis_label": candidate.axis_label, "status": score.status, "status_fr": score.status_fr,
            "parts": {k: format_number_fr(v) for k, v in score.parts().items()},
            "total": format_number_fr(score.total) if not score.thin else "–",
            "computation": score.computation_fr() if not score.thin else candidate.thin_reason,
            "sources": dict(score.sources), "lead": lead[0] if lead else "", "figure": figure,
            "districts": [names.get(g.group, g.group) for g in candidate.worse_districts if g.variable == "district"],
            "qpv_worse": any(g.variable == "qpv" and g.group == "QPV" for g in candidate.worse_districts),
            "themes": [t.label for t in candidate.themes if _figure_share(t.share).shown][:3],
            "professional": [(p.label, _figure_share(p.share)) for p in candidate.professional][:3],
            "quotes": list(candidate.verbatims),
            "kept": candidate.key in kept,
        })
    table = Table("grille-priorites", "Les priorités candidates et leur score",
                  ["Rang", "Priorité candidate", "Axe", "A", "B", "C", "I", "D", "Score", "Statut"],
                  [[str(i["rank"] or "–"), i["label"], i["axis_label"], *i["parts"].values(), i["total"],
                    i["status_fr"]] for i in items],
                  note="A taille, B gravité, C efficacité, I inégalités, D demande exprimée.")
    return {"items": items, "table": table, "formula": grid.formula_fr(),
            "formula_text": grid.formula_text_fr().split("\n"), "legend": grid.legend_fr(),
            "ranking": ranking_table, "kept": kept,
            "kept_items": [i for i in items if i["kept"]] if kept else []}


def axes_part(sample, indicators, voices, professionals, priorities) -> list[dict]:
    """One chapter per CLS axis: indicators by district, gaps, the three voices, candidates."""
    from analysis.axes import AXIS_LABELS

    definition_axes = list(sample.definition.axes) or list(AXIS_LABELS)
    used = {i["axis"] for i in indicators.items} | {t["axis"] for t in voices.themes}
    keys = [a for a in definition_axes if a in used] + sorted(a for a in used if a and a not in definition_axes)
    if None in used:
        keys.append(None)
    chapters = []
    for number, axis in enumerate(keys, start=1):
        label = sample.definition.axis_label(axis, "fr") if axis else "Autres constats"
        mine = [i for i in indicators.items if i["axis"] == axis]
        tables = []
        for item in mine:
            rows = []
            for variable, title in (("qpv", "QPV"), ("age_band", "Âge"), ("sex", "Sexe")):
                for group, figure in item["groups"].get(variable, []):
                    rows.append([f"{title} : {group}", figure.pct, figure.ci, figure.n_text])
            if rows:
                tables.append(Table(f"profils-{item['name']}", f"{item['label']} selon le profil",
                                    ["Groupe", "Part", "IC à 95 %", "Répondants"], rows,
                                    note="« < 11 » : moins de 11 répondants, chiffre non publié."))
        chapters.append({
            "number": number, "key": axis or "autres", "label": label, "indicators": mine,
            "gaps": [g for i in mine for g in i["gaps"]],
            "themes": [t for t in voices.themes if t["axis"] == axis],
            "professionals": [p for p in professionals.items if p["axis"] == axis] if professionals.shown else [],
            "professional_quotes": professionals.quotes.get(axis, []) if professionals.shown else [],
            "proposals": voices.proposals.get(axis, []),
            "professional_proposals": professionals.proposals.get(axis, []) if professionals.shown else [],
            "candidates": [c for c in priorities["items"] if c["axis"] == axis and c["status"] == "ranked"],
            "tables": tables,
        })
    return chapters


def key_findings(indicators, voices, professionals, priorities) -> list:
    """The Synthèse: the largest needs, the worst gaps, the main theme, the professionals, the candidates."""
    from .gather import Finding

    findings = []
    shown = [i for i in indicators.items if i["town"].shown]
    for item in sorted(shown, key=lambda i: -i["town"].estimate)[:3]:
        findings.append(Finding(
            f"{item['town'].pct} des répondants (IC à 95 % {item['town'].ci}) : {item['label'].rstrip('.')}.",
            chart=item["chart"]))
    gaps = sorted(((g, i) for i in indicators.items for g in i["gaps"] if g["direction"] == "worse"),
                  key=lambda gi: -abs(gi[0]["difference"]))
    for gap, item in gaps[:2]:
        findings.append(Finding(f"Inégalité territoriale — {item['label']} : {gap['text']}.", chart=item["chart"]))
    themes = [t for t in voices.themes if t["share"].shown]
    if themes:
        table = Table("synthese-themes", "Les thèmes les plus évoqués dans les réponses libres",
                      ["Thème", "Part des répondants", "IC à 95 %"],
                      [[t["label"], t["share"].pct, t["share"].ci] for t in themes[:6]])
        findings.append(Finding(f"Thème le plus évoqué spontanément : {themes[0]['label']} "
                                f"({themes[0]['share'].pct} des répondants).", table=table))
    capacity = [p for p in professionals.items if p["share"].shown and p["kind"] == "capacity"]
    if capacity:
        best = max(capacity, key=lambda p: p["share"].estimate)
        findings.append(Finding(f"D'après les professionnels ({professionals.n} réponses) : {best['label']} — "
                                f"{best['share'].pct}.",
                                table=Table("synthese-pros", "Les professionnels de santé",
                                            ["Constat", "Part", "IC à 95 %"],
                                            [[p["label"], p["share"].pct, p["share"].ci] for p in professionals.items
                                             if p["share"].shown][:8])))
    ranked = [c for c in priorities["items"] if c["status"] == "ranked"][:TOP_CANDIDATES]
    if ranked:
        findings.append(Finding(
            f"Priorité candidate en tête de la grille : {ranked[0]['label']} (score {ranked[0]['total']}).",
            table=Table("synthese-priorites", "Les priorités candidates en tête",
                        ["Rang", "Priorité", "Axe", "Score"],
                        [[str(c["rank"]), c["label"], c["axis_label"], c["total"]] for c in ranked])))
    return findings[:MAX_FINDINGS]
