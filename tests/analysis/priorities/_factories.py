"""Small evidence objects for the priorities tests (hand-sized, hand-computed)."""
from analysis.priorities import (
    DistrictGap, Figure, IndicatorEvidence, ProfessionalEvidence, RankingEvidence,
    ThemeEvidence,
)


def figure(estimate, n=400, low=None, high=None):
    return Figure(estimate, estimate - 0.02 if low is None else low,
                  estimate + 0.02 if high is None else high, n)


def gap(group, difference, p_adjusted=0.001, direction="worse", indicator="x", n=120,
        variable="district"):
    return DistrictGap(indicator, variable, group, 0.2 + difference, 0.2, difference,
                       difference - 0.03, difference + 0.03, p_adjusted / 2, p_adjusted,
                       n, 1000, direction)


def indicator(name, estimate, axis="acces_soins", gaps=(), n=400, label=None):
    return IndicatorEvidence(name, label or name.replace("_", " "), axis,
                             figure(estimate, n), gaps=tuple(gaps))


def theme(key, share, axis="acces_soins", verbatims=(), n=300):
    return ThemeEvidence(key, key.replace("_", " "), axis, figure(share, n),
                         verbatims=tuple(verbatims))


def option(code, top, first=None, axis="acces_soins"):
    return RankingEvidence(code, code, axis, figure(top / 2 if first is None else first),
                           figure(top))


def professional(key, count, n, axis="acces_soins", kind="need"):
    return ProfessionalEvidence(key, key.replace("_", " "), axis, kind,
                                Figure.from_counts(count, n))
