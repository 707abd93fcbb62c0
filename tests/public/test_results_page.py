"""The public results page says « non publié » for a blanked figure, with the publication
rule beside the tables: « < 11 » would misinform where a cell is blanked by the with/without
rule or by secondary suppression in a district of many respondents."""
from __future__ import annotations

import html as html_lib
import re

import analysis
from tests.public.test_home import publish, results_page


def _cells(body: str) -> dict[str, str]:
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]*)</td>', body))


def test_blanked_cells_say_not_published_and_only_a_small_district_says_fewer_than_11(
        client, db_session, create_campaign):
    campaign = create_campaign("ville-test")
    publish(db_session, campaign, results_page())
    body = client.get("/resultats/ville-test").get_data(as_text=True)
    # Nord is blanked by the rule although it has many respondents; Sud has fewer than 11
    assert _cells(body) == {"Centre": "24,1 %", "Nord": "non publié", "Sud": "non publié (moins de 11 répondants)"}
    assert "&lt; 11" not in body and "< 11" not in body
    # the rule is stated beside the tables, as the analysis library states it, and the tables point to it
    rule = re.search(r'<p id="regle-publication">(.*?)</p>', body, re.S).group(1)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", rule))
    stated = analysis.PUBLICATION_RULE_FR.rsplit(" Un chiffre tiré", 1)[0]  # fragility is not shown on this page
    assert stated in text and "« non publié »" in text and "Sud" in text
    assert '<table aria-describedby="regle-publication">' in body


def test_the_rule_and_the_marks_are_in_the_readers_language(client, db_session, create_campaign):
    campaign = create_campaign("ville-test")
    publish(db_session, campaign, results_page(small_districts=[]))
    client.get("/langue/en")
    body = client.get("/resultats/ville-test").get_data(as_text=True)
    assert "Forgoing care" in body
    assert _cells(body)["Sud"] == _cells(body)["Nord"] != "non publié (moins de 11 répondants)"
    assert "&lt; 11" not in body
