"""Building candidates: grouping by mapping and by axis, districts, verbatims, thin data."""
import math

from analysis.priorities import (
    MAX_VERBATIMS, Figure, IndicatorEvidence, Need, ScoringGrid, ThemeEvidence,
    build_candidates, rank_candidates, score,
)

from ._factories import gap, indicator, option, professional, theme


def test_declared_needs_gather_their_evidence_and_other_indicators_stand_alone():
    needs = [Need("medecin", "Médecin traitant", "acces_soins",
                  indicators=("sans_medecin_traitant",), themes=("medecin_generaliste",),
                  ranking_options=("medecins",), professional=("depart_5_ans",))]
    found = build_candidates(
        [indicator("sans_medecin_traitant", 0.2), indicator("stress_eleve", 0.3, "sante_mentale")],
        [theme("medecin_generaliste", 0.1), theme("sante_mentale", 0.08, "sante_mentale")],
        [option("medecins", 0.4), option("sante_mentale", 0.2, axis="sante_mentale")],
        [professional("depart_5_ans", 12, 40, kind="capacity")], needs)
    assert [c.key for c in found] == ["medecin", "stress_eleve"]
    medecin = found["medecin"]
    assert [t.key for t in medecin.themes] == ["medecin_generaliste"]
    assert medecin.themes[0].match == "mapping"
    assert [o.option for o in medecin.ranking] == ["medecins"]
    assert medecin.professional[0].kind == "capacity"
    # by axis: the mental-health theme and option join the indicator of the same axis
    stress = found["stress_eleve"]
    assert [(t.key, t.match) for t in stress.themes] == [("sante_mentale", "axis")]
    assert [(o.option, o.match) for o in stress.ranking] == [("sante_mentale", "axis")]
    assert found.unmatched == () and found.missing == ()


def test_a_need_without_axis_takes_its_indicators_and_typos_are_reported():
    needs = [Need("medecin", "Médecin traitant", indicators=("mt",), themes=("medecin_generalist",))]
    found = build_candidates([indicator("mt", 0.2, "acces_soins")], needs=needs)
    assert found["medecin"].axis == "acces_soins"
    assert found.missing == ("medecin: themes medecin_generalist",)


def test_axis_matching_can_be_turned_off_and_leftovers_are_reported():
    found = build_candidates([indicator("stress_eleve", 0.3, "sante_mentale")],
                             [theme("logement", 0.1, "prevention_environnement"),
                              theme("sante_mentale", 0.1, "sante_mentale")],
                             match_by_axis=False)
    assert found["stress_eleve"].themes == ()
    assert sorted(t.key for t in found.unmatched) == ["logement", "sante_mentale"]


def test_a_need_declared_without_an_indicator_is_sized_from_its_theme():
    needs = [Need("securite", "Sécurité", "prevention_environnement", themes=("securite",))]
    found = build_candidates(themes=[theme("securite", 0.12, "prevention_environnement")],
                             needs=needs)
    candidate = found["securite"]
    assert not candidate.thin
    assert "thème évoqué spontanément" in candidate.lead[0]
    assert score(candidate).size == score(candidate).grid.size(0.12)


def test_districts_concerned_are_the_significant_ones_worse_first():
    gaps = [gap("Gare", -0.05, direction="better"), gap("Zola", 0.04),
            gap("Port", 0.09), gap("Centre", 0.02, p_adjusted=0.3, direction="similar")]
    candidate = build_candidates([indicator("renoncement_soins", 0.2, gaps=gaps)])[0]
    assert [(g.group, g.direction) for g in candidate.districts] == [
        ("Port", "worse"), ("Zola", "worse"), ("Gare", "better")]
    assert [g.group for g in candidate.worse_districts] == ["Port", "Zola"]
    assert "moins favorable" in candidate.districts[0].direction_fr


def test_a_district_with_fewer_than_11_respondents_is_never_a_finding():
    small = gap("Les Tilleuls", 0.30, n=8)
    assert small.direction == "insufficient" and math.isnan(small.difference)
    assert small.n is None
    candidate = build_candidates([indicator("x", 0.2, gaps=[small])])[0]
    assert candidate.districts == ()
    assert score(candidate).inequity == 0


def test_verbatims_are_masked_at_most_three_mapped_themes_first():
    mapped = theme("medecin_generaliste", 0.05, verbatims=[
        "Écrivez-moi à jeanne.dupont@exemple.fr pour en parler",
        "Appelez le cabinet au 06 12 34 56 78, personne ne répond",
        "Appelez le cabinet au 06 12 34 56 78, personne ne répond",   # duplicate
        "",
    ])
    other = theme("urgences", 0.20, verbatims=["Le Dr Martin est parti", "Trop d'attente"])
    needs = [Need("medecin", "Médecin", "acces_soins", indicators=("mt",),
                  themes=("medecin_generaliste",))]
    candidate = build_candidates([indicator("mt", 0.2)], [mapped, other], needs=needs,
                                 match_by_axis=False)["medecin"]
    assert MAX_VERBATIMS == 3
    assert candidate.verbatims == (
        "Écrivez-moi à [courriel] pour en parler",
        "Appelez le cabinet au [téléphone], personne ne répond",
    )
    for text in candidate.verbatims:
        assert "@" not in text and "06 12" not in text
    # the evidence itself still holds the raw answers; only the candidate quotes them
    assert "@" in candidate.themes[0].verbatims[0]
    found = build_candidates([indicator("mt", 0.2)], [mapped, other])
    quoted = found["mt"].verbatims
    assert len(quoted) == 3
    assert quoted[0] == "Le Dr [nom] est parti"           # the larger theme first when
    assert "[courriel]" in quoted[2]                          # both are matched by axis


