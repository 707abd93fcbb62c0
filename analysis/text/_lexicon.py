"""Word lists for French health-survey answers: abbreviations, phrases, stop words.

Kept apart from the preprocessing code because they are data a coordinator may want to
read or extend; every list is a plain, immutable Python value, except
:data:`STOP_WORDS`, a read-only set computed on first use from spaCy's French list
(so that importing :mod:`analysis` never needs spaCy).
"""
from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable, Iterable, Iterator, Set
from pathlib import Path


def _spacy_french_stop_words() -> frozenset[str]:
    """Read spaCy's French stop-word list without importing ``spacy.lang.fr``.

    Importing that package builds the French tokenizer exceptions, which takes
    seconds; the list itself is one string literal, read here from the source file
    so that a warm-cache analysis never pays for spaCy.
    """
    try:
        spec = importlib.util.find_spec("spacy")
    except ValueError:  # sys.modules["spacy"] is None: import blocked
        spec = None
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("spaCy is needed for the French stop-word list")
    source = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 100:
            return frozenset(node.value.split())
    raise RuntimeError(f"no stop-word list found in {source}")


class LazyWordSet(Set):
    """A read-only set of words computed by ``compute()`` the first time it is used.

    Behaves as a frozenset (``in``, iteration, ``len``, set operators returning
    frozensets); :attr:`words` is the frozenset itself.
    """

    def __init__(self, compute: Callable[[], Iterable[str]]):
        self._compute = compute
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        """The words, computed on first access."""
        if self._words is None:
            self._words = frozenset(self._compute())
        return self._words

    @classmethod
    def _from_iterable(cls, iterable: Iterable[str]) -> frozenset[str]:
        return frozenset(iterable)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)

    __hash__ = Set._hash

    def __repr__(self) -> str:
        state = f"{len(self._words)} words" if self._words is not None else "not computed yet"
        return f"<LazyWordSet: {state}>"


