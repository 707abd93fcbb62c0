"""``flask analysis``: weights, indicator tables."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..campaigns import services as campaign_service
from ..infra.lazy import lazy_import
from ..infra.spreadsheet import safe_frame

# The analysis stack (pandas, SciPy, scikit-learn, spaCy) loads when a command runs.
indicator_service = lazy_import("survey_app.findings.indicators")
theme_service = lazy_import("survey_app.findings.themes")
weight_service = lazy_import("survey_app.findings.weights")

STRUCTURE_COLUMNS = {
    "variable": "variable",
    "category": "catégorie",
    "respondents": "répondants",
    "sample_share": "part_échantillon",
    "weighted": "pondéré",
    "weighted_share": "part_pondérée",
    "population": "population",
    "population_share": "part_population",
}

group = AppGroup("analysis", help="Pondération et tableaux d'indicateurs.")


@group.command("weights")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--questionnaire", "key", default="resident", show_default=True)
@click.option("--min-respondents", type=click.IntRange(min=1), help="Regrouper les catégories de moins de N répondants.")
@click.option("--trim", "trim_upper", type=click.FloatRange(min=1.0, min_open=True), help="Écrêter les poids à N fois le poids moyen.")
def weights(slug: str, key: str, min_respondents, trim_upper):
    """Rake the responses to the campaign's census margins, store the weights, print the diagnostics."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    sample = weight_service.weight_sample(db.session, campaign, key, min_respondents=min_respondents, trim_upper=trim_upper,
                                          margins_only=True)
    run = weight_service.store_weights(db.session, campaign, sample)
    db.session.commit()
    d = run.diagnostics["weights"]
    click.echo(f"Pondération par calage (raking) sur : {', '.join(sample.settings['variables'])}")
    click.echo(f"  réponses pondérées       : {int(d['n'])}")
    if len(sample.excluded):
        click.echo(f"  réponses non pondérées   : {len(sample.excluded)} (catégorie absente du recensement : « je ne sais pas », « autre »…)")
    kept = sample.result.n_unmatched if hasattr(sample.result, "n_unmatched") else 0
    if kept:
        by_variable = ", ".join(f"{v} : {n}" for v, n in sample.result.unmatched_by_variable().items())
        click.echo(f"  gardées hors recensement : {kept} (calées sur les seules marges dont elles ont la catégorie ; {by_variable})")
    click.echo(f"  convergence              : {'oui' if run.converged else 'non'} en {run.iterations} passes, écart max {run.diagnostics['max_gap']:.3g}")
    click.echo(f"  effet de plan de Kish    : {d['kish_deff']:.3f}   taille effective : {d['effective_n']:.0f}")
    click.echo(f"  poids min / médian / max : {d['min']:.3f} / {d['median']:.3f} / {d['max']:.3f} (rapport {d['max_min_ratio']:.1f})")
    for variable, merged in (run.diagnostics.get("collapsed") or {}).items():
        click.echo(f"  regroupements ({variable}) : {merged}")
    structure = sample.result.structure
    if structure is not None and not structure.empty:
        click.echo("Structure de l'échantillon et de la population :")
        shown = structure.rename(columns=STRUCTURE_COLUMNS)
        click.echo(shown.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


@group.command("tables")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--questionnaire", "key", default="resident", show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Dossier des CSV.")
def tables(slug: str, key: str, out_dir: Path):
    """Write one CSV per indicator: town, districts, QPV vs rest, age bands, sex (small cells blanked)."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    result, _sample = indicator_service.campaign_indicator_tables(db.session, campaign, key)
    out_dir.mkdir(parents=True, exist_ok=True)
    published = indicator_service.publishable(result)
    for name, frame in published.groupby("indicator", sort=False):
        safe_frame(frame).to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8")
    click.echo(f"{published['indicator'].nunique()} indicateurs écrits dans {out_dir} ({int(published['suppressed'].sum())} cellules masquées : moins de 11 répondants).")


@group.command("themes")
@click.option("--campaign", "slug", required=True, help="Identifiant de la campagne.")
@click.option("--questionnaire", "key", default="resident", show_default=True)
@click.option("--question", "question_id", help="Une seule question ouverte (par défaut : chacune, et toutes ensemble).")
@click.option("--k", type=click.IntRange(min=2, max=30), help="Nombre de thèmes (par défaut : choisi automatiquement).")
@click.option("--method", type=click.Choice(["guided", "vectors", "gsdmm", "nmf"]), default="guided", show_default=True,
              help="guided : vecteurs de mots guidés par la grille de codage de la campagne (recommandé) ; vectors : "
                   "vecteurs de mots seuls ; gsdmm : mots partagés ; nmf : plusieurs thèmes par réponse.")
@click.option("--seed", default=0, show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Dossier des résultats.")
def themes(slug, key, question_id, k, method, seed, out_dir):
    """Find the themes of the open answers; print them; write the tables, verbatims and word clouds."""
    campaign = campaign_service.get_by_slug(db.session, slug)
    with click.progressbar(length=1, label="Analyse des réponses libres", show_eta=False) as bar:
        state = {"done": 0}

        def progress(done, total):
            bar.length = max(total, 1)
            bar.update(done - state["done"])
            state["done"] = done

        run = theme_service.campaign_themes(
            db.session, campaign, key, question_id=question_id, k=k, method=method, seed=seed, progress=progress
        )
    counts = theme_service.write_theme_outputs(run, out_dir)
    db.session.commit()  # keep the lemmas computed this time
    results = dict(run.analysis.by_question)
    if run.analysis.together is not None:
        results["toutes les questions ensemble"] = run.analysis.together
    for name, result in results.items():
        click.echo("")
        click.echo(f"== {name} ==")
        click.echo(result.message)
        for note in result.notes:
            click.echo(f"  ! {note}")
        for number, theme in enumerate(result.themes, start=1):
            click.echo(f"  {number:>2}. {theme.label}  ({theme.n_answers} réponses)")
            click.echo(f"      mots : {', '.join(theme.top_terms[:8])}")
    click.echo("")
    click.echo(
        f"{counts.get('answers', 0)} réponses, {counts.get('useless', 0)} sans contenu exploitable écartées ; "
        f"{counts['themes']} thèmes, {counts['nuages']} nuages de mots écrits dans {out_dir}."
    )
