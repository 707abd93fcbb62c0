"""Everything the diagnostic report shows, read from the database into plain values.

:func:`gather_report` weights the residents' responses (or says why it cannot), computes
the indicators, disparities, themes, the professionals' view and the candidate
priorities with :mod:`analysis`, and returns a :class:`ReportData` whose figures are
already formatted and suppressed (see :mod:`.values`): the templates and the slides
only lay them out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..models import Campaign
from .values import Chart, Table, count, counts, date_fr, integer_fr, number_fr

Progress = Callable[[float, str], None]
RESIDENT, PROFESSIONAL = "resident", "professional"
CHANNEL_LABELS = {"web": "En ligne", "paper": "Questionnaire papier", "import": "Import (Kobo, ODK…)"}
ROLE_LABELS = {"district": "Quartier", "age_band": "Âge", "sex": "Sexe", "household": "Ménage",
               "occupation": "Activité", "housing": "Logement"}


@dataclass
class Finding:
    """A key finding of the Synthèse: one sentence, and the chart or table behind it."""

    text: str
    chart: Chart | None = None
    table: Table | None = None


@dataclass
class ReportData:
    """The report's content, as plain values ready for the templates and the slides."""

    campaign: dict
    weighted: bool
    weighting_note: str
    limits: list[str]
    findings: list[Finding]
    method: dict
    profile: list[Table]
    axes: list[dict]
    priorities: dict
    wave: dict | None
    annexes: dict
    charts: list[Chart] = field(default_factory=list)


def _noop(fraction: float, message: str) -> None:
    return None


def gather_report(session: Session, campaign: Campaign, *, progress: Progress | None = None,
                  grid=None) -> ReportData:
    """Compute every figure of the campaign's diagnostic report.

    Raises :class:`ServiceError` (message in French) when the campaign has no complete
    response: there is then nothing to report, and no empty document is made.
    """
    from . import gather_indicators, gather_priorities, gather_voices

    progress = progress or _noop
    progress(0.02, "Lecture des réponses")
    sample = residents_sample(session, campaign)
    limits: list[str] = []
    if not sample.weighted:
        limits.append(sample.note)
    progress(0.1, "Contexte et méthode")
    method = method_part(sample, campaign)
    profile = profile_part(sample, campaign)
    progress(0.15, "Priorités candidates")
    # the same list, scores and evidence as the priorities workspace (priorities.services);
    # when that evidence rests on today's data, its district and QPV gaps are the report's too
    priorities = gather_priorities.priorities_part(session, campaign, grid=grid)
    progress(0.3, "Indicateurs par quartier")
    same_data = priorities["gaps"] is not None and priorities["weighted"] == sample.weighted
    indicators = gather_indicators.indicators_part(sample, campaign, gaps=priorities["gaps"] if same_data else None)
    limits += indicators.limits
    progress(0.45, "Thèmes des réponses libres")
    voices = gather_voices.voices_part(session, campaign, sample)
    limits += voices.limits
    progress(0.6, "Professionnels de santé")
    professionals = gather_voices.professionals_part(session, campaign)
    limits += professionals.limits
    limits += priorities["limits"]
    progress(0.75, "Comparaison avec la vague précédente")
    wave = gather_indicators.wave_part(session, campaign, indicators)
    progress(0.8, "Annexes")
    axes = gather_priorities.axes_part(sample, indicators, voices, professionals, priorities)
    findings = gather_priorities.key_findings(indicators, voices, professionals, priorities)
    charts = [c for c in method["charts"]] + [c for a in axes for i in a["indicators"]
                                               for c in ([i["chart"]] if i["chart"] else [])]
    annexes = {
        "tables": [c.table for c in charts] + [t for a in axes for t in a["tables"]],
        "flat": gather_indicators.flat_tables(sample, campaign),
        "questionnaires": questionnaires_annex(session, campaign),
        "glossary": GLOSSARY,
        "wave_method": gather_indicators.WAVE_METHOD,
    }
    limits.append("Les réponses libres sont citées après masquage automatique des noms, courriels "
                  "et numéros de téléphone ; un prénom seul peut échapper au masquage : relisez "
                  "les citations avant toute diffusion.")
    about = campaign_part(campaign, sample)
    about["small_districts"] = list(indicators.small_districts)
    return ReportData(
        campaign=about, weighted=sample.weighted,
        weighting_note=sample.note, limits=limits, findings=findings, method=method,
        profile=profile, axes=axes, priorities=priorities, wave=wave, annexes=annexes,
        charts=charts)


