"""Candidate priorities: one per need, each with the evidence it rests on.

Private module of :mod:`analysis.priorities`.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.axes import AXIS_LABELS
from analysis.privacy import mask_pii

from ._evidence import (
    DistrictGap, Figure, IndicatorEvidence, ProfessionalEvidence, RankingEvidence,
    ThemeEvidence,
)

__all__ = ["PEARL_ITEMS", "MAX_VERBATIMS", "Need", "Pearl", "Assessment", "Candidate",
           "CandidateSet", "build_candidates"]

#: The PEARL items and their French names, in the order of the acronym.
PEARL_ITEMS = {
    "propriety": "Pertinence (relève des missions des partenaires du CLS)",
    "economics": "Économie (l'action a un sens économique)",
    "acceptability": "Acceptabilité (par la population et les partenaires)",
    "resources": "Ressources (disponibles ou mobilisables)",
    "legality": "Légalité (la loi permet d'agir)",
}
#: Verbatims quoted as evidence for one candidate.
MAX_VERBATIMS = 3
#: How a piece of evidence is tied to a candidate, from the closest: declared in a
#: :class:`Need`, named with the same word (a form of it) as the need, or only of
#: the same CLS axis. Only the first two speak of *this* need.
MATCHES = ("mapping", "words", "axis")
#: Words of need labels too general to tie two labels together ("santé", "soins",
#: "besoin"…), beside the French stop words.
GENERAL_WORDS = frozenset({
    "sante", "soin", "soins", "besoin", "besoins", "aide", "aides", "difficulte", "difficultes",
    "acces", "personne", "personnes", "probleme", "problemes", "public", "prioritaire",
    "moins", "annee", "annees", "jour", "jours", "semaine", "depuis", "faute", "quotidien",
    "reduire", "attirer", "ouvrir", "trouver", "situation", "etat", "activite", "activites", "couvert", "couverts", "couverte",
})


@lru_cache(maxsize=4096)
def _label_words(label: str) -> frozenset[str]:
    """The words of a label that can name a need: folded, four letters or more, neither
    a French stop word nor one of :data:`GENERAL_WORDS`."""
    from analysis.coding._match import fold

    words = re.findall(r"[^\W\d_]+", fold(label or ""))
    stop = _stop_words()
    return frozenset(w for w in words if len(w) >= 4 and w not in stop and w not in GENERAL_WORDS)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from analysis.coding._match import fold
    from analysis.text._lexicon import STOP_WORDS

    return frozenset(fold(w) for w in STOP_WORDS)


def same_need_words(label: str, other: str) -> bool:
    """Whether two labels name their need with the same word, or forms of one word
    ("Sans médecin traitant" / "Attirer des médecins"; "Non vacciné(e) contre la
    grippe" / "La prévention (dépistages, vaccination)")."""
    from analysis.coding._match import stem
    from analysis.coding._morphology import shares_root

    mine, theirs = _label_words(label), _label_words(other)
    # a prefixed word is not taken for its base here: « dépistage » is not « âgé »
    return any(a == b or stem(a) == stem(b) or shares_root(a, b) for a in mine for b in theirs)


@dataclass(frozen=True)
class Need:
    """A declared need: which evidence of each source belongs to it.

    The mapping the coordinator (or the questionnaire's data) declares, e.g. the need
    "médecin traitant" gathers the indicator ``sans_medecin_traitant``, the theme
    ``medecin_generaliste`` and the ranking option ``medecins``.

    Attributes
    ----------
    key, label, axis : str
    indicators, themes, ranking_options, professional : tuple of str
        Keys of the evidence of each source. The first publishable indicator gives
        the size of the problem.
    """

    key: str
    label: str
    axis: str | None = None
    indicators: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    ranking_options: tuple[str, ...] = ()
    professional: tuple[str, ...] = ()


def _score_value(value, name: str) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not 0 <= number <= 10:
        raise ValueError(f"{name} doit être comprise entre 0 et 10 (valeur reçue : {value})")
    return number


@dataclass(frozen=True)
class Pearl:
    """The PEARL gate: each item True (passes), False (fails) or None (not yet assessed).

    A candidate failing any item is set aside, whatever its score: PEARL is a gate,
    never a factor of the score.

    References
    ----------
    NACCHO. *Guide to Prioritization Techniques*, "Hanlon method" (the PEARL test).
    """

    propriety: bool | None = None
    economics: bool | None = None
    acceptability: bool | None = None
    resources: bool | None = None
    legality: bool | None = None

    def results(self) -> dict[str, bool | None]:
        """Return ``item -> True/False/None`` in PEARL order."""
        return {item: getattr(self, item) for item in PEARL_ITEMS}

    @property
    def failed(self) -> tuple[str, ...]:
        """Items answered "no"."""
        return tuple(item for item, ok in self.results().items() if ok is False)

    @property
    def pending(self) -> tuple[str, ...]:
        """Items not assessed yet."""
        return tuple(item for item, ok in self.results().items() if ok is None)

    @property
    def passes(self) -> bool:
        """No item failed (items not assessed do not set a candidate aside)."""
        return not self.failed


@dataclass(frozen=True)
class Assessment:
    """What the coordinator (or the comité de pilotage) enters for one candidate.

    Attributes
    ----------
    seriousness : float or None
        B, 0 to 10; None keeps the value proposed from the data.
    effectiveness : float or None
        C, 0 to 10; None takes the grid's default.
    pearl : Pearl
    note : str
        Why these values (printed beside them).
    """

    seriousness: float | None = None
    effectiveness: float | None = None
    pearl: Pearl = field(default_factory=Pearl)
    note: str = ""

    def __post_init__(self):
        object.__setattr__(self, "seriousness", _score_value(self.seriousness, "La gravité (B)"))
        object.__setattr__(self, "effectiveness",
                           _score_value(self.effectiveness, "L'efficacité (C)"))


@dataclass(frozen=True)
class Candidate:
    """A candidate priority for the comité de pilotage, with its evidence.

    Attributes
    ----------
    key, label : str
    axis : str or None
    indicators : tuple of IndicatorEvidence
        The lead indicator (size of the problem) first.
    themes, ranking, professional : tuples of evidence
        Each carries ``match`` ("mapping" or "axis").
    districts : tuple of DistrictGap
        Groups significantly different from the rest of the town after FDR, the
        less favourable first.
    verbatims : tuple of str
        Up to :data:`MAX_VERBATIMS` answers, personal data masked.
    assessment : Assessment
    thin : bool
        No publishable figure for the size of the problem (fewer than 11
        respondents): shown as "données insuffisantes", never as a finding.
    fragile : bool
        The lead figure rests on fewer than 30 respondents.
    """

    key: str
    label: str
    axis: str | None
    indicators: tuple[IndicatorEvidence, ...] = ()
    themes: tuple[ThemeEvidence, ...] = ()
    ranking: tuple[RankingEvidence, ...] = ()
    professional: tuple[ProfessionalEvidence, ...] = ()
    districts: tuple[DistrictGap, ...] = ()
    verbatims: tuple[str, ...] = ()
    assessment: Assessment = field(default_factory=Assessment)
    thin: bool = False
    fragile: bool = False

    @property
    def axis_label(self) -> str:
        return AXIS_LABELS.get(self.axis, self.axis or "Sans axe")

    @property
    def lead(self) -> tuple[str, Figure] | None:
        """``(basis, figure)`` giving the size of the problem, or None when thin.

        The first publishable indicator; failing one, the largest publishable share
        of residents raising a theme of this need (which understates its size).
        """
        for indicator in self.indicators:
            if not indicator.thin:
                return indicator.label, indicator.town
        themes = [t for t in self.themes if t.share.publishable and t.match in ("mapping", "words")]
        if themes:
            best = max(themes, key=lambda t: t.share.estimate)
            return f"{best.label} (thème évoqué spontanément)", best.share
        return None

    @property
    def worse_districts(self) -> tuple[DistrictGap, ...]:
        return tuple(g for g in self.districts if g.direction == "worse")

    @property
    def thin_reason(self) -> str:
        return ("Données insuffisantes : moins de 11 répondants, pas de constat publiable."
                if self.thin else "")

    def with_assessment(self, assessment: Assessment) -> Candidate:
        """Return a copy with this assessment."""
        return dataclasses.replace(self, assessment=assessment)


@dataclass(frozen=True)
class CandidateSet(Sequence):
    """The candidates of :func:`build_candidates`, and the evidence no need took.

    A sequence of :class:`Candidate`; ``set[key]`` also finds one by key.
    """

    candidates: tuple[Candidate, ...]
    #: Evidence no candidate took (no declared need, no candidate of its axis).
    unmatched: tuple = ()
    #: Declared evidence not found in the inputs (``"need: themes key"``): a typo in
    #: the mapping, or a source not computed.
    missing: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)

    def __getitem__(self, item):
        if isinstance(item, str):
            for candidate in self.candidates:
                if candidate.key == item:
                    return candidate
            raise KeyError(item)
        return self.candidates[item]


