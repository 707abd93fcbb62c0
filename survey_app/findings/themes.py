"""Themes of what residents wrote, weighted with the survey design."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from analysis.crosstab import FRAGILE_BELOW, MIN_CELL
from analysis.estimation import survey_proportion
from analysis.topics import analyse_answers

from ..models import Campaign
from ..domain import ServiceError
from ..infra.spreadsheet import safe_frame
from .lemmas import DatabaseLemmaCache
from .weights import WeightedSample, weight_sample

ESTIMATE_COLUMNS = ["domain", "n", "estimate", "ci_low", "ci_high"]


def design_estimator(sample: WeightedSample):
    """Return the estimator analysis.topics expects, backed by the survey design.

    Respondents absent from ``indicator`` (they did not answer the question) are out
    of the domain, not counted as "no": the share is among those who answered.
    """
    ids = sample.table["response_id"]

    def estimate(indicator: pd.Series, domain: pd.Series | None) -> pd.DataFrame:
        y = ids.map(indicator.astype(float))
        frame = sample.table.assign(__y=y.to_numpy())
        by = None
        if domain is not None:
            frame["__domaine"] = ids.map(domain).to_numpy()
            frame.loc[y.isna().to_numpy(), "__domaine"] = None
            by = "__domaine"
        result = survey_proportion(frame, sample.design, "__y", by=by)
        result = result.rename(columns={"__domaine": "domain"})
        if by is None:
            result.insert(0, "domain", "ensemble")
        return result[ESTIMATE_COLUMNS].reset_index(drop=True)

    return estimate


def open_answers(sample: WeightedSample, question_id: str | None = None) -> pd.DataFrame:
    """Return ``response_id, question_id, text, district, weight`` of the long-text answers."""
    definition = sample.definition
    questions = [q for q in definition.questions.values() if q.type == "longtext"]
    if question_id is not None:
        questions = [q for q in questions if q.id == question_id]
        if not questions:
            raise ServiceError(f"« {question_id} » n'est pas une question ouverte de ce questionnaire.")
    district = definition.question_for_role("district")
    rows = []
    table = sample.table
    weights = pd.Series(sample.design.weights, index=table.index)
    for question in questions:
        if question.id not in table.columns:
            continue
        answered = table[question.id].notna()
        part = pd.DataFrame(
            {
                "response_id": table.loc[answered, "response_id"].to_numpy(),
                "question_id": question.id,
                "text": table.loc[answered, question.id].astype(str).to_numpy(),
                "district": table.loc[answered, district.id].to_numpy() if district is not None else None,
                "weight": weights[answered].to_numpy(),
            }
        )
        rows.append(part)
    if not rows:
        raise ServiceError("Aucune réponse aux questions ouvertes.")
    return pd.concat(rows, ignore_index=True)


@dataclass
class ThemesRun:
    analysis: object
    sample: WeightedSample
    answers: pd.DataFrame


def campaign_themes(
    session: Session,
    campaign: Campaign,
    key: str = "resident",
    *,
    question_id: str | None = None,
    k: int | None = None,
    method: str = "nmf",
    seed: int = 0,
    progress=None,
) -> ThemesRun:
    """Find the themes of the open answers (each question, and all together)."""
    sample = weight_sample(session, campaign, key)
    answers = open_answers(sample, question_id)
    analysis = analyse_answers(
        answers,
        together=question_id is None,
        by_question=True,
        cache=DatabaseLemmaCache(session),
        progress=progress,
        method=method,
        k=k,
        seed=seed,
    )
    return ThemesRun(analysis, sample, answers)


def publishable(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank the shares of fewer than 11 respondents; flag those under 30 as fragile."""
    frame = frame.copy()
    frame["suppressed"] = frame["n"] < MIN_CELL
    frame["fragile"] = frame["n"] < FRAGILE_BELOW
    for column in ("estimate", "ci_low", "ci_high"):
        frame[column] = frame[column].astype(object)
        frame.loc[frame["suppressed"], column] = None
    return frame


def write_theme_outputs(run: ThemesRun, out_dir: str | Path) -> dict[str, int]:
    """Write themes.csv, shares by district, verbatims and word clouds; return counts."""
    out = Path(out_dir)
    (out / "nuages").mkdir(parents=True, exist_ok=True)
    estimator = design_estimator(run.sample)
    results = dict(run.analysis.by_question)
    if run.analysis.together is not None:
        results["toutes"] = run.analysis.together
    theme_rows, share_rows, verbatim_rows, clouds = [], [], [], 0
    for name, result in results.items():
        if not result.has_themes:
            theme_rows.append({"question": name, "statut": result.status, "message": result.message})
            continue
        overall = result.shares(estimator=estimator).set_index("theme_id")
        by_district = result.shares("district", estimator=estimator)
        by_district.insert(0, "question", name)
        share_rows.append(publishable(by_district))
        for theme in result.themes:
            row = overall.loc[theme.theme_id]
            theme_rows.append(
                {
                    "question": name,
                    "statut": result.status,
                    "appartenance": "un thème par réponse" if result.membership == "single" else "plusieurs thèmes pondérés",
                    "theme_id": theme.theme_id,
                    "libelle": theme.label,
                    "termes": ", ".join(theme.top_terms),
                    "reponses": theme.n_answers,
                    "part_repondants": row["estimate"],
                    "ic_bas": row["ci_low"],
                    "ic_haut": row["ci_high"],
                    "axe": theme.axis,
                    "score_axe": theme.axis_score,
                }
            )
            verbatims = result.verbatims(theme.theme_id, n=5)
            verbatims.insert(0, "theme_id", theme.theme_id)
            verbatims.insert(0, "question", name)
            verbatim_rows.append(verbatims)
            result.wordcloud(theme.theme_id, out / "nuages" / name)
            clouds += 1
    # Residents' words and theme labels are text a spreadsheet must never run.
    safe_frame(pd.DataFrame(theme_rows)).to_csv(out / "themes.csv", index=False)
    if share_rows:
        safe_frame(pd.concat(share_rows, ignore_index=True)).to_csv(out / "themes_par_quartier.csv", index=False)
    if verbatim_rows:
        safe_frame(pd.concat(verbatim_rows, ignore_index=True)).to_csv(out / "verbatims.csv", index=False)
    counts = dict(run.analysis.counts)
    counts["nuages"] = clouds
    counts["themes"] = sum(len(r.themes) for r in results.values() if r.has_themes)
    return counts
