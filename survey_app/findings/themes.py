"""Themes of what residents wrote, weighted with the survey design; the themes job and
the coordinator's workspace (rename, merge, split, read the verbatims).

The "themes" job stores its result in its row (``Job.result``, JSON): one snapshot per
analysis (each open question, and all together) as :func:`analysis.topics.to_snapshot`
writes it, texts masked. The coordinator's edits rewrite that result in place and are
audited; the next run of the job starts again from the answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from analysis.crosstab import FRAGILE_BELOW, MIN_CELL
from analysis.estimation import survey_proportion
from analysis.topics import (
    ALL_QUESTIONS, DEFAULT_METHOD, METHODS, analyse_answers, snapshot_merge, snapshot_rename, snapshot_split,
    snapshot_theme, snapshot_verbatims, to_snapshot,
)

from .. import audit
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
        result = result.rename(columns={"__domaine": "domain", "n_need": "n_cell"})
        if by is None:
            result.insert(0, "domain", "ensemble")
        return result[[*ESTIMATE_COLUMNS, "n_cell"]].reset_index(drop=True)

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
    method: str = DEFAULT_METHOD,
    seed: int = 0,
    progress=None,
) -> ThemesRun:
    """Find the themes of the open answers (each question, and all together).

    The ``"guided"`` method (the default) is guided by the campaign's own codebook, the
    one its coding screen uses and edits.
    """
    from ..coding.codebook import campaign_codebook

    sample = weight_sample(session, campaign, key)
    answers = open_answers(sample, question_id)
    codebook = campaign_codebook(session, campaign) if method == "guided" else None
    analysis = analyse_answers(
        answers,
        together=question_id is None,
        by_question=True,
        cache=DatabaseLemmaCache(session),
        progress=progress,
        method=method,
        k=k,
        seed=seed,
        codebook=codebook,
    )
    return ThemesRun(analysis, sample, answers)


def publishable(frame: pd.DataFrame, sets=()) -> pd.DataFrame:
    """The theme shares after the publication rules of every table (:mod:`analysis.crosstab`).

    A share is published only when at least 11 respondents of its group raise the theme
    and at least 11 do not (``n_cell`` and ``n - n_cell``); within ``sets`` (e.g. the
    districts of one theme, whose town share is published) a blanked share never stands
    alone, so that it cannot be worked out from the others. Under 30 respondents: fragile.
    """
    from analysis.crosstab import apply_publication_rules

    if frame.empty:
        return frame.assign(suppressed=pd.Series(dtype=bool), fragile=pd.Series(dtype=bool))
    if "n_cell" not in frame.columns:
        raise ValueError("theme shares need n_cell (respondents with the theme) for the publication rules")
    published = apply_publication_rules(frame, n="n", cell="n_cell", min_cell=MIN_CELL,
                                        fragile_below=FRAGILE_BELOW, sets=list(sets))
    published = published.drop(columns=["suppression"])
    for column in ("estimate", "ci_low", "ci_high", "se", "n", "n_cell"):
        if column in published.columns:
            values = published[column].astype(object)
            published[column] = values.where(pd.notna(values), None)
    return published


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
            theme_rows.append({"question": name, "statut": result.status, "message": result.message,
                               "remarques": " ".join(result.notes)})
            continue
        overall = result.shares(estimator=estimator).set_index("theme_id")
        by_district = result.shares("district", estimator=estimator)
        by_district.insert(0, "question", name)
        share_rows.append(publishable(by_district, sets=[["theme_id"]]))
        for theme in result.themes:
            row = overall.loc[theme.theme_id]
            theme_rows.append(
                {
                    "question": name,
                    "statut": result.status,
                    "methode": result.method,
                    "choix_k_informatif": result.k_informative,
                    "remarques": " ".join(result.notes),
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


# --------------------------------------------------------------------------- the themes job and workspace

JOB_KIND = "themes"
#: Name of the analysis of all open questions together in the job's result.
TOGETHER = "toutes"


def _question_labels(sample: WeightedSample) -> dict[str, str]:
    labels = {}
    for question in sample.definition.questions.values():
        if question.type == "longtext":
            label = question.label("fr") if callable(getattr(question, "label", None)) else question.id
            labels[question.id] = label or question.id
    return labels


def compute_themes(session: Session, campaign: Campaign, key: str = "resident", *, method: str = DEFAULT_METHOD,
                   k: int | None = None, seed: int = 0, progress=None) -> dict:
    """Find the themes and return the job's result: a snapshot per analysis."""
    run = campaign_themes(session, campaign, key, k=k, method=method, seed=seed, progress=progress)
    labels = _question_labels(run.sample)
    analyses, names = {}, {}
    for question_id, result in run.analysis.by_question.items():
        analyses[question_id] = to_snapshot(result)
        names[question_id] = labels.get(question_id, question_id)
    if run.analysis.together is not None:
        analyses[TOGETHER] = to_snapshot(run.analysis.together)
        names[TOGETHER] = _("Toutes les questions ouvertes ensemble")
    for snap in analyses.values():
        snap["seed"] = int(seed)
    order = ([TOGETHER] if TOGETHER in analyses else []) + [q for q in analyses if q != TOGETHER]
    return {"version": 1, "params": {"questionnaire": key, "method": method, "k": k, "seed": seed},
            "analyses": analyses, "names": names, "order": order, "edits": 0}


