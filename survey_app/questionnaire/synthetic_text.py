"""French free-text answers for synthetic responses, drawn from planted themes.

Each theme has many phrasings (what is wrong, and what should be done); answers
combine one to three themes, and are roughened the way real answers are: no
accents, SMS forms, typos, lower case. Some answers say nothing ("rien", "RAS").
The planted themes are returned with the text, so that text coding can be
measured against them.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

__all__ = ["Theme", "THEMES", "EMPTY_ANSWERS", "OTHER_TEXTS", "SHORT_TEXTS", "TextSynth"]


@dataclass(frozen=True)
class Theme:
    key: str
    axis: str
    #: relative frequency in QPV districts compared with the others
    qpv_factor: float
    #: relative frequency for the oldest respondents compared with the youngest
    age_factor: float
    problems: tuple[str, ...]
    proposals: tuple[str, ...]


#: Keys and axes follow ``analysis/coding/data/codebook.yaml``, so that automatic coding can be
#: scored against the planted themes. Each phrasing speaks of its theme only.
THEMES: tuple[Theme, ...] = (
    Theme("medecin_generaliste", "acces_soins", 1.3, 1.2, (
        "Il n'y a plus assez de médecins généralistes",
        "Impossible de trouver un médecin traitant depuis le départ du mien à la retraite",
        "Les médecins ne prennent plus de nouveaux patients",
        "Je n'ai plus de médecin traitant depuis deux ans",
        "manque de médecins dans le quartier",
        "Mon docteur est parti et personne ne l'a remplacé",
        "trop peu de généralistes pour tout le monde",
        "c'est un désert médical ici, on ne trouve plus de docteur",
        "aucun médecin n'accepte de devenir mon médecin traitant",
        "trois semaines pour voir un généraliste",
    ), (
        "Ouvrir un centre de santé avec des médecins salariés",
        "attirer de jeunes médecins en leur proposant des locaux",
        "Créer une maison de santé dans le quartier",
        "faire venir plus de médecins généralistes",
    )),
    Theme("specialistes_dentistes", "acces_soins", 1.1, 1.1, (
        "Les délais pour un rendez-vous chez un spécialiste sont beaucoup trop longs",
        "six mois d'attente pour un ophtalmo",
        "impossible d'avoir un rendez-vous chez le dermatologue avant un an",
        "trop d'attente pour voir un gynécologue",
        "trouver un dentiste est très difficile",
        "huit mois pour un rendez-vous chez le dentiste",
        "pas de pédiatre ni d'orthophoniste disponible",
        "plus aucun kiné ne prend de patients",
    ), (
        "plus de spécialistes en ville",
        "un dentiste au centre de santé",
        "faire venir des ophtalmologues et des dermatologues",
    )),
    Theme("urgences_permanence", "acces_soins", 1.1, 1.0, (
        "les urgences sont saturées, on attend des heures",
        "le soir et le week-end il n'y a que les urgences",
        "huit heures d'attente aux urgences de l'hôpital",
        "pas de médecin de garde le dimanche",
    ), (
        "une maison médicale de garde",
        "un accueil pour les soins non programmés le soir",
        "plus de personnel aux urgences",
    )),
    Theme("cout_droits", "acces_soins", 1.6, 1.1, (
        "Les dépassements d'honoraires sont trop élevés",
        "la mutuelle coûte trop cher avec ma petite retraite",
        "je n'ai pas de mutuelle alors je renonce à me soigner",
        "les lunettes et les appareils auditifs sont hors de prix",
        "avancer les frais c'est difficile à la fin du mois",
        "les soins dentaires coûtent trop cher",
        "mon dossier de CSS est bloqué depuis des mois",
        "beaucoup trop de reste à charge",
    ), (
        "une mutuelle communale moins chère",
        "généraliser le tiers payant",
        "aider les gens à demander la complémentaire santé solidaire",
    )),
    Theme("sante_mentale", "sante_mentale", 1.2, 0.8, (
        "beaucoup de stress et d'anxiété",
        "il est très difficile de trouver un psychologue",
        "les délais au CMP sont de plusieurs mois",
        "les psychologues coûtent cher et sont mal remboursés",
        "beaucoup de dépression depuis le covid",
        "je me sens déprimé et je ne sais pas à qui parler",
        "des personnes avec des troubles psychiques sans suivi",
        "le burn-out et la souffrance au travail",
        "je me sens très seule et personne ne m'écoute",
    ), (
        "des psychologues gratuits ou remboursés",
        "un lieu d'écoute",
        "un conseil local de santé mentale",
        "des groupes de parole",
    )),
    Theme("environnement", "prevention_environnement", 1.0, 1.0, (
        "la pollution de l'air à cause de l'autoroute",
        "trop de bruit la nuit avec la circulation",
        "l'air est irrespirable quand il fait chaud",
        "pas assez d'espaces verts",
        "pas d'ombre ni d'arbres dans le quartier",
        "le quartier est sale, les déchets s'accumulent",
        "des rats partout dans les rues",
        "il fait une chaleur étouffante l'été",
    ), (
        "planter des arbres le long des grands axes",
        "plus de parcs et d'espaces verts",
        "des îlots de fraîcheur",
        "nettoyer les rues plus souvent",
    )),
    Theme("logement", "prevention_environnement", 2.5, 0.9, (
        "humidité et moisissures dans mon appartement",
        "des logements insalubres dans le quartier",
        "des punaises de lit dans l'immeuble",
        "le bailleur ne fait jamais les travaux",
        "on vit à cinq dans un deux-pièces",
        "pas de chauffage correct l'hiver dans le logement",
        "les loyers sont trop chers",
    ), (
        "obliger les bailleurs à traiter l'humidité",
        "lutter contre les logements insalubres",
        "rénover les logements sociaux",
    )),
    Theme("ages_handicap_aidants", "parcours_vulnerables", 0.9, 2.4, (
        "beaucoup de personnes âgées sont isolées chez elles",
        "pas assez d'aides à domicile pour les personnes âgées",
        "les aidants sont épuisés",
        "impossible d'entrer dans les cabinets médicaux en fauteuil roulant",
        "les démarches à la MDPH sont trop longues",
        "pas de place en EHPAD",
        "ma mère tombe souvent et vit seule",
    ), (
        "plus d'aides à domicile",
        "des solutions de répit pour les aidants",
        "des visites aux personnes âgées isolées",
        "rendre les cabinets médicaux accessibles aux handicapés",
    )),
    Theme("hygiene_de_vie", "prevention_environnement", 1.3, 0.8, (
        "les enfants mangent mal, trop de fast-foods",
        "beaucoup d'obésité et de diabète",
        "pas assez d'équipements sportifs gratuits",
        "les fruits et légumes sont trop chers",
        "difficile de faire du sport quand on travaille",
    ), (
        "du sport gratuit dans les parcs",
        "des ateliers cuisine et nutrition",
        "des cours de gym adaptés aux seniors",
    )),
    Theme("addictions", "sante_mentale", 2.0, 0.7, (
        "trafic de drogue en bas des immeubles",
        "beaucoup de jeunes fument du cannabis",
        "l'alcool dans la rue",
        "le protoxyde d'azote chez les ados",
        "trop de temps sur les écrans",
        "le tabac dès le collège",
    ), (
        "de la prévention des addictions dans les collèges",
        "une aide pour arrêter de fumer",
    )),
    Theme("depistage_vaccination", "prevention_environnement", 1.1, 1.1, (
        "pas assez de prévention",
        "les gens ne font pas leurs dépistages",
        "trop peu d'informations sur la vaccination",
    ), (
        "des journées de dépistage gratuites dans les quartiers",
        "un bus de prévention qui passe dans les quartiers",
        "des séances de vaccination à la mairie",
        "des bilans de santé gratuits",
    )),
    Theme("information_orientation", "acces_soins", 1.5, 1.2, (
        "on ne sait pas où aller pour se faire soigner",
        "manque d'informations sur les services de santé de la ville",
        "je ne sais pas à qui m'adresser",
        "personne ne connaît les aides qui existent",
    ), (
        "un guide avec tous les professionnels de santé de la ville",
        "un guichet unique d'information santé",
        "informer dans le journal municipal",
    )),
    Theme("transport_mobilite", "acces_soins", 1.2, 1.4, (
        "l'hôpital est trop loin sans voiture",
        "pas de bus direct pour aller chez le médecin",
        "impossible de se garer près des cabinets",
        "les trottoirs sont encombrés, difficile de marcher",
    ), (
        "une navette pour aller aux rendez-vous médicaux",
        "plus de bus vers l'hôpital",
    )),
    Theme("barriere_langue", "parcours_vulnerables", 1.8, 1.0, (
        "difficile de comprendre le médecin quand on parle mal français",
        "je ne lis pas bien le français pour les papiers",
        "pas d'interprète à l'hôpital",
    ), (
        "des interprètes pour les consultations",
        "des documents traduits en plusieurs langues",
    )),
    Theme("securite_violences", "prevention_environnement", 1.8, 1.0, (
        "je ne me sens pas en sécurité le soir",
        "des agressions près de la gare",
        "les violences conjugales ne sont pas assez prises en charge",
        "du harcèlement dans la rue",
    ), (
        "éclairer les rues le soir",
        "plus de présence dans les rues le soir",
        "un accueil pour les femmes victimes de violences",
    )),
    Theme("jeunes", "parcours_vulnerables", 1.3, 0.6, (
        "les jeunes n'ont rien à faire dans le quartier",
        "la PMI est débordée",
        "les ados ne savent pas où aller pour la contraception",
        "les enfants ont besoin de plus de suivi à l'école",
    ), (
        "un point santé pour les jeunes",
        "plus de moyens pour la PMI",
        "des activités pour les enfants et les ados",
    )),
)

EMPTY_ANSWERS = ("rien", "Rien", "RAS", "ras", "rien à signaler", "je ne sais pas", "nsp",
                 "non", "Non merci", "aucune idée", "pas d'idée", "rien de particulier",
                 "-", "?", "ok")
OTHER_TEXTS = ("ma situation personnelle", "le travail", "les transports", "la famille",
               "pour mes enfants", "je préfère ne pas dire", "trop compliqué",
               "problème de papiers", "pas le temps", "handicap")
#: short texts for ``text`` questions (filtered by the question's pattern)
SHORT_TEXTS = ("Cabinet du centre-ville", "12 rue de la République", "01 45 21 33 10",
               "06 12 34 56 78", "contact@cabinet-exemple.fr", "Maison de santé des Lilas",
               "médecine générale", "cardiologie", "pédiatrie", "anglais, arabe",
               "8 avenue Jean Jaurès", "Centre de santé municipal")

_OPENERS = ("", "", "", "Franchement ", "Pour moi ", "Dans mon quartier ", "Je trouve que ",
            "Surtout ", "Il faudrait voir : ", "Le problème c'est que ")
_JOINERS = (". ", " et ", ", ", " / ", "\n", ". Aussi ", " + ")
_ENDINGS = ("", "", "", ".", " !", "...", " merci", ".", " !!")
_SMS = (("beaucoup", "bcp"), ("rendez-vous", "rdv"), ("quelque", "qq"), ("toujours", "tjrs"),
        ("c'est", "c"), ("vraiment", "vrmt"), ("pourquoi", "pk"), ("aujourd'hui", "ajd"),
        ("pas ", "pa "), ("que ", "ke "), ("qui ", "ki "), ("avec", "avc"), ("trop", "tro"),
        ("médecins", "medecins"), ("docteur", "doc"), ("très", "tres"), ("tout", "tt"))


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]  # swapped letters
    elif kind < 0.7:
        w = w[:j] + w[j + 1:]  # dropped letter
    else:
        w = w[:j] + w[j] + w[j:]  # doubled letter
    words[i] = w
    return " ".join(words)


def _roughen(text: str, rng: random.Random) -> str:
    if rng.random() < 0.25:
        text = _strip_accents(text)
    if rng.random() < 0.15:
        for full, short in _SMS:
            if full in text and rng.random() < 0.7:
                text = text.replace(full, short)
    if rng.random() < 0.2:
        text = _typo(text, rng)
    roll = rng.random()
    if roll < 0.35:
        text = text.lower()
    elif roll < 0.38:
        text = text.upper()
    elif text:
        text = text[0].upper() + text[1:]
    return text


class TextSynth:
    """Draws answers to open questions; theme frequencies vary by district and age."""

    def __init__(self, rng: random.Random, district_codes: list[str]):
        # each district gets its own mix: some themes are local concerns
        self.district_factor = {
            code: [rng.lognormvariate(0.0, 0.5) for _ in THEMES] for code in district_codes}

    def answer(self, rng: random.Random, *, axis: str | None, qpv: bool,
               district: str | None, age_frac: float | None, blank_rate: float
               ) -> tuple[str | None, list[str]]:
        """(text or None, planted theme keys)."""
        if rng.random() < blank_rate:
            return None, []
        if rng.random() < 0.1:
            return rng.choice(EMPTY_ANSWERS), []
        weights = []
        local = self.district_factor.get(district) if district else None
        for index, theme in enumerate(THEMES):
            w = theme.qpv_factor if qpv else 1.0
            if age_frac is not None:
                w *= theme.age_factor ** (age_frac - 0.5)
            if axis is not None and theme.axis == axis:
                w *= 3.0
            if local is not None:
                w *= local[index]
            weights.append(w)
        count = 1 if rng.random() < 0.6 else (2 if rng.random() < 0.75 else 3)
        chosen: list[Theme] = []
        while len(chosen) < count:
            theme = rng.choices(THEMES, weights)[0]
            if theme not in chosen:
                chosen.append(theme)
        parts = []
        for theme in chosen:
            pool = theme.proposals if rng.random() < 0.35 else theme.problems
            parts.append(rng.choice(pool))
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(_JOINERS) + part
        opener = rng.choice(_OPENERS)
        if opener:
            text = opener + text[0].lower() + text[1:]
        text = _roughen(text + rng.choice(_ENDINGS), rng).strip()
        return (text or rng.choice(EMPTY_ANSWERS)), [t.key for t in chosen]
