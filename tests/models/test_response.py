"""An answer's value is stored in the column that fits its type and read back typed."""
import datetime as dt

import pytest

from survey_app.models import Answer, Channel, Response, ResponseStatus
from survey_app.models.response import encode_value

VALUES = ["oui", 3, 2.5, ["a", "b"], {"ligne1": "1", "ligne2": "3"}, "", "0042"]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_encode_then_read_back_gives_the_same_typed_value(value):
    answer = Answer(question_id="q", **encode_value(value))
    assert answer.value == value
    assert type(answer.value) is type(value)


def test_booleans_are_refused_they_are_option_codes():
    with pytest.raises(TypeError):
        encode_value(True)


def test_answers_round_trip_through_the_database(db_session, create_campaign):
    campaign = create_campaign("modeles")
    version = _load_resident(db_session, campaign)
    response = Response(campaign_id=campaign.id, questionnaire_version_id=version.id, channel=Channel.PAPER,
                        status=ResponseStatus.COMPLETE, created_on=dt.date(2026, 3, 2), paper_serial="A-1")
    for index, value in enumerate(VALUES):
        answer = Answer(question_id=f"q{index}")
        answer.value = value
        response.answers.append(answer)
    db_session.add(response)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Response, response.id)
    assert stored.answers_dict() == {f"q{i}": v for i, v in enumerate(VALUES)}


def _load_resident(session, campaign):
    from pathlib import Path

    import questionnaires as shipped
    from survey_app.campaigns import questionnaires

    return questionnaires.load_file(session, campaign, Path(str(shipped.FOLDER)) / "resident.yaml")