# --------------------------------------------------------------------------- sample


@dataclass
class ResidentsSample:
    """The residents' responses with the design used for every estimate."""

    table: object  # DataFrame of the responses used in estimates
    everyone: object  # DataFrame of every complete response (channels, days)
    definition: object
    design: object
    weighted: bool
    note: str
    result: object = None
    excluded: int = 0
    margins: object = None
    settings: dict = field(default_factory=dict)

    def as_weighted_sample(self):
        from ..findings.weights import WeightedSample

        return WeightedSample(self.table, self.definition, self.result, self.table.iloc[0:0],
                              self.design, self.settings)


def residents_sample(session: Session, campaign: Campaign) -> ResidentsSample:
    """Weight the residents' responses to the margins; unweighted (and said so) otherwise."""
    from analysis.weighting import Design

    from ..campaigns import margins
    from ..findings import frame as exports
    from ..findings import weights

    empty = ServiceError(
        f"La campagne {campaign.slug} n'a encore aucune réponse complète d'habitant : "
        "le rapport de diagnostic ne peut pas être produit (aucun document vide n'est créé).")
    margin_table = margins.margins_frame(session, campaign)
    if not margin_table.empty:
        try:
            sample = _current_or_new_weighting(session, campaign, weights)
        except ServiceError as error:
            failure = error
        else:
            import pandas as pd

            # every complete response: the weighted ones and those left out of weighting
            everyone = pd.concat([sample.table, sample.excluded], ignore_index=True)
            variables = ", ".join(ROLE_LABELS.get(v, v).lower() for v in sample.settings.get("variables", []))
            note = (f"Résultats pondérés par calage sur les marges du recensement ({variables}) ; "
                    "intervalles de confiance à 95 % tenant compte du calage.")
            return ResidentsSample(sample.table, everyone, sample.definition, sample.design, True,
                                   note, sample.result, int(len(sample.excluded)), margin_table,
                                   dict(sample.settings))
    everyone, definition = exports.tidy_responses(session, campaign, RESIDENT)
    if everyone.empty:
        raise empty
    if margin_table.empty:
        note = ("Résultats non pondérés : la campagne n'a pas de marges de recensement. Chaque "
                "réponse compte pour une ; les parts décrivent les répondants, pas la population.")
    else:
        note = (f"Résultats non pondérés : la pondération a échoué ({failure}). Chaque réponse "
                "compte pour une ; les parts décrivent les répondants, pas la population.")
    table = everyone.copy()
    return ResidentsSample(table, everyone, definition, Design.from_frame(table), False, note)


def _current_or_new_weighting(session, campaign, weights):
    """Weight with the settings of the weighting the coordinator chose last (else the defaults)."""
    from sqlalchemy import select

    from ..models import WeightingRun

    run = session.scalar(select(WeightingRun).where(WeightingRun.campaign_id == campaign.id,
                                                    WeightingRun.is_current.is_(True))
                         .order_by(WeightingRun.id.desc()).limit(1))
    settings = dict((run.diagnostics or {}).get("settings") or {}) if run is not None else {}
    options = {name: settings[name] for name in ("method", "cells", "min_respondents", "trim_upper")
               if settings.get(name) is not None}
    try:
        return weights.weight_sample(session, campaign, RESIDENT, **options)
    except TypeError:  # an older weighting service without these options
        return weights.weight_sample(session, campaign, RESIDENT)


# --------------------------------------------------------------------------- parts


def campaign_part(campaign: Campaign, sample: ResidentsSample) -> dict:
    submitted = sample.everyone["submitted_on"].dropna()
    data_date = max(submitted) if len(submitted) else None
    if isinstance(data_date, dt.datetime):
        data_date = data_date.date()
    return {
        "slug": campaign.slug, "name": campaign.name,
        "town": campaign.organisation or campaign.name,
        "opens_on": date_fr(campaign.opens_on), "closes_on": date_fr(campaign.closes_on),
        "data_date": date_fr(data_date), "generated_on": date_fr(dt.date.today()),
        "generated_iso": dt.date.today().isoformat(),
        "languages": list(campaign.languages or ["fr"]),
        "districts": [{"code": d.code, "name": d.name, "qpv": d.qpv} for d in campaign.districts],
        "responses": count(len(sample.everyone)).text,
        "analysed": integer_fr(len(sample.table)),
    }


