"""Ranking order, ties, the PEARL gate in a ranking, grouping by CLS axis."""
import pytest

from analysis.priorities import (
    Assessment, Pearl, ScoringGrid, build_candidates, group_by_axis, rank_candidates,
)

from ._factories import gap, indicator


def candidates(assessments=None):
    # With the Hanlon grid and B = C = 5: total = (A + 5) * 5 / 3
    return build_candidates([
        indicator("depistage", 0.10, "prevention_environnement"),          # A = 7  -> 20
        indicator("mt", 0.25, "acces_soins"),                               # A = 9  -> 23.3
        indicator("stress", 0.01, "sante_mentale"),                         # A = 5  -> 16.7
        indicator("renoncement", 0.175, "acces_soins"),                     # A = 8  -> 21.7
        indicator("isolement", 0.50, "parcours_vulnerables"),               # A = 10 -> 25
    ], assessments=assessments)


def test_ranking_order_follows_the_totals():
    ranking = rank_candidates(candidates(), ScoringGrid.hanlon())
    assert [(r.rank, r.key) for r in ranking.ranked] == [
        (1, "isolement"), (2, "mt"), (3, "renoncement"), (4, "depistage"), (5, "stress")]
    assert [round(r.score.total, 2) for r in ranking.ranked] == [25.0, 23.33, 21.67, 20.0, 16.67]


def test_entered_effectiveness_changes_the_order():
    ranking = rank_candidates(candidates({"stress": Assessment(seriousness=9, effectiveness=9)}),
                              ScoringGrid.hanlon())
    assert ranking.ranked[0].key == "stress"                   # (5 + 9) * 9 / 3 = 42
    assert ranking.ranked[0].score.total == pytest.approx(42)


def test_ties_are_broken_by_inequity_then_size_then_key():
    found = build_candidates([
        indicator("b_need", 0.25),
        indicator("a_need", 0.25),
        indicator("c_need", 0.25, gaps=[gap("Zola", 0.10)]),
    ])
    ranking = rank_candidates(found, ScoringGrid(inequity_weight=0, demand_weight=0))
    assert [r.key for r in ranking.ranked] == ["c_need", "a_need", "b_need"]


def test_pearl_failures_leave_the_ranking_but_stay_on_record():
    no = Assessment(pearl=Pearl(legality=False))
    ranking = rank_candidates(candidates({"isolement": no}), ScoringGrid.hanlon())
    assert [r.key for r in ranking.ranked][:2] == ["mt", "renoncement"]
    assert ranking.ranked[0].rank == 1
    assert [(r.key, r.rank) for r in ranking.set_aside] == [("isolement", None)]
    assert ranking.set_aside[0].score.total == pytest.approx(25)
    frame = ranking.to_frame()
    row = frame.set_index("key").loc["isolement"]
    assert row["status"] == "set_aside" and row["pearl_failed"] == "legality"
    assert list(frame.columns[5:11]) == ["A", "B", "C", "I", "D", "total"]


def test_grouping_by_axis_keeps_rank_order_and_axis_order():
    ranking = rank_candidates(candidates(), ScoringGrid.hanlon())
    groups = ranking.by_axis()
    assert list(groups) == ["acces_soins", "sante_mentale", "prevention_environnement",
                            "parcours_vulnerables"]
    assert [r.key for r in groups["acces_soins"]] == ["mt", "renoncement"]
    custom = group_by_axis(ranking.ranked, ["parcours_vulnerables"])
    assert list(custom)[0] == "parcours_vulnerables"
    assert list(custom)[1:] == sorted(["acces_soins", "sante_mentale",
                                       "prevention_environnement"])


def test_candidates_without_axis_come_last():
    found = build_candidates([indicator("autre", 0.3, axis=None), indicator("mt", 0.1)])
    groups = rank_candidates(found).by_axis()
    assert list(groups) == ["acces_soins", None]
    assert groups[None][0].candidate.axis_label == "Sans axe"


def test_duplicate_keys_are_refused():
    found = build_candidates([indicator("mt", 0.1)])
    with pytest.raises(ValueError):
        rank_candidates([found[0], found[0]])
