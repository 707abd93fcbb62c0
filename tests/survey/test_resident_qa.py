"""Defects found walking the demo as a resident: the review's labels, the progress counter,
the information page's introduction, the thank-you page's link to the results."""
from __future__ import annotations

import re

from tests.survey.test_survey import BASE, html, post_page, start, survey_campaign  # noqa: F401 (fixture)


def _answer_first_pages(client, **first):
    start(client)
    post_page(client, "mini", "un", {"fume": "non", **first})


def test_the_review_shows_the_labels_of_yes_no_and_scale_answers_in_the_respondents_language(client, survey_campaign):
    survey_campaign()
    _answer_first_pages(client)
    post_page(client, "mini", "trois", {"gene.bruit": "beaucoup", "note_bruit": "10", "quartier": "sud"})
    review = html(client.get(f"{BASE}/mini/relecture"))
    answers = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)", review)
    assert ("Fumez-vous ?", "Non") in answers
    assert ("À quel point le bruit vous gêne-t-il ?", "10 (Énormément)") in answers
    client.get(f"{BASE}/mini/relecture?lang=en")
    answers = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)", html(client.get(f"{BASE}/mini/relecture")))
    assert ("Do you smoke?", "No") in answers
    assert ("How much does noise bother you?", "10 (Enormously)") in answers