#: SMS forms, abbreviations and frequent misspellings (lower case, accents dropped
#: or wrong) mapped to the written form the lemmatizer knows. Keys are matched as
#: whole words on the lower-cased answer.
ABBREVIATIONS = {
    # appointments, doctors
    "rdv": "rendez-vous", "rdvs": "rendez-vous", "rdz-vous": "rendez-vous",
    "rendez vous": "rendez-vous", "rendez-vs": "rendez-vous", "rendezvous": "rendez-vous",
    "mdt": "médecin traitant", "med traitant": "médecin traitant",
    "medecin": "médecin", "medecins": "médecins", "médecain": "médecin",
    "medcin": "médecin", "medcins": "médecins", "mèdecin": "médecin", "méd": "médecin",
    "toubib": "médecin", "toubibs": "médecins",
    "generaliste": "généraliste", "generalistes": "généralistes",
    "géneraliste": "généraliste", "généraliste.": "généraliste",
    "specialiste": "spécialiste", "specialistes": "spécialistes",
    "dr": "docteur", "doc": "docteur",
    "urgense": "urgence", "urgenses": "urgences", "urjences": "urgences",
    "urgance": "urgence", "urgances": "urgences",
    "dantiste": "dentiste", "dentistte": "dentiste", "dentist": "dentiste",
    "ophtalmo": "ophtalmologue", "ophtalmos": "ophtalmologues", "opthalmo": "ophtalmologue",
    "gyneco": "gynécologue", "gynéco": "gynécologue", "gygy": "gynécologue",
    "pediatre": "pédiatre", "pediatres": "pédiatres",
    "kine": "kinésithérapeute", "kiné": "kinésithérapeute", "kines": "kinésithérapeutes",
    "kinés": "kinésithérapeutes",
    "infirmiere": "infirmière", "infirmieres": "infirmières",
    "hopital": "hôpital", "hopitaux": "hôpitaux", "hôpitale": "hôpital",
    "delai": "délai", "delais": "délais", "délait": "délai", "délais.": "délais",
    "specialité": "spécialité", "acces": "accès", "acceder": "accéder",
    "sante": "santé", "santée": "santé", "secu": "sécurité sociale",
    "securite sociale": "sécurité sociale", "sécu": "sécurité sociale",
    "mutuel": "mutuelle", "mutuele": "mutuelle",
    "depassement": "dépassement", "depassements": "dépassements",
    "rembourssement": "remboursement",
    "medicament": "médicament", "medicaments": "médicaments", "médoc": "médicament",
    "médocs": "médicaments", "medoc": "médicament", "medocs": "médicaments",
    "chere": "chère", "cheres": "chères",
    # problems, mental health
    "pb": "problème", "pbs": "problèmes", "pbm": "problème", "pbms": "problèmes",
    "prob": "problème", "probleme": "problème", "problemes": "problèmes",
    "problém": "problème", "pblm": "problème",
    "depression": "dépression", "deprime": "déprime", "déprimer": "déprimé",
    "anxiete": "anxiété", "angoise": "angoisse", "stréss": "stress",
    "mal etre": "mal-être", "mal être": "mal-être", "mal-etre": "mal-être",
    "burn out": "burn-out", "burnout": "burn-out",
    "ecoute": "écoute", "isolee": "isolée", "isolees": "isolées", "isolé(e)": "isolé",
    # elderly, environment, housing
    "agee": "âgée", "agees": "âgées", "agé": "âgé", "agés": "âgés", "âgee": "âgée",
    "agée": "âgée", "agées": "âgées", "age": "âge",
    "qualite": "qualité", "qualitée": "qualité", "polution": "pollution",
    "pollutions": "pollution",
    "humidite": "humidité", "humiditée": "humidité", "moisisure": "moisissure",
    "moisisures": "moisissures", "moississures": "moisissures",
    "logment": "logement", "logemment": "logement", "appart": "appartement",
    "apparts": "appartements", "hlm": "logement social",
    "securite": "sécurité", "velo": "vélo", "velos": "vélos",
    "prevention": "prévention", "depistage": "dépistage",
    # grammar words and SMS
    "tel": "téléphone", "tél": "téléphone", "telephone": "téléphone",
    "qqn": "quelqu'un", "qqun": "quelqu'un", "qq1": "quelqu'un", "qq": "quelques",
    "qqs": "quelques", "qqch": "quelque chose", "qqc": "quelque chose",
    "bcp": "beaucoup", "bcq": "beaucoup", "svp": "s'il vous plaît",
    "stp": "s'il te plaît", "ds": "dans", "pr": "pour", "pcq": "parce que",
    "pck": "parce que", "psk": "parce que", "pq": "pourquoi", "tjrs": "toujours",
    "tjs": "toujours", "tps": "temps", "mtn": "maintenant", "jsp": "je ne sais pas",
    "chui": "je suis", "ya": "il y a", "y'a": "il y a", "yen a": "il y en a",
    "tt": "tout", "ts": "tous", "vs": "vous", "ms": "mais",
    "tres": "très", "trés": "très", "etre": "être", "deja": "déjà", "apres": "après",
    "a cote": "à côté", "a coté": "à côté", "meme": "même", "ca": "ça", "pa": "pas",
    "pas assé": "pas assez", "asser": "assez", "trops": "trop", "voila": "voilà",
}

#: Multi-word expressions kept together as one token; written in the form shown in
#: labels. Inflected variants ("médecins traitants") match through their lemmas.
EXPRESSIONS = (
    "médecin traitant", "médecin généraliste", "médecin spécialiste",
    "santé mentale", "personnes âgées", "personne handicapée", "situation de handicap",
    "qualité de l'air", "pollution de l'air", "prise de rendez-vous",
    "délai d'attente", "temps d'attente", "liste d'attente", "salle d'attente",
    "espaces verts", "centre de santé", "maison de santé", "aide à domicile",
    "maintien à domicile", "perte d'autonomie", "accès aux soins",
    "sécurité sociale", "complémentaire santé", "reste à charge",
    "dépassement d'honoraires", "tiers payant", "carte vitale",
    "soins dentaires", "maladie chronique", "lien social", "transport en commun",
    "piste cyclable", "activité physique", "aire de jeux", "nuisance sonore",
    "logement social", "logement insalubre", "précarité énergétique",
    "idées noires", "point d'écoute", "fin de mois", "service des urgences",
    "quelque chose", "il y a",
)

