"""The export page and the data dictionary page in English: the application's words (what
« retenues » means, the response's own columns, types, code labels) in English, the
questions in the questionnaire's English; the downloaded files stay French."""
from __future__ import annotations

import html

from tests.collection.world import world_fixture

world = world_fixture()

MEANING_FR = "Réponses retenues : complètes ou validées, jamais les brouillons ni les réponses exclues."
MEANING_EN = "Responses kept: complete or validated, never drafts nor excluded responses."


def _get(client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200
    return html.unescape(reply.get_data(as_text=True))


def test_export_pages_in_english_files_in_french(client, login, world):
    login(world.coordinator_email)
    base = f"/espace/campagnes/{world.slug}/exports"
    dictionary_url = f"{base}/dictionnaire?questionnaire=resident"
    page, dictionary = _get(client, base + "/"), _get(client, dictionary_url)  # French by default
    assert MEANING_FR in page and MEANING_FR in dictionary and MEANING_EN not in page
    assert "<td>Numéro de la réponse</td><td>identifiant</td>" in dictionary
    assert "web = internet ; paper = papier" in dictionary and "0 = non ; 1 = oui" in dictionary
    assert "Quel âge avez-vous ?</td><td>choix unique</td>" in dictionary
    assert "(vide = question non posée ou sans réponse" in dictionary

    client.get("/langue/en?next=/")
    page, dictionary = _get(client, base + "/"), _get(client, dictionary_url)
    assert MEANING_EN in page and MEANING_EN in dictionary
    assert MEANING_FR not in page and MEANING_FR not in dictionary
    assert "<td>Response number</td><td>identifier</td>" in dictionary
    assert "<td>Channel of the response</td><td>information about the response</td>" in dictionary
    assert "web = online ; paper = paper" in dictionary and "0 = no ; 1 = yes" in dictionary
    assert "How old are you?</td><td>single choice</td>" in dictionary
    assert "(empty = question not asked or not answered" in dictionary
    for french in ("Numéro de la réponse", "information sur la réponse", "choix unique", "Quel âge avez-vous",
                   "question non posée", "0 = non ; 1 = oui"):
        assert french not in dictionary, french

    # the files downloaded from the English pages stay French
    codebook = client.get(f"{base}/dictionnaire.csv?questionnaire=resident").data.decode("utf-8-sig")
    assert "Numéro de la réponse;identifiant" in codebook and "Quel âge avez-vous ?" in codebook
    assert "Response number" not in codebook and "How old are you" not in codebook
    labelled = client.get(f"{base}/telecharger?format=csv&libelles=1").data.decode("utf-8-sig")
    assert "Response number" not in labelled and "online" not in labelled


def test_dictionary_rows_are_french_unless_a_page_asks(app, world):
    from sqlalchemy import select

    from survey_app.campaigns import questionnaires
    from survey_app.exports import dictionary
    from survey_app.extensions import db
    from survey_app.models import Campaign

    with app.test_request_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == world.slug))
        definition = questionnaires.definition_of(questionnaires.current_version(db.session, campaign, "resident"))
        french = dictionary.dictionary_rows(dictionary.export_variables(campaign, definition, weighted=True))
        assert french == dictionary.dictionary_rows(
            dictionary.export_variables(campaign, definition, weighted=True, lang="fr"), "fr")
        assert french[0]["libellé"] == "Numéro de la réponse" and french[0]["type"] == "identifiant"
        ranks = [r for r in french if ".rang" in r["variable"]]
        assert ranks and ranks[0]["libellé"].endswith(" (rang 1)")
        others = [r for r in french if r["variable"].endswith(".autre_texte")]
        assert others and others[0]["libellé"].endswith(" (précisez)") and " : " in others[0]["libellé"]
