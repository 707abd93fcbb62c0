"""``flask analysis themes`` on the demo campaign: tables, verbatims, clouds, cached lemmas."""
import pandas as pd
from sqlalchemy import func, select

from survey_app.models import LemmaCache

from .test_analysis_cli import demo  # noqa: F401  (fixture)


def test_themes_are_written_and_lemmas_cached(runner, demo, db_session, tmp_path, monkeypatch):  # noqa: F811
    result = runner.invoke(args=["analysis", "themes", "--campaign", "demo", "--question", "problemes_quartier", "--k", "3", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 thèmes" in result.output
    themes = pd.read_csv(tmp_path / "themes.csv")
    assert len(themes) == 3 and themes["part_repondants"].between(0, 1).all()
    assert (themes["ic_bas"] <= themes["part_repondants"]).all()
    assert set(themes["appartenance"]) == {"un thème par réponse"}  # the default method
    assert set(themes["methode"]) == {"guided"}  # guided by the campaign's codebook
    # the output reads: each theme's label, its size and its words
    for label in themes["libelle"]:
        assert f". {label}  (" in result.output
    assert result.output.count("mots : ") == 3
    shares = pd.read_csv(tmp_path / "themes_par_quartier.csv")
    assert shares.loc[shares["suppressed"], "estimate"].isna().all()
    clouds = list((tmp_path / "nuages").rglob("*.png"))
    assert len(clouds) == 3 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in clouds)
    cached = db_session.scalar(select(func.count()).select_from(LemmaCache))
    assert cached > 0

    import analysis.text as text

    def refuse(*args, **kwargs):
        raise AssertionError("spaCy was called although every lemma is cached")

    monkeypatch.setattr(text.FrenchPreprocessor, "nlp", property(refuse))
    again = runner.invoke(args=["analysis", "themes", "--campaign", "demo", "--question", "problemes_quartier", "--k", "3", "--out", str(tmp_path / "bis")])
    assert again.exit_code == 0, again.output
    assert pd.read_csv(tmp_path / "bis" / "themes.csv")["libelle"].tolist() == themes["libelle"].tolist()


def test_unknown_open_question_is_a_clear_error(runner, demo, tmp_path):  # noqa: F811
    result = runner.invoke(args=["analysis", "themes", "--campaign", "demo", "--question", "age", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "n'est pas une question ouverte" in result.output
