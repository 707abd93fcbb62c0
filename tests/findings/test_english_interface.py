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
