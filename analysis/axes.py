"""The strategic axes of a CLS and the keywords that tie a theme to one of them.

Each CLS chooses its own axes; the defaults are the four most CLS share. A lexicon is
a plain mapping ``axis -> keywords`` (lemmas or multi-word expressions, as produced
by :mod:`analysis.text`), so a coordinator can adapt it in a YAML file.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_AXES", "AXIS_LABELS", "AxisScore", "score_axes", "best_axis"]

#: French labels of the default axes, for reports.
AXIS_LABELS = {
    "acces_soins": "Accès aux soins et aux droits",
    "sante_mentale": "Santé mentale",
    "prevention_environnement": "Prévention et environnement favorable à la santé",
    "parcours_vulnerables": "Parcours de santé des personnes vulnérables",
}

#: Default keyword lexicon per axis (lemmas, lower case).
DEFAULT_AXES: Mapping[str, tuple[str, ...]] = {
    "acces_soins": (
        "médecin", "médecin traitant", "médecin généraliste", "médecin spécialiste",
        "généraliste", "spécialiste", "docteur", "rendez-vous", "prise de rendez-vous",
        "délai", "délai d'attente", "temps d'attente", "liste d'attente", "attente",
        "attendre", "consultation", "consulter", "cabinet", "patient", "urgence",
        "urgences", "service des urgences", "hôpital", "dentiste", "ophtalmologue",
        "gynécologue", "pédiatre", "dermatologue", "cardiologue", "kinésithérapeute",
        "infirmier", "infirmière", "pharmacie", "centre de santé", "maison de santé",
        "désert", "médical", "soin", "soins", "accès aux soins", "mutuelle",
        "complémentaire santé", "sécurité sociale", "remboursement", "rembourser",
        "remboursé", "cher", "coût", "coûter", "prix", "tarif", "frais", "argent",
        "moyen", "payer", "dépassement", "dépassement d'honoraires", "honoraire",
        "reste à charge", "tiers payant", "carte vitale", "droit", "renoncer",
        "lunette", "prothèse", "soins dentaires", "doctolib", "créneau",
    ),
    "sante_mentale": (
        "santé mentale", "psychologue", "psychiatre", "psy", "psychologique",
        "psychiatrique", "thérapeute", "cmp", "stress", "stresser", "stressé",
        "anxiété", "anxieux", "angoisse", "angoissé", "dépression", "déprime",
        "déprimé", "détresse", "souffrance", "psychique", "mal-être", "burn-out",
        "suicide", "idées noires", "écoute", "point d'écoute", "soutien", "moral",
        "harcèlement", "addiction", "sommeil", "épuisé", "moralement",
    ),
    "prevention_environnement": (
        "pollution", "pollution de l'air", "qualité de l'air", "air", "bruit",
        "nuisance sonore", "sonore", "circulation", "voiture", "camion", "trafic",
        "périphérique", "autoroute", "espaces verts", "arbre", "parc", "verdure",
        "chaleur", "allergie", "asthme", "particule", "environnement", "logement",
        "logement insalubre", "insalubre", "humidité", "moisissure", "humide",
        "vétuste", "chauffage", "punaise", "cafard", "précarité énergétique",
        "isolé", "plomb", "prévention", "dépistage", "vaccination", "sport",
        "activité physique", "alimentation", "piste cyclable", "vélo", "travaux",
        "chantier", "salpêtre", "condensation", "infiltration", "surpeuplement",
    ),
    "parcours_vulnerables": (
        "personnes âgées", "âgé", "senior", "aîné", "ancien", "retraité", "vieux",
        "isolement", "isolé", "seul", "solitude", "lien social", "visite", "ehpad",
        "aide à domicile", "maintien à domicile", "perte d'autonomie", "autonomie",
        "aidant", "auxiliaire", "portage", "repas", "handicap", "handicapé",
        "personne handicapée", "situation de handicap", "précarité", "précaire",
        "pauvreté", "sans-abri", "migrant", "démarche", "numérique", "internet",
        "déplacer", "accompagner", "accompagnement", "grand-mère", "parent",
    ),
}


@dataclass(frozen=True)
class AxisScore:
    """The axis a theme most likely belongs to.

    Attributes
    ----------
    axis : str or None
        Best axis; None when no top term is in the lexicon.
    score : float
        Share of the theme's top-term weight matched by that axis, in [0, 1].
    scores : dict
        Share matched by every axis.
    """

    axis: str | None
    score: float
    scores: dict


_SPLIT = re.compile(r"[\s'-]+")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _compile(lexicon: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    return {axis: frozenset(_fold(k) for k in keywords) for axis, keywords in lexicon.items()}


def score_axes(terms: Sequence[str], weights: Sequence[float] | None = None,
               lexicon: Mapping[str, Iterable[str]] | None = None) -> dict[str, float]:
    """Return, per axis, the share of the terms' weight that its keywords match.

    A term matches an axis fully when it is one of its keywords, and half when only
    one of its words is (so "médecin traitant" still counts for a lexicon that has
    "médecin"). Comparison ignores case and accents.

    Parameters
    ----------
    terms : sequence of str
        Lemmas or expressions, e.g. a theme's top terms or an answer's tokens.
    weights : sequence of float, optional
        Weight of each term (default: equal).
    lexicon : mapping, optional
        ``axis -> keywords``; defaults to :data:`DEFAULT_AXES`.

    Returns
    -------
    dict
        ``axis -> share`` in [0, 1]; shares may sum to more than 1 when a keyword
        belongs to several axes.
    """
    compiled = _compile(DEFAULT_AXES if lexicon is None else lexicon)
    if weights is None:
        weights = [1.0] * len(terms)
    total = float(sum(weights))
    scores = dict.fromkeys(compiled, 0.0)
    if total <= 0:
        return scores
    for term, weight in zip(terms, weights):
        folded = _fold(term)
        parts = [p for p in _SPLIT.split(folded) if p]
        for axis, keywords in compiled.items():
            if folded in keywords:
                scores[axis] += weight
            elif len(parts) > 1 and any(p in keywords for p in parts):
                scores[axis] += 0.5 * weight
    return {axis: value / total for axis, value in scores.items()}


def best_axis(terms: Sequence[str], weights: Sequence[float] | None = None,
              lexicon: Mapping[str, Iterable[str]] | None = None) -> AxisScore:
    """Return the axis whose keywords match most of the terms' weight (see :func:`score_axes`)."""
    scores = score_axes(terms, weights, lexicon)
    if not scores or max(scores.values()) <= 0:
        return AxisScore(None, 0.0, scores)
    axis = max(scores, key=lambda a: (scores[a], -list(scores).index(a)))
    return AxisScore(axis, scores[axis], scores)