#: Fixed expressions and negations whose words must not be read one by one: a
#: regular expression (on normalised text, accents optional) and what it means, in
#: words that do not evoke a theme ("en train de" is no train, "pas loin" is near,
#: "boire un café" is no alcohol). Applied by :func:`rewrite_fixed_expressions`.
FIXED_EXPRESSIONS = (
    (r"en train d(?:e |')", ""),
    (r"(?:pas|jamais) (?:tr[eè]s |trop |si |super |vraiment |du tout )?loin", "proche"),
    (r"(?:à|a) (?:deux|2|quelques) pas", "proche"),
    (r"pas (?:tr[eè]s |trop |si |super |vraiment |du tout )?ch[eè]re?s?", "abordable"),
    (r"(?:pas|jamais) (?:tr[eè]s |trop |si |vraiment |du tout )?(?:grave|dangereu(?:x|se)s?)",
     "sans gravité"),
    (r"(?:pas|jamais) (?:tr[eè]s |trop |si |vraiment |du tout )?"
     r"(?:sales?|bruyante?s?|pollu[ée]e?s?)", "correct"),
    (r"pas mal de", "beaucoup de"),
    (r"(?:boire|prendre|bu|pris|buvons|boit|boivent|bois) (?:un |une |le |du |des |son |mon |"
     r"notre |leur |de l'|un petit |une petite )?(?:caf[eé]s?|th[eé]s?|chocolats?|tisanes?|"
     r"jus|sodas?|cocas?|eau|verre d'eau)", "prendre un café"),
    (r"de temps en temps", "parfois"),
    (r"tout le temps", "toujours"),
    (r"en tout cas|de toute fa[cç]on|du coup", ""),
)

#: Lemmatizer slips of fr_core_news_sm corrected after parsing.
LEMMA_FIXES = {
    "mal-êtr": "mal-être",
}

#: Words from spaCy's French list that carry meaning in health answers
#: (negation, quantity, isolation, proximity, opening hours).
KEEP_WORDS = frozenset({
    "pas", "sans", "plus", "moins", "personne", "personnes", "proche", "proches",
    "aucun", "aucune", "trop", "peu", "seul", "seule", "seuls", "seules", "loin",
    "près", "pres", "longtemps", "souvent", "suffisant", "suffisante", "ouvert",
    "ouverte", "ouverts", "nul", "rien", "jamais", "manque",
})

#: Words frequent in any answer that say nothing about its theme.
EXTRA_STOP_WORDS = frozenset({
    "être", "avoir", "faire", "aller", "falloir", "pouvoir", "vouloir", "devoir",
    "mettre", "dire", "voir", "savoir", "trouver", "chose", "truc", "vraiment",
    "beaucoup", "bien", "bon", "bonne", "franchement", "avis", "oui", "non",
    "plaire", "merci", "svp", "ville", "commune", "actuellement", "aujourd'hui",
    "aujourd", "hui", "gens", "un", "une", "le", "la", "les", "de", "du", "des",
    "mon", "ma", "mes", "son", "sa", "ses", "leur", "lui", "il", "elle", "on",
    "nous", "vous", "y", "en", "ce", "cela", "ça", "c", "d", "l", "j", "m", "n", "s",
    "t", "qu", "etc", "surtout", "toujours", "vraiment", "assez", "mieux",
    "quelque chose", "il y a", "quelqu'un", "quelque", "an", "année", "mois", "jour",
    "fois", "important", "gros", "grand", "petit", "principal", "principalement",
    "voilà",
})

#: Stop words applied to lemmas: spaCy's French list, adapted to health answers (read
#: from spaCy's source the first time the set is used).
STOP_WORDS = LazyWordSet(lambda: (_spacy_french_stop_words() | EXTRA_STOP_WORDS) - KEEP_WORDS)

#: Grammatical words kept for modelling but left out of labels and word clouds.
DISPLAY_EXCLUDED = frozenset({
    "pas", "sans", "plus", "moins", "trop", "peu", "aucun", "aucune", "rien", "jamais",
    "nul", "souvent", "longtemps", "près", "pres", "loin",
})

#: Whole answers that say nothing, compared after lower-casing, dropping accents,
#: punctuation and digits.
USELESS_ANSWERS = frozenset({
    "", "rien", "ras", "r a s", "rien a signaler", "rien a dire", "rien de plus",
    "rien de particulier", "rien de special", "je ne sais pas", "je sais pas",
    "ne sais pas", "sais pas", "je ne sais pas trop", "nsp", "ns", "non", "nan",
    "aucun", "aucune", "aucun avis", "pas d avis", "sans avis", "pas d idee",
    "aucune idee", "neant", "pas de reponse", "sans reponse", "non concerne",
    "non concernee", "pas concerne", "pas concernee", "x", "xx", "xxx", "ok", "oui",
    "idem", "pas de commentaire", "sans commentaire", "aucun commentaire", "non merci",
    "rien merci", "non rien", "rien du tout", "pas vraiment", "je ne vois pas",
    "je vois pas", "ne vois pas", "bof", "na", "n a", "nr", "vide", "test",
    "pas d opinion", "sans opinion", "pas de remarque", "aucune remarque",
    "pas d autre", "rien d autre", "c est tout", "tout va bien", "ca va",
})
