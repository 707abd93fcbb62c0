"""Synthetic responses: valid, reproducible, and skewed the way real responses are."""
import re
from pathlib import Path

import pytest
import yaml

from survey_app.questionnaire import (generate_responses, generate_sample, parse_definition,
                                      validate_answers)
from survey_app.questionnaire.synthetic_text import EMPTY_ANSWERS, THEMES


@pytest.fixture(scope="module")
def resident_sample(resident, districts):
    return generate_sample(resident, districts=districts, n=3000, seed=2024)


@pytest.mark.parametrize("name", ["resident", "professional", "demo"])
def test_every_response_is_valid(request, name, districts):
    definition = request.getfixturevalue(name)
    codes = [d["code"] for d in districts]
    responses = generate_responses(definition, districts=districts, n=400, seed=7)
    assert len(responses) == 400
    invalid = [(r, e) for r in responses
               if (e := validate_answers(definition, r, districts=codes))]
    assert invalid == []


def test_same_seed_same_responses(professional, districts):
    first = generate_responses(professional, districts=districts, n=200, seed=42)
    again = generate_responses(professional, districts=districts, n=200, seed=42)
    other = generate_responses(professional, districts=districts, n=200, seed=43)
    assert first == again
    assert first != other


def test_older_women_are_over_represented(resident, resident_sample):
    ages = resident.roles()["age_band"].codes
    sexes = resident.roles()["sex"].codes
    older = set(ages[-2:])
    share = sum(r.get("age") in older and r.get("sexe") == "f"
                for r in resident_sample.responses) / len(resident_sample.responses)
    uniform = len(older) / len(ages) / len(sexes)
    assert share > 1.5 * uniform
    young_men = sum(r.get("age") == ages[0] and r.get("sexe") == "h"
                    for r in resident_sample.responses) / len(resident_sample.responses)
    assert young_men < 0.5 / (len(ages) * len(sexes)) * 2


def test_some_districts_answer_more(resident_sample, districts):
    counts = {d["code"]: 0 for d in districts}
    for r in resident_sample.responses:
        counts[r["quartier"]] = counts.get(r["quartier"], 0) + 1
    assert counts.get("nsp", 0) > 0
    shares = sorted(counts[d["code"]] for d in districts)
    assert shares[-1] > 1.3 * shares[0]


def test_needs_are_more_frequent_in_qpv_districts(resident, resident_sample, districts):
    qpv = {d["code"] for d in districts if d["qpv"]}
    worse = 0
    indicators = [i for i in resident.indicators() if i.row_id is None]
    for indicator in indicators:
        rates = {}
        for in_qpv in (True, False):
            answers = [r[indicator.question_id] for r in resident_sample.responses
                       if indicator.question_id in r and (r["quartier"] in qpv) == in_qpv]
            hits = [a for a in answers if (set(a) if isinstance(a, list) else {str(a)})
                    & set(indicator.need)]
            rates[in_qpv] = len(hits) / max(len(answers), 1)
        worse += rates[True] > rates[False]
    assert worse >= 0.8 * len(indicators)


def test_open_answers_are_varied_french_with_blanks(resident, resident_sample):
    open_ids = [q.id for q in resident.questions.values() if q.type == "longtext"]
    texts = [r.get(qid) for r in resident_sample.responses for qid in open_ids]
    given = [t for t in texts if t]
    assert 0.2 < 1 - len(given) / len(texts) < 0.7  # a share left blank
    assert any(t in EMPTY_ANSWERS for t in given)  # some say "rien"
    assert len(set(given)) > 0.6 * len(given)  # varied wording
    assert any(re.search(r"\b(bcp|rdv|pa|tjrs|c)\b", t) for t in given)  # SMS forms
    assert any("medecin" in t for t in given)  # accents dropped
    planted = [k for themes in resident_sample.themes for keys in themes.values() for k in keys]
    assert {t.key for t in THEMES} <= set(planted)


def test_housing_complaints_are_planted_more_in_qpv(resident_sample, districts):
    qpv = {d["code"] for d in districts if d["qpv"]}
    rate = {True: [0, 0], False: [0, 0]}
    for response, themes, profile in zip(resident_sample.responses, resident_sample.themes,
                                         resident_sample.profiles):
        for keys in themes.values():
            if keys:
                entry = rate[profile["district"] in qpv]
                entry[0] += "logement" in keys
                entry[1] += 1
    assert rate[True][0] / rate[True][1] > 1.5 * rate[False][0] / rate[False][1]


def test_generator_is_generic(districts):
    definition = parse_definition("""
id: other
title: Autre questionnaire
languages: [fr]
sections:
  - id: s
    title: S
    questions:
      - {id: x1, type: multiple, min_choices: 2, max_choices: 3, label: X,
         options: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C},
                   {code: z, label: Z, exclusive: true}],
         indicator: {name: n1, label: N, need: [a]}}
      - {id: x2, type: ranking, rank_count: 2, min_choices: 2, label: R,
         options: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}]}
      - {id: x3, type: text, required: true, pattern: '[A-Z]{3}', label: T}
      - {id: x4, type: year, label: Y, required: true}
      - {id: x5, type: date, label: D, required: true}
      - {id: x6, type: decimal, min: -1.5, max: 1.5, label: F, required: true}
      - {id: x7, type: single, label: S, show_if: 'x6 > 0 and count(x1) = 2',
         options: [{code: "1", label: Un}]}
    constraints:
      - expr: x6 < 1
        message: trop grand
""")
    responses = generate_responses(definition, districts=[], n=300, seed=1)
    errors = [e for r in responses if (e := validate_answers(definition, r))]
    # the short-text pattern has no synthetic value: it is the only possible error
    assert all(set(e) == {"x3"} for e in errors)
    assert all(r["x6"] < 1 for r in responses)
    assert any("x7" in r for r in responses) and any("x7" not in r for r in responses)


def test_ten_thousand_responses_stay_cheap(professional, districts):
    # speed is measured in bench/; here only that a large run completes and stays valid
    responses = generate_responses(professional, districts=districts, n=10_000, seed=5)
    assert len(responses) == 10_000
    assert len({r.get("quartier_exercice") for r in responses}) == len(districts) + 1


def test_planted_themes_follow_the_codebook():
    """Planted themes use the codebook's keys and axes, so coding can be scored on them."""
    from analysis.coding import DEFAULT_CODEBOOK_PATH

    path = Path(DEFAULT_CODEBOOK_PATH)
    codebook = yaml.safe_load(path.read_text(encoding="utf-8"))
    axes = {theme["key"]: theme.get("axis") for theme in codebook["themes"]}
    assert {t.key: t.axis for t in THEMES} == axes