def _week_label(day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"sem. du {monday.day:02d}/{monday.month:02d}"


def method_part(sample: ResidentsSample, campaign: Campaign | None = None) -> dict:
    """Channels, responses over time, weighting variables and margins, design effect."""
    from analysis.weighting import weight_diagnostics

    from .charts import counts_chart

    everyone = sample.everyone
    total = len(everyone)
    channels = everyone["channel"].value_counts()
    present = [(label, int(channels.get(code, 0))) for code, label in CHANNEL_LABELS.items() if channels.get(code, 0)]
    channel_rows = []
    for (label, n), c in zip(present, counts([n for _label, n in present])):
        channel_rows.append([label, c.text, f"{number_fr(100 * n / total)} %" if c.shown else "–"])
    channel_table = Table("canaux", "Réponses complètes par canal de collecte",
                          ["Canal", "Réponses", "Part"], channel_rows,
                          note="« < 11 » : moins de 11 réponses, chiffre non publié ;"
                               " « n.p. » : non publié pour qu'un chiffre masqué ne puisse pas être retrouvé par"
                               " différence avec le total.")
    days = [d.date() if isinstance(d, dt.datetime) else d for d in everyone["submitted_on"].dropna()]
    if not days:
        days = [d.date() if isinstance(d, dt.datetime) else d for d in everyone["created_on"].dropna()]
    span = (max(days) - min(days)).days if days else 0
    daily = span <= 62
    periods: dict[dt.date, int] = {}
    for day in days:
        start = day if daily else day - dt.timedelta(days=day.weekday())
        periods[start] = periods.get(start, 0) + 1
    if daily and days:  # every day of the collection, those without a response too
        for offset in range(span + 1):
            periods.setdefault(min(days) + dt.timedelta(days=offset), 0)
    starts = sorted(periods)
    labels = [f"{d.day:02d}/{d.month:02d}" if daily else _week_label(d) for d in starts]
    chart = counts_chart("reponses-par-jour" if daily else "reponses-par-semaine",
                         "Réponses complètes par jour de collecte" if daily else
                         "Réponses complètes par semaine de collecte",
                         labels, [count(periods[d]) for d in starts], period="Jour" if daily else "Semaine")
    weighting = {"weighted": sample.weighted, "note": sample.note, "rows": [], "diagnostics": None}
    if sample.weighted:
        d = weight_diagnostics(sample.design.weights)
        weighting["diagnostics"] = {
            "n": integer_fr(d.n), "deff": number_fr(d.kish_deff, 2), "effective_n": integer_fr(round(d.effective_n)),
            "ratio": number_fr(d.max_min_ratio, 1), "min": number_fr(d.min, 2), "max": number_fr(d.max, 2),
            "excluded": count(sample.excluded).text if sample.excluded else "0",
        }
        weighting["variables"] = [ROLE_LABELS.get(v, v) for v in sample.settings.get("variables", [])]
        weighting["margins"] = margins_table(sample, campaign)
    return {"channels": channel_table, "chart": chart, "charts": [chart], "weighting": weighting,
            "total": count(total).text}


def _category_labels(definition, variable: str, campaign=None) -> dict:
    question = definition.question_for_role(variable) if definition is not None else None
    labels = {}
    if question is not None:
        labels = {o.code: o.label("fr") for o in question.options}
    if variable == "district" and campaign is not None:
        labels.update({"nsp": "Quartier non précisé", **{d.code: d.name for d in campaign.districts}})
    return labels


def margins_table(sample: ResidentsSample, campaign=None) -> Table:
    """The sample beside the census, before and after weighting, per weighting variable."""
    structure = getattr(sample.result, "structure", None)
    rows = []
    if structure is not None and len(structure):
        for variable, part in structure.groupby("variable", sort=False):
            labels = _category_labels(sample.definition, variable, campaign)
            for (_, r), c in zip(part.iterrows(), counts(part["respondents"])):
                rows.append([ROLE_LABELS.get(variable, variable), labels.get(str(r["category"]), str(r["category"])),
                             c.text, f"{number_fr(100 * r['sample_share'])} %" if c.shown else "–",
                             f"{number_fr(100 * r['weighted_share'])} %" if c.shown else "–",
                             f"{number_fr(100 * r['population_share'])} %"])
    return Table("marges", "Marges de calage : l'échantillon et la population",
                 ["Variable", "Catégorie", "Répondants", "Échantillon", "Après pondération", "Recensement"],
                 rows, note="« < 11 » : moins de 11 répondants, chiffre non publié ; « n.p. » : non publié pour "
                            "qu'un chiffre masqué ne puisse pas être retrouvé par différence avec le total.",
                 source="Marges de la campagne (recensement)")


def profile_part(sample: ResidentsSample, campaign: Campaign) -> list[Table]:
    """Who answered, by role (district, age, sex...), beside the census where it is known."""
    from .gather_indicators import weighted_distribution

    census = {}
    if sample.margins is not None and len(sample.margins):
        for variable, part in sample.margins.groupby("variable"):
            total = float(part["count"].sum())
            census[variable] = {str(c): float(n) / total for c, n in zip(part["category"], part["count"])}
    tables = []
    for role, title in ROLE_LABELS.items():
        question = sample.definition.question_for_role(role)
        if question is None or question.id not in sample.table.columns:
            continue
        labels = _category_labels(sample.definition, role, campaign)
        codes = list(labels) or sorted(sample.table[question.id].dropna().astype(str).unique())
        rows = []
        distribution = list(weighted_distribution(sample.table[question.id], sample.design.weights, codes))
        for (code, n, weighted), c in zip(distribution, counts([n for _code, n, _weighted in distribution])):
            population = census.get(role, {}).get(code)
            rows.append([labels.get(code, code), c.text,
                         f"{number_fr(100 * weighted)} %" if c.shown and weighted is not None else "–",
                         f"{number_fr(100 * population)} %" if population is not None else "–"])
        header = "Part pondérée" if sample.weighted else "Part"
        tables.append(Table(f"profil-{role}", f"Répondants par {title.lower()}",
                            [title, "Répondants", header, "Recensement"], rows,
                            note="« < 11 » : moins de 11 répondants, chiffre non publié ; « n.p. » : non publié "
                                 "pour qu'un chiffre masqué ne puisse pas être retrouvé par différence avec le total ; "
                                 "« – » : sans objet ou inconnu."))
    return tables


def questionnaires_annex(session: Session, campaign: Campaign) -> list[dict]:
    """The questionnaires, as asked: sections, questions and answer options."""
    from ..campaigns import questionnaires

    out = []
    for version in questionnaires.current_versions(session, campaign):
        definition = questionnaires.definition_of(version)
        sections = []
        for section in definition.sections:
            items = []
            for question in section.questions:
                if question.type == "note":
                    continue
                options = [o.label("fr") for o in question.options_for([{"code": d.code, "name": d.name} for d in campaign.districts])]
                rows = [r.label("fr") for r in question.rows]
                items.append({"label": question.label("fr"), "options": options, "rows": rows,
                              "type": question.type})
            sections.append({"title": section.label("fr"), "questions": items})
        out.append({"title": definition.label("fr"), "version": version.version, "sections": sections})
    return out


GLOSSARY = [
    ("CLS", "Contrat local de santé, signé par la commune et l'Agence régionale de santé."),
    ("QPV", "Quartier prioritaire de la politique de la ville."),
    ("Indicateur", "Part des répondants qui déclarent un besoin (par exemple, être sans médecin traitant)."),
    ("Pondération (calage)", "Ajustement du poids de chaque réponse pour que l'échantillon ressemble à la "
     "population du recensement (quartier, âge, sexe)."),
    ("Effet de plan", "Perte de précision due à la pondération (Kish) : 1 signifie aucune perte."),
    ("Taille effective", "Nombre de réponses non pondérées qui donneraient la même précision."),
    ("IC à 95 %", "Intervalle de confiance : fourchette qui contient la vraie valeur dans 95 % des cas."),
    ("Fragile", "Estimation fondée sur moins de 30 répondants, à lire avec prudence."),
    ("< 11", "Chiffre non publié : moins de 11 répondants (règle de diffusion des données de santé)."),
    ("n.p.", "Chiffre non publié bien qu'il repose sur 11 répondants ou plus, pour qu'un chiffre masqué du même "
     "tableau ne puisse pas être retrouvé par différence avec le total (secret secondaire)."),
    ("Écart significatif", "Différence avec le reste de la ville qui reste significative après correction "
     "de Benjamini-Hochberg pour comparaisons multiples (taux de fausses découvertes de 5 %)."),
    ("Tri à plat", "Répartition des réponses à une question fermée."),
    ("Méthode de Hanlon", "Grille de priorisation : taille (A), gravité (B), efficacité des interventions (C), "
     "avec les critères PEARL comme filtre."),
]

__all__ = ["ReportData", "Finding", "gather_report", "residents_sample", "ResidentsSample"]