def _masked_verbatims(themes: Iterable[ThemeEvidence], limit: int) -> tuple[str, ...]:
    """Up to `limit` distinct masked verbatims, mapped themes first, larger themes first."""
    ordered = sorted((t for t in themes if t.share.publishable),
                     key=lambda t: (t.match != "mapping", -t.share.estimate))
    out: list[str] = []
    for theme in ordered:
        for text in theme.verbatims:
            masked = mask_pii(text).strip()
            if masked and masked not in out:
                out.append(masked)
            if len(out) == limit:
                return tuple(out)
    return tuple(out)


def build_candidates(indicators: Iterable[IndicatorEvidence] = (),
                     themes: Iterable[ThemeEvidence] = (),
                     ranking: Iterable[RankingEvidence] = (),
                     professional: Iterable[ProfessionalEvidence] = (),
                     needs: Iterable[Need] = (), *,
                     assessments: Mapping[str, Assessment] | None = None,
                     match_by_axis: bool = True,
                     max_verbatims: int = MAX_VERBATIMS) -> CandidateSet:
    """Build one candidate priority per need, each with its evidence.

    Parameters
    ----------
    indicators, themes, ranking, professional : iterables of evidence
        See :func:`indicator_evidence`, :func:`theme_evidence`,
        :func:`ranking_evidence` and :class:`ProfessionalEvidence`.
    needs : iterable of Need
        Declared mapping. Each need becomes a candidate with the evidence it lists;
        every indicator no need lists becomes a candidate of its own.
    assessments : mapping, optional
        ``candidate key -> Assessment`` entered by the coordinator.
    match_by_axis : bool
        Attach each theme, ranking option and professionals' item that no need
        lists to the candidates whose label names it with the same word
        (:func:`same_need_words`, ``match="words"``), or, when none does, to every
        candidate of the same axis that has no declared evidence of that source
        (``match="axis"``: context, not evidence of this need; the scores leave it out).
    max_verbatims : int

    Returns
    -------
    CandidateSet
        Declared needs first, in declaration order, then the other indicators in
        their order; ``unmatched`` holds the evidence tied to no candidate and
        ``missing`` the declared keys found in no input.
    """
    indicators, themes = list(indicators), list(themes)
    ranking, professional, needs = list(ranking), list(professional), list(needs)
    assessments = dict(assessments or {})
    listed = {n.key: n for n in needs}
    if len(listed) != len(needs):
        raise ValueError("two declared needs have the same key")
    sources = {
        "indicators": (indicators, lambda e: e.name, {n.key: list(n.indicators) for n in needs}),
        "themes": (themes, lambda e: e.key, {n.key: list(n.themes) for n in needs}),
        "ranking": (ranking, lambda e: e.option, {n.key: list(n.ranking_options) for n in needs}),
        "professional": (professional, lambda e: e.key,
                         {n.key: list(n.professional) for n in needs}),
    }
    attached, mapped, missing = {}, {}, []
    for source, (items, key_of, declared) in sources.items():
        by_key = {key_of(item): item for item in items}
        missing += [f"{need}: {source} {k}" for need, keys in declared.items()
                    for k in keys if k not in by_key]
        attached[source] = {need: [by_key[k] for k in keys if k in by_key]
                            for need, keys in declared.items()}
        if source != "indicators":
            attached[source] = {need: [dataclasses.replace(e, match="mapping") for e in found]
                                for need, found in attached[source].items()}
        mapped[source] = {k for keys in declared.values() for k in keys}
    # a need declared without an axis takes the axis of its first indicator
    order = [(n.key, n.label, n.axis or next(
        (e.axis for e in attached["indicators"][n.key] if e.axis), None)) for n in needs]
    for indicator in indicators:
        if indicator.name in mapped["indicators"]:
            continue
        if indicator.name in listed:  # a need named after the indicator it did not list
            attached["indicators"][indicator.name].append(indicator)
            continue
        order.append((indicator.name, indicator.label, indicator.axis))
        for source in sources:
            attached[source].setdefault(indicator.name, [])
        attached["indicators"][indicator.name] = [indicator]
    unmatched = []
    for source in ("themes", "ranking", "professional"):
        items, key_of, _ = sources[source]
        for item in items:
            if key_of(item) in mapped[source]:
                continue
            free = [(key, label, axis) for key, label, axis in order if match_by_axis
                    and not any(e.match == "mapping" for e in attached[source][key])]
            named = [key for key, label, _axis in free if same_need_words(label, item.label)]
            hosts = named or [key for key, _label, axis in free if axis is not None and axis == item.axis]
            for key in hosts:
                attached[source][key].append(dataclasses.replace(item, match="words" if named else "axis"))
            if not hosts:
                unmatched.append(item)
    candidates = []
    for key, label, axis in order:
        found = {source: tuple(attached[source].get(key, ())) for source in sources}
        gaps = [g for indicator in found["indicators"] for g in indicator.significant_gaps]
        gaps.sort(key=lambda g: (g.direction != "worse", -abs(g.difference), g.group))
        candidate = Candidate(
            key, label, axis, found["indicators"], found["themes"], found["ranking"],
            found["professional"], tuple(gaps),
            _masked_verbatims(found["themes"], max_verbatims),
            assessments.get(key, Assessment()))
        lead = candidate.lead
        candidates.append(dataclasses.replace(
            candidate, thin=lead is None, fragile=lead is not None and lead[1].fragile))
    return CandidateSet(tuple(candidates), tuple(unmatched), tuple(missing))