def test_thin_candidate_is_marked_and_never_printed_as_a_finding():
    thin = IndicatorEvidence("aidant", "Aidant d'un proche", "parcours_vulnerables",
                             Figure(0.4, 0.1, 0.7, n=7, n_cell=3))
    assert thin.town.suppressed and math.isnan(thin.town.estimate) and thin.town.n is None
    candidate = build_candidates([thin, indicator("mt", 0.2)])["aidant"]
    assert candidate.thin and candidate.lead is None
    assert "moins de 11 répondants" in candidate.thin_reason
    result = score(candidate)
    assert result.thin and result.status == "insufficient"
    assert math.isnan(result.size) and math.isnan(result.total)
    ranking = rank_candidates(build_candidates([thin, indicator("mt", 0.2)]))
    assert [r.key for r in ranking.ranked] == ["mt"]
    assert [r.key for r in ranking.insufficient] == ["aidant"]
    assert ranking.insufficient[0].rank is None


def test_small_cell_in_a_large_group_is_suppressed_too():
    figure = Figure(0.02, 0.01, 0.03, n=400, n_cell=8)
    assert figure.suppressed and figure.n == 400 and figure.n_cell is None


def test_fragile_lead_figure_is_flagged():
    candidate = build_candidates([indicator("mt", 0.4, n=25)])[0]
    assert candidate.fragile and not candidate.thin


def test_hostile_text_is_kept_as_plain_data():
    hostile = "<script>alert('x')</script> & \"quotes\" <b>gras</b>"
    evidence = IndicatorEvidence("x", hostile, "acces_soins", Figure(0.3, 0.25, 0.35, 300))
    found = build_candidates([evidence], [ThemeEvidence(
        "t", hostile, "acces_soins", Figure(0.1, 0.05, 0.15, 300), verbatims=(hostile,))])
    candidate = found[0]
    assert candidate.label == hostile
    assert candidate.verbatims == (hostile,)
    ranking = rank_candidates(found, ScoringGrid())
    assert ranking.to_frame().loc[0, "label"] == hostile
    assert hostile in score(candidate).sources["A"]


def _labelled_option(code, label, top, axis="acces_soins"):
    from analysis.priorities import RankingEvidence

    from ._factories import figure

    return RankingEvidence(code, label, axis, figure(top / 2), figure(top))


def test_evidence_naming_a_need_goes_to_it_and_only_that_counts_for_demand():
    """An option or theme is tied to the needs whose label names it with the same word (or a
    form of it); only when none does is it shared by the axis, as context that scores nothing."""
    found = build_candidates(
        [indicator("sans_medecin", 0.2, label="Sans médecin traitant"),
         indicator("urgences", 0.1, label="Recours aux urgences faute de médecin disponible"),
         indicator("dentiste", 0.15, label="Pas de dentiste depuis plus de 2 ans"),
         indicator("grippe", 0.4, "prevention_environnement", label="Non vacciné(e) contre la grippe"),
         indicator("bruit", 0.3, "prevention_environnement", label="Très gêné(e) par le bruit")],
        [ThemeEvidence("acces", "Accès aux soins difficile", "acces_soins", Figure(0.3, 0.25, 0.35, 300))],
        [_labelled_option("medecins", "Attirer des médecins, ouvrir un centre de santé", 0.4),
         _labelled_option("prevention", "La prévention (dépistages, vaccination)", 0.2,
                          "prevention_environnement")])
    assert [(o.option, o.match) for o in found["sans_medecin"].ranking] == [("medecins", "words")]
    assert [(o.option, o.match) for o in found["urgences"].ranking] == [("medecins", "words")]
    assert found["dentiste"].ranking == ()  # « médecins » does not name the dentist
    assert [(o.option, o.match) for o in found["grippe"].ranking] == [("prevention", "words")]
    assert found["bruit"].ranking == ()
    # a theme naming no need of its axis is shared by the axis…
    assert [(t.key, t.match) for t in found["dentiste"].themes] == [("acces", "axis")]
    # …and speaks of the axis, not of the need: no demand from it
    grid = ScoringGrid()
    assert score(found["sans_medecin"], grid).demand == grid.demand(0.4, 0.0)
    dentist = score(found["dentiste"], grid)
    assert dentist.demand == 0.0 and "propre à ce besoin" in dentist.sources["D"]
    assert score(found["grippe"], grid).demand == grid.demand(0.2, 0.0)


def test_labels_share_a_need_word_not_a_general_one():
    from analysis.priorities._candidates import same_need_words

    assert same_need_words("Difficulté à obtenir un rendez-vous de spécialiste", "Réduire les délais chez les spécialistes")
    assert same_need_words("Humidité ou moisissures dans le logement", "Le logement dégradé ou insalubre")
    assert not same_need_words("Sans complémentaire santé", "La santé mentale")  # « santé » names no need
    assert not same_need_words("Besoin d'aide psychologique non couvert", "Besoin d'aide au quotidien non couvert")
    assert not same_need_words("", "La santé mentale")
    assert not same_need_words("Dépistage du cancer du col non à jour", "Les personnes âgées (maintien à domicile)")
