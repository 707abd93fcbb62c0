"""The tidy export: one row per response, one column per variable."""
import datetime as dt

import numpy as np

from survey_app.models import Channel, ResponseStatus
from survey_app.findings import frame as exports
from survey_app.campaigns import questionnaires
from survey_app.survey import bulk as responses

from ..campaigns.test_questionnaires import write

FORM = """
id: mini
title: {fr: "Mini"}
languages: [fr, en]
sections:
  - id: s1
    title: {fr: "Section"}
    questions:
      - id: q_choix
        type: single
        label: {fr: "Choix"}
        options:
          - {code: "1", label: {fr: "Un"}}
          - {code: "2", label: {fr: "Deux"}}
          - {code: "9", label: {fr: "Autre"}, other: true}
      - id: q_multi
        type: multiple
        label: {fr: "Plusieurs"}
        options:
          - {code: a, label: {fr: "A"}}
          - {code: b, label: {fr: "B"}}
      - id: q_age
        type: integer
        min: 0
        max: 120
        label: {fr: "Âge"}
      - id: q_matrice
        type: matrix
        label: {fr: "Matrice"}
        rows:
          - {id: air, label: {fr: "Air"}}
          - {id: bruit, label: {fr: "Bruit"}}
        options:
          - {code: "1", label: {fr: "Bien"}}
          - {code: "2", label: {fr: "Mal"}}
      - id: q_gene
        type: multiple
        label: {fr: "Gênes"}
        options:
          - {code: bruit, label: {fr: "Bruit"}}
          - {code: autre, label: {fr: "Autre"}, other: true}
      - id: q_rang
        type: ranking
        rank_count: 2
        label: {fr: "Classement"}
        options:
          - {code: x, label: {fr: "X"}}
          - {code: y, label: {fr: "Y"}}
          - {code: z, label: {fr: "Z"}}
"""


def test_tidy_table_has_one_row_per_response_and_typed_columns(db_session, create_campaign, tmp_path):
    campaign = create_campaign()
    version = questionnaires.load_file(db_session, campaign, write(tmp_path, FORM))
    answers = [
        {"q_choix": "9", "q_choix__autre": "voisin", "q_multi": ["b"], "q_age": 70, "q_matrice": {"air": "2", "bruit": "1"}, "q_rang": ["z", "x"]},
        {"q_choix": "1", "q_multi": ["a", "b"]},
    ]
    today = dt.date(2026, 3, 2)
    responses.bulk_store(db_session, campaign, version, answers, channel=Channel.WEB, status=ResponseStatus.COMPLETE, days=[today, today])
    responses.bulk_store(db_session, campaign, version, [{"q_choix": "2"}], channel=Channel.WEB, status=ResponseStatus.DRAFT, days=[today])
    db_session.commit()
    table, definition = exports.tidy_responses(db_session, campaign, "mini")
    assert len(table) == 2  # the draft is not analysed
    assert list(table.columns[: len(exports.META_COLUMNS)]) == exports.META_COLUMNS
    first, second = table.iloc[0], table.iloc[1]
    assert first["q_choix"] == "9" and first["q_choix__autre_texte"] == "voisin"
    assert (first["q_multi__a"], first["q_multi__b"]) == (0, 1)
    assert (second["q_multi__a"], second["q_multi__b"]) == (1, 1)
    assert first["q_age"] == 70 and np.isnan(second["q_age"])
    assert (first["q_matrice__air"], first["q_matrice__bruit"]) == ("2", "1")
    assert (first["q_rang__rang1"], first["q_rang__rang2"]) == ("z", "x")
    assert table["q_multi__a"].dtype == np.float64
    assert exports.column_names(definition)[:4] == ["q_choix", "q_choix__autre_texte", "q_multi__a", "q_multi__b"]


def test_other_option_and_its_text_have_their_own_columns(db_session, create_campaign, tmp_path):
    """A multiple choice's option coded « autre » is a 0/1 column, its « précisez » text another."""
    campaign = create_campaign()
    version = questionnaires.load_file(db_session, campaign, write(tmp_path, FORM))
    answers = [
        {"q_choix": "1", "q_gene": ["bruit", "autre"], "q_gene__autre": "les odeurs"},
        {"q_choix": "1", "q_gene": ["bruit"]},
        {"q_choix": "1", "q_gene": ["autre"], "q_gene__autre": "12"},
    ]
    today = dt.date(2026, 3, 2)
    responses.bulk_store(db_session, campaign, version, answers, channel=Channel.WEB, status=ResponseStatus.COMPLETE,
                         days=[today] * 3)
    db_session.commit()
    table, definition = exports.tidy_responses(db_session, campaign, "mini")
    assert list(table["q_gene__autre"]) == [1.0, 0.0, 1.0]  # the option ticked or not
    assert table["q_gene__autre_texte"].iloc[0] == "les odeurs" and table["q_gene__autre_texte"].iloc[2] == "12"
    assert table["q_gene__autre_texte"].isna().iloc[1]
    names = exports.column_names(definition)
    assert names.count("q_gene__autre") == 1 and "q_gene__autre_texte" in names
    assert len(names) == len(set(names))


def test_only_the_questions_asked_for_are_read(db_session, create_campaign, tmp_path):
    """``questions=``: every response with its metadata, the columns of those questions only, same values."""
    campaign = create_campaign()
    version = questionnaires.load_file(db_session, campaign, write(tmp_path, FORM))
    answers = [
        {"q_choix": "9", "q_choix__autre": "voisin", "q_multi": ["b"], "q_matrice": {"air": "2"}},
        {"q_multi": ["a"], "q_age": 40},
        {"q_choix": "2"},
    ]
    today = dt.date(2026, 3, 2)
    responses.bulk_store(db_session, campaign, version, answers, channel=Channel.WEB, status=ResponseStatus.COMPLETE,
                         days=[today] * 3)
    db_session.commit()
    full, _definition = exports.tidy_responses(db_session, campaign, "mini")
    some, _definition = exports.tidy_responses(db_session, campaign, "mini", questions=["q_choix", "q_matrice"])
    expected = exports.META_COLUMNS + ["q_choix", "q_choix__autre_texte", "q_matrice__air", "q_matrice__bruit"]
    assert list(some.columns) == expected
    assert some.equals(full[expected])
    none, _definition = exports.tidy_responses(db_session, campaign, "mini", questions=[])
    assert list(none.columns) == exports.META_COLUMNS and len(none) == 3