def themes_job(session: Session, job, campaign_id: int, **params) -> dict:
    """Task of the "themes" job: find the themes of every open question, and of all together."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))

    def progress(done, total):
        job.progress(done / total if total else 1.0, _("Analyse des réponses libres"))

    return compute_themes(session, campaign, params.get("questionnaire") or "resident",
                          method=params.get("method") or DEFAULT_METHOD, k=params.get("k"),
                          seed=int(params.get("seed") or 0), progress=progress)


def _register_job() -> None:
    from flask_babel import lazy_gettext as _l

    from ..jobs import job_kind

    job_kind(JOB_KIND, label=_l("Thèmes des réponses libres"), page="findings.theme_workspace")(themes_job)


_register_job()


@dataclass
class ThemeState:
    """The last themes found (the done job holding them) and the job running, if any."""

    job: object | None
    last: object | None

    @property
    def result(self) -> dict | None:
        return self.job.result if self.job is not None else None


def theme_state(session: Session, campaign: Campaign) -> ThemeState:
    from ..jobs import latest_job

    return ThemeState(latest_job(session, campaign, JOB_KIND, done=True), latest_job(session, campaign, JOB_KIND))


def start_themes(session: Session, campaign: Campaign, actor, *, method: str = DEFAULT_METHOD, k: int | None = None,
                 seed: int = 0, key: str = "resident"):
    """Start finding the themes as a job (or return the one running)."""
    from ..jobs import start_job
    from .table_common import current_run

    if method not in METHODS:
        raise ServiceError(_("Méthode inconnue : %(method)s.", method=method))
    if k is not None and not 2 <= int(k) <= 30:
        raise ServiceError(_("Le nombre de thèmes doit être entre 2 et 30."))
    if current_run(session, campaign) is None:
        raise ServiceError(_("Les réponses n'ont pas encore été pondérées : calculez d'abord les poids sur les marges "
                             "du recensement."))
    return start_job(session, campaign, JOB_KIND, actor=actor,
                     params={"questionnaire": key, "method": method, "k": None if k is None else int(k),
                             "seed": int(seed)})


def workspace_analysis(state: ThemeState, name: str | None) -> tuple[str | None, dict | None]:
    """The analysis shown: `name` if the result has it, else the first (all questions together)."""
    result = state.result or {}
    analyses = result.get("analyses") or {}
    if name in analyses:
        return name, analyses[name]
    order = result.get("order") or list(analyses)
    return (order[0], analyses[order[0]]) if order else (None, None)


def theme_verbatims(snapshot: dict, theme_id: int, n: int | None = None) -> list[dict]:
    return snapshot_verbatims(snapshot, theme_id, n)


def _edit(session: Session, campaign: Campaign, actor, name: str, change, action: str, detail: dict) -> dict:
    state = theme_state(session, campaign)
    if state.job is None or not state.result:
        raise ServiceError(_("Aucun thème n'a encore été calculé pour cette campagne."))
    if state.last is not None and state.last.id != state.job.id and not state.last.state.finished:
        raise ServiceError(_("Un nouveau calcul des thèmes est en cours : attendez sa fin pour modifier les thèmes."))
    result = dict(state.result)
    analyses = dict(result.get("analyses") or {})
    if name not in analyses:
        raise ServiceError(_("Cette analyse n'existe pas dans les derniers thèmes calculés."))
    before = analyses[name]
    try:
        after = change(before)
    except KeyError:
        raise ServiceError(_("Ce thème n'existe pas (ou plus) : rechargez la page.")) from None
    analyses[name] = after
    result["analyses"] = analyses
    result["edits"] = int(result.get("edits") or 0) + 1
    state.job.result = result  # a new dict: the JSON column is rewritten
    audit.record(session, actor, action, "theme_result", state.job.id, field=name,
                 old={"themes": [(t["theme_id"], t["label"]) for t in before["themes"]]},
                 new={**detail, "themes": [(t["theme_id"], t["label"]) for t in after["themes"]]})
    session.flush()
    return after


def rename_theme(session: Session, campaign: Campaign, actor, name: str, theme_id: int, label: str) -> dict:
    """Give theme `theme_id` of analysis `name` the label `label`."""
    label = " ".join(str(label or "").split())
    if not label:
        raise ServiceError(_("Le nouveau nom du thème ne peut pas être vide."))
    if len(label) > 120:
        raise ServiceError(_("Le nom d'un thème tient en 120 caractères au plus."))
    return _edit(session, campaign, actor, name, lambda snap: snapshot_rename(snap, theme_id, label),
                 "themes.rename", {"theme_id": theme_id, "label": label})


def merge_themes(session: Session, campaign: Campaign, actor, name: str, theme_id: int, other_id: int,
                 label: str | None = None) -> dict:
    """Put the answers of theme `other_id` into theme `theme_id`."""
    if int(theme_id) == int(other_id):
        raise ServiceError(_("Choisissez deux thèmes différents à fusionner."))
    return _edit(session, campaign, actor, name, lambda snap: snapshot_merge(snap, theme_id, other_id, label),
                 "themes.merge", {"theme_id": theme_id, "other_id": other_id})


def split_theme(session: Session, campaign: Campaign, actor, name: str, theme_id: int, k: int = 2) -> dict:
    """Split theme `theme_id` into `k` themes found among its answers."""
    if not 2 <= int(k) <= 6:
        raise ServiceError(_("Un thème se scinde en 2 à 6 thèmes."))

    def change(snap):
        theme = snapshot_theme(snap, theme_id)
        try:
            return snapshot_split(snap, theme_id, int(k))
        except ValueError:
            raise ServiceError(_("Le thème « %(label)s » n'a pas assez de réponses distinctes (%(n)s) pour être "
                                 "scindé en %(k)s.", label=theme["label"], n=theme["n_answers"], k=k)) from None

    return _edit(session, campaign, actor, name, change, "themes.split", {"theme_id": theme_id, "k": int(k)})
