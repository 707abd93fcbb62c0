"""Census margins: checked whole before anything is replaced."""
import pytest

from survey_app.domain import ServiceError
from survey_app.campaigns import margins


def test_margins_from_csv_replace_the_same_variables(db_session, create_campaign):
    campaign = create_campaign()
    rows = margins.parse_margins_csv("variable;category;count\ndistrict;nord;1200\ndistrict;sud;800\nsex;f;1050\nsex;h;950\n")
    assert margins.set_margins(db_session, campaign, rows) == 4
    margins.set_margins(db_session, campaign, [{"variable": "district", "category": "nord", "count": "1 300"}])
    frame = margins.margins_frame(db_session, campaign)
    assert sorted(map(tuple, frame.values.tolist())) == [("district", "nord", 1300.0), ("sex", "f", 1050.0), ("sex", "h", 950.0)]


@pytest.mark.parametrize(
    "rows, words",
    [
        ([{"variable": "sex", "category": "f", "count": "-3"}], "effectif invalide"),
        ([{"variable": "sex", "category": "f", "count": "beaucoup"}], "effectif invalide"),
        ([{"variable": "", "category": "f", "count": "3"}], "obligatoires"),
        ([{"variable": "sex", "category": "f", "count": "3"}, {"variable": "sex", "category": "f", "count": "4"}], "deux fois"),
        ([], "Aucune marge"),
    ],
)
def test_bad_margins_are_refused_with_the_line(db_session, create_campaign, rows, words):
    campaign = create_campaign()
    with pytest.raises(ServiceError, match=words):
        margins.set_margins(db_session, campaign, rows)
    assert margins.margins_frame(db_session, campaign).empty


def test_csv_without_the_columns_is_refused():
    with pytest.raises(ServiceError, match="Colonnes manquantes"):
        margins.parse_margins_csv("var,cat,n\nsex,f,3\n")
