"""Scores computed by hand: scales, variants, weights, PEARL gate, sources of B and C."""
import math

import pytest

from analysis.priorities import (
    Assessment, DemandScale, InequityScale, Need, Pearl, ScoringGrid, SizeScale,
    build_candidates, format_number_fr, score,
)

from ._factories import gap, indicator, option, professional, theme


def one_candidate(assessment=None, **evidence):
    """The need "médecin traitant": 17.5 % (A = 8), worst district +8 points (I = 4),
    25 % rank it in their top 3 (5) and 5 % raise it in free text (2): D = 5."""
    need = Need("medecin", "Accès à un médecin traitant", "acces_soins",
                indicators=("sans_medecin_traitant",), themes=("medecin_generaliste",),
                ranking_options=("medecins",), professional=("besoin_fort_mt",))
    found = build_candidates(
        [indicator("sans_medecin_traitant", 0.175, gaps=[gap("Zola", 0.08),
                                                          gap("Gare", 0.03)])],
        evidence.get("themes", [theme("medecin_generaliste", 0.05)]),
        [option("medecins", 0.25)], evidence.get("professional", []), [need],
        assessments={"medecin": assessment or Assessment(seriousness=6, effectiveness=9)})
    return found["medecin"]


@pytest.mark.parametrize("share, expected", [
    (0.0, 0.0), (0.0001, 1.0), (0.001, 3.0), (0.01, 5.0), (0.055, 6.0), (0.10, 7.0),
    (0.175, 8.0), (0.25, 9.0), (0.30, 9.2), (0.50, 10.0), (0.80, 10.0),
])
def test_size_scale_interpolates_hanlon_bands(share, expected):
    # between (0.10, 7) and (0.25, 9): 7 + (0.175 - 0.10) / 0.15 * 2 = 8
    assert SizeScale()(share) == pytest.approx(expected)


def test_inequity_and_demand_scales():
    assert InequityScale()(0.08) == pytest.approx(4.0)      # 10 * 0.08 / 0.20
    assert InequityScale()(0.35) == 10.0
    assert InequityScale()(-0.1) == 0.0
    assert DemandScale()(0.25, 0.05) == pytest.approx(5.0)   # max(10 * .25/.5, 10 * .05/.25)
    assert DemandScale()(0.10, 0.20) == pytest.approx(8.0)
    assert DemandScale()(0.9, 0.0) == 10.0


@pytest.mark.parametrize("grid, expected", [
    (ScoringGrid(), (8 + 6 + 4 + 5) * 9 / 3),                           # 69
    (ScoringGrid("double_b"), (8 + 2 * 6 + 4 + 5) * 9 / 3),             # 87
    (ScoringGrid.hanlon(), (8 + 6) * 9 / 3),                            # 42
    (ScoringGrid.hanlon("double_b"), (8 + 2 * 6) * 9 / 3),              # 60
    (ScoringGrid(inequity_weight=0.5, demand_weight=2), (8 + 6 + 2 + 10) * 9 / 3),  # 78
])
def test_hand_computed_totals(grid, expected):
    result = score(one_candidate(), grid)
    assert result.parts() == pytest.approx({"A": 8, "B": 6, "C": 9, "I": 4, "D": 5})
    assert result.total == pytest.approx(expected)
    assert result.status == "ranked"


def test_computation_is_written_with_the_candidates_values():
    assert score(one_candidate()).computation_fr() == "(8 + 6 + 4 + 5) × 9 / 3 = 69"
    assert score(one_candidate(), ScoringGrid("double_b", 0.5, 0)).computation_fr() == \
        "(8 + 2 × 6 + 0,5 × 4) × 9 / 3 = 66"


def test_formula_texts():
    assert ScoringGrid.hanlon().formula_fr() == "Score de priorité = (A + B) × C / 3"
    assert ScoringGrid.hanlon("double_b").formula_fr() == "Score de priorité = (A + 2B) × C / 3"
    assert ScoringGrid().formula_fr() == "Score de priorité = (A + B + I + D) × C / 3"
    assert ScoringGrid(inequity_weight=1.5, demand_weight=0.25).formula_fr() == \
        "Score de priorité = (A + B + 1,5 × I + 0,25 × D) × C / 3"
    text = ScoringGrid().formula_text_fr()
    lines = text.splitlines()
    assert lines[0].startswith("Score de priorité = (A + B + I + D) × C / 3")
    assert "de 0 à 133,3" in lines[0]
    assert [line[:4] for line in lines[1:6]] == ["A : ", "B : ", "C : ", "I : ", "D : "]
    assert "25 % → 9" in text and "Benjamini-Hochberg" in text
    assert "PEARL" in lines[-1] and "écarté" in lines[-1]
    hanlon = ScoringGrid.hanlon().formula_text_fr()
    assert "I : " not in hanlon and "D : " not in hanlon and "de 0 à 66,7" in hanlon


def test_failing_one_pearl_item_sets_aside_without_multiplying():
    passing = score(one_candidate())
    pearl = Pearl(propriety=True, economics=True, acceptability=True, resources=False,
                  legality=True)
    failing = score(one_candidate(Assessment(6, 9, pearl)))
    assert failing.set_aside and failing.status == "set_aside"
    assert failing.pearl_failed == ("resources",)
    assert failing.pearl["resources"] is False and failing.pearl["legality"] is True
    assert failing.total == pytest.approx(passing.total)   # the gate never multiplies
    assert "ressources" in failing.status_fr


def test_pearl_items_not_assessed_do_not_set_aside():
    result = score(one_candidate(Assessment(6, 9, Pearl(legality=True))))
    assert not result.set_aside
    assert Pearl(legality=True).pending == ("propriety", "economics", "acceptability",
                                            "resources")


def test_seriousness_proposed_from_professionals_then_default():
    pro = [professional("besoin_fort_mt", 18, 30)]        # 60 % rate the need high
    proposed = score(one_candidate(Assessment(effectiveness=9), professional=pro))
    assert proposed.seriousness == pytest.approx(6.0)
    assert proposed.sources["B"].startswith("proposée d'après les professionnels")
    entered = score(one_candidate(Assessment(seriousness=3, effectiveness=9), professional=pro))
    assert entered.seriousness == 3 and entered.sources["B"] == "saisie par le comité"
    default = score(one_candidate(Assessment()), ScoringGrid(default_effectiveness=4))
    assert default.seriousness == 5 and default.effectiveness == 4
    assert "défaut" in default.sources["B"] and "défaut" in default.sources["C"]


def test_thin_professional_counts_propose_nothing():
    pro = [professional("besoin_fort_mt", 6, 9)]          # fewer than 11 respondents
    result = score(one_candidate(Assessment(effectiveness=9), professional=pro))
    assert result.seriousness == 5


def test_entered_values_are_checked():
    with pytest.raises(ValueError, match="entre 0 et 10"):
        Assessment(seriousness=12)
    with pytest.raises(ValueError, match="entre 0 et 10"):
        Assessment(effectiveness=-1)
    with pytest.raises(ValueError):
        ScoringGrid(variant="triple_b")
    with pytest.raises(ValueError):
        ScoringGrid(inequity_weight=-1)


def test_french_numbers():
    assert format_number_fr(33.333) == "33,3"
    assert format_number_fr(8.0) == "8"
    assert format_number_fr(0.25, 2) == "0,25"
    assert format_number_fr(math.nan) == "–"
