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


def priorities_part(session, campaign, sample=None, indicators=None, voices=None, professionals=None, *,
                    grid=None) -> dict:
    """The campaign's candidate priorities, as the priorities workspace shows them.

    The list, its ranks, scores and evidence are :func:`survey_app.priorities.services.workspace`'s
    (the evidence the job "priorities" stored, else gathered once per state of the data,
    with the coordinator's merges, renames, assessments and grid applied): the report and
    the workspace page show the same list. ``grid`` ranks the same candidates on another
    grid (a preview); the other arguments are kept for the callers of the old signature.
    """
    from analysis.priorities import format_number_fr, rank_candidates

    from ..priorities import services as priorities
    from ..priorities import stored

    work = priorities.workspace(session, campaign)
    ranking = work.ranking
    if grid is not None:
        ranking = rank_candidates([item.candidate for item in ranking.all], grid)
    found = work.evidence
    limits = []
    state = stored.stored_evidence(session, campaign)
    stale = state is not None and bool(state.stale)
    if stale:
        limits.append("La liste des priorités candidates a été construite avant les derniers changements des "
                      "données (" + " ; ".join(r.rstrip(".") for r in state.stale) + ") : reconstruisez-la "
                      "depuis l'espace des priorités pour qu'elle en tienne compte.")
    ranking_rows = []
    for item in found.ranking:
        first, best = _figure_share(item.first), _figure_share(item.top)
        ranking_rows.append((best.estimate if best.shown else -1,
                             [item.label, first.pct, first.ci, best.pct, best.ci]))
    top = found.ranking[0].top_k if found.ranking else 3
    ranking_table = Table("classement-habitants", "Les priorités classées par les habitants",
                          ["Priorité proposée", "Classée 1re", "IC à 95 %",
                           f"Parmi les {top} premières", "IC à 95 %"],
                          [row for _, row in sorted(ranking_rows, key=lambda r: -r[0])],
                          note="Parts des répondants qui ont classé au moins une priorité. "
                               "« < 11 » : moins de 11 répondants, chiffre non publié.") if ranking_rows else None
    kept = [item.key for item in ranking.all if work.status(item.key) == "kept"]
    items = []
    for entry in ranking.all:
        candidate, score = entry.candidate, entry.score
        decision = work.decisions.get(candidate.key)
        lead = candidate.lead
        figure = _figure_share(lead[1]) if lead else Share(False)
        items.append({
            "key": candidate.key, "rank": entry.rank, "label": candidate.label,
            "note": (decision.note or "") if decision is not None else "", "axis": candidate.axis,
            "axis_label": work.axis_label(candidate.axis), "status": score.status, "status_fr": score.status_fr,
            "parts": {k: format_number_fr(v) for k, v in score.parts().items()},
            "total": format_number_fr(score.total) if not score.thin else "–",
            "computation": score.computation_fr() if not score.thin else candidate.thin_reason,
            "sources": dict(score.sources), "lead": lead[0] if lead else "", "figure": figure,
            "districts": [found.group_label(g.variable, g.group) for g in candidate.worse_districts
                          if g.variable == "district"],
            "qpv_worse": any(g.variable == "qpv" and g.group == "QPV" for g in candidate.worse_districts),
            "themes": [t.label for t in candidate.themes if _figure_share(t.share).shown][:3],
            "professional": [(p.label, _figure_share(p.share)) for p in candidate.professional][:3],
            "quotes": list(candidate.verbatims),
            "kept": candidate.key in kept,
            "decision": work.status(candidate.key),
        })
    table = Table("grille-priorites", "Les priorités candidates et leur score",
                  ["Rang", "Priorité candidate", "Axe", "A", "B", "C", "I", "D", "Score", "Statut"],
                  [[str(i["rank"] or "–"), i["label"], i["axis_label"], *i["parts"].values(), i["total"],
                    i["status_fr"]] for i in items],
                  note="A taille, B gravité, C efficacité, I inégalités, D demande exprimée.")
    grid = ranking.grid
    return {"items": items, "table": table, "formula": grid.formula_fr(),
            "formula_text": grid.formula_text_fr().split("\n"), "legend": grid.legend_fr(),
            "ranking": ranking_table, "kept": kept,
            "kept_items": [i for i in items if i["kept"]] if kept else [], "limits": limits,
            # the evidence's district and QPV gaps by indicator, when they rest on today's data
            "gaps": None if stale else {item.name: item.gaps for item in found.indicators},
            "weighted": found.weighted}


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
