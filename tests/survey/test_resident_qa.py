"""Defects found walking the demo as a resident: the review's labels, the progress counter,
the information page's introduction, the thank-you page's link to the results."""
from __future__ import annotations

import re

import pytest

from survey_app.survey import answering
from tests.survey.helpers import Resident
from tests.survey.test_survey import BASE, RESIDENT, html, post_page, start, survey_campaign  # noqa: F401 (fixture)


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


_COUNTER = re.compile(r'<p class="progress-text" id="progression">Étape (\d+) sur (\d+)( au plus)?</p>')


@pytest.mark.parametrize("overrides", [{"age": "75_plus", "limitation": "oui_fort"},  # every page
                                       {"age": "25_34", "limitation": "non"}])  # no conditional page
def test_the_progress_total_never_grows_and_says_when_it_is_a_maximum(client, survey_campaign, db_session, overrides):
    survey_campaign(RESIDENT)
    survey = answering.find_survey(db_session, "ville-test", "resident")
    resident = Resident(client, f"{BASE}/resident", "qa", overrides=overrides)
    walked = resident.walk(survey)
    counters = [_COUNTER.search(body) for url, body in resident.pages if "/page/" in url]
    assert all(counters) and len(counters) == len(walked)
    numbers = [int(c.group(1)) for c in counters]
    totals = [int(c.group(2)) for c in counters]
    assert numbers == list(range(1, len(walked) + 1))
    assert totals == sorted(totals, reverse=True), totals  # it may shrink, never grow
    assert totals[0] == len(survey.definition.sections) and counters[0].group(3)  # « sur 10 au plus »
    assert totals[-1] == len(walked) and not counters[-1].group(3)  # the last page: the exact count
    # what a screen reader reads: the bar is labelled by the counter and agrees with it
    first = resident.pages[1][1]
    assert f'<progress class="progress" max="{totals[0]}" value="1" aria-labelledby="progression">' in first
    assert "étape 1 sur 10 au plus" in first.split("</title>")[0]
    assert "Relire mes réponses" in resident.pages[-1][1] and "Relire mes réponses" not in first


@pytest.mark.parametrize("lang, who", [("fr", "prépare"), ("en", "regional health agency")])
def test_the_information_page_says_who_prepares_the_health_contract_once(client, survey_campaign, lang, who):
    survey_campaign(RESIDENT)
    client.get(f"{BASE}/resident?lang={lang}")
    page = html(client.get(f"{BASE}/resident"))
    section = re.search(r'<section aria-labelledby="qui">(.*?)</section>', page, re.S).group(1)
    paragraphs = re.findall(r"<p>(.*?)</p>", section, re.S)
    assert len(paragraphs) == 2, paragraphs  # who (the default text), then why (the questionnaire's own)
    assert section.count(who) == 1 and section.count("ARS") == 1, section
