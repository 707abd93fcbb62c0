"""Generate tests/data/free_text_fr.csv: French answers to "what are your health needs?".

Six planted themes, each written through many sentence patterns and word choices, then
roughened the way residents type: SMS forms ("rdv", "mdt", "pb", "bcp"), accents
dropped, letters swapped, capitals, missing apostrophes, "!!!". About one answer in
twelve is useless ("rien", "RAS", "nsp", "...", empty), labelled ``inutile``.

Run from anywhere: ``python tests/data/make_free_text_corpus.py`` (fixed seed, so the
committed CSV is reproducible).
"""
import csv
import random
import unicodedata
from pathlib import Path

SEED = 20240315
PER_THEME = 110
N_USELESS = 60
OUTPUT = Path(__file__).with_name("free_text_fr.csv")

# Each theme: a list of sentence patterns; {slot} picks from the theme's slots.
THEMES = {
    "acces_medecin": {
        "patterns": [
            "impossible de trouver un {doc} qui prend de nouveaux patients",
            "pas de {mt} depuis {duree}",
            "{doc_pl} partent à la retraite et ne sont pas remplacés",
            "il faut attendre {delai} pour avoir un rendez-vous chez {spe}",
            "les délais pour un rendez-vous sont beaucoup trop longs",
            "la prise de rendez-vous est {difficile}, même sur doctolib",
            "mon {mt} est parti et personne ne veut me prendre",
            "on manque de {doc_pl} dans le quartier",
            "aux urgences on attend {attente} avant d'être vu",
            "trouver un {spe} relève du parcours du combattant",
            "plus assez de {doc_pl}, les cabinets sont pleins",
            "il faudrait un centre de santé avec des {doc_pl} salariés",
            "obtenir un rendez-vous chez {spe} prend {delai}",
            "le cabinet ne répond jamais au téléphone pour les rendez-vous",
            "désert médical, aucun {doc} disponible près de chez moi",
            "pas de {doc} le samedi, on finit aux urgences",
            "j'ai dû aller dans une autre ville pour voir un {doc}",
            "les {doc_pl} refusent les nouveaux patients",
            "attente interminable pour consulter {spe}",
            "besoin de plus de {doc_pl} et de créneaux de consultation",
        ],
        "slots": {
            "doc": ["médecin", "médecin généraliste", "généraliste", "docteur", "médecin traitant"],
            "doc_pl": ["médecins", "généralistes", "médecins généralistes", "docteurs"],
            "mt": ["médecin traitant", "médecin référent", "médecin de famille"],
            "duree": ["deux ans", "un an", "six mois", "le départ du docteur", "trois ans"],
            "delai": ["six mois", "trois mois", "plus d'un an", "des semaines", "neuf mois"],
            "spe": ["le dermatologue", "l'ophtalmologue", "le gynécologue", "un pédiatre",
                    "le cardiologue", "un spécialiste", "le rhumatologue"],
            "difficile": ["très difficile", "compliquée", "impossible", "un cauchemar", "galère"],
            "attente": ["six heures", "toute la nuit", "des heures", "huit heures"],
        },
    },
    "sante_mentale": {
        "patterns": [
            "beaucoup de {trouble} chez les jeunes depuis le covid",
            "besoin d'un {psy} accessible et gratuit",
            "je me sens {etat} et je ne sais pas à qui parler",
            "la santé mentale est oubliée, il faudrait plus de {psy_pl}",
            "le {trouble} au travail m'épuise, j'ai fait un burn-out",
            "il n'y a pas de lieu d'écoute pour les personnes en souffrance psychique",
            "mes enfants sont {etat} et le CMP a une liste d'attente énorme",
            "problèmes de sommeil et {trouble} permanent",
            "trop de {trouble}, il faut une aide psychologique",
            "le suivi {psy_adj} coûte cher et n'est pas disponible",
            "des idées noires, et aucun soutien psychologique",
            "mal-être des adolescents, harcèlement, {trouble}",
            "il faudrait un point d'écoute pour parler de sa souffrance",
            "consulter un {psy} prend des mois au CMP",
            "la dépression touche beaucoup de monde ici, on se sent {etat}",
            "accompagnement psychologique des jeunes en détresse",
            "{trouble} et angoisses, besoin de soutien moral",
            "les addictions et la {trouble} ne sont pas prises en charge",
            "séances chez le {psy} non remboursées alors que j'en ai besoin",
            "prévention du suicide et de la {trouble}",
        ],
        "slots": {
            "trouble": ["stress", "anxiété", "dépression", "angoisse", "déprime", "détresse"],
            "psy": ["psychologue", "psychiatre", "psy", "thérapeute"],
            "psy_pl": ["psychologues", "psychiatres", "psys"],
            "psy_adj": ["psychologique", "psychiatrique", "chez le psy"],
            "etat": ["déprimé", "anxieux", "stressé", "angoissé", "épuisé moralement",
                     "en détresse"],
        },
    },
    "environnement": {
        "patterns": [
            "la pollution de l'air à cause du {trafic}",
            "trop de bruit la nuit avec {bruit_src}",
            "la qualité de l'air est {mauvais}, mon fils est asthmatique",
            "il manque des espaces verts et des arbres",
            "le {trafic} rend l'air irrespirable",
            "nuisances sonores permanentes, {bruit_src}",
            "plus d'espaces verts et de parcs pour respirer",
            "pollution, bruit et {trafic} dans tout le quartier",
            "on respire les gaz d'échappement du {trafic}",
            "le bruit du {trafic} empêche de dormir",
            "végétaliser les rues, planter des arbres contre la chaleur",
            "l'air est {mauvais} avec les particules fines",
            "allergies et asthme à cause de la pollution",
            "{bruit_src}, c'est un vacarme insupportable",
            "réduire la circulation des voitures et les camions",
            "créer des pistes cyclables et des parcs, moins de voitures",
            "les îlots de chaleur en été, pas assez d'ombre ni de verdure",
            "pollution atmosphérique près de {trafic}",
        ],
        "slots": {
            "trafic": ["périphérique", "l'autoroute A6", "la circulation", "trafic routier",
                       "voitures", "camions"],
            "bruit_src": ["les travaux", "le périphérique", "les scooters", "les avions",
                          "les chantiers", "la circulation"],
            "mauvais": ["mauvaise", "très mauvaise", "polluée", "irrespirable", "dégradée"],
        },
    },
    "logement": {
        "patterns": [
            "mon appartement est plein de {moisi}",
            "logement {insalubre} avec de l'humidité partout",
            "des {moisi} dans la chambre des enfants qui toussent",
            "le bailleur ne fait rien contre l'humidité et les {moisi}",
            "on vit à {nb} dans un deux-pièces",
            "logement mal isolé, chauffage en panne tout l'hiver",
            "des punaises de lit et des cafards dans l'immeuble",
            "infiltrations d'eau et murs {moisi_adj}",
            "appartement {insalubre}, le propriétaire ne répare pas",
            "humidité, condensation, {moisi} : mes enfants ont de l'asthme",
            "surpeuplement du logement, pas de place pour dormir",
            "le logement social est vétuste et {insalubre}",
            "précarité énergétique, on a froid chez nous",
            "l'immeuble est délabré, ascenseur en panne, {moisi} dans la cave",
            "plomb dans les peintures et {moisi} au plafond",
            "demande de logement depuis des années, on est {nb} dans un studio",
            "les fenêtres ne ferment pas, logement humide et froid",
        ],
        "slots": {
            "moisi": ["moisissures", "moisissure", "champignons", "salpêtre", "taches noires"],
            "moisi_adj": ["moisis", "humides", "noircis", "couverts de salpêtre"],
            "insalubre": ["insalubre", "vétuste", "indigne", "dégradé", "en mauvais état"],
            "nb": ["cinq", "six", "quatre", "sept"],
        },
    },
    "isolement_ages": {
        "patterns": [
            "les personnes âgées sont {seules} et n'ont pas de visite",
            "ma mère de {age} ans vit {seules} chez elle",
            "besoin d'aide à domicile pour les {vieux}",
            "les {vieux} isolés ne savent pas utiliser internet",
            "isolement des {vieux}, plus de lien social",
            "pas assez de place en EHPAD et les {vieux} restent {seules}",
            "maintien à domicile difficile pour les {vieux}",
            "personne ne rend visite aux {vieux} du quartier",
            "mon père âgé ne peut plus sortir, il est {seules} toute la journée",
            "portage des repas et auxiliaires de vie pour les {vieux}",
            "solitude des {vieux}, surtout l'hiver",
            "les retraités sont {seules} depuis le décès de leur conjoint",
            "perte d'autonomie de nos parents âgés, aidants épuisés",
            "créer des lieux de rencontre pour les {vieux}",
            "ma grand-mère de {age} ans est {seules} et sans famille",
            "les {vieux} ont du mal à se déplacer et restent enfermés",
            "accompagner les {vieux} dans leurs démarches en ligne",
        ],
        "slots": {
            "seules": ["seules", "seule", "isolées", "isolée", "seul", "abandonnés"],
            "age": ["85", "90", "78", "92", "88"],
            "vieux": ["personnes âgées", "anciens", "seniors", "personnes agées",
                      "aînés", "retraités", "vieux"],
        },
    },
    "cout_soins": {
        "patterns": [
            "les soins coûtent trop cher, je renonce au {soin}",
            "les dépassements d'honoraires sont {cher}",
            "pas de mutuelle, je ne peux pas payer le {soin}",
            "le reste à charge pour le {soin} est {cher}",
            "la mutuelle est trop chère pour ma retraite",
            "je renonce aux soins faute d'argent",
            "les {soin_pl} ne sont pas assez remboursés",
            "avancer les frais est impossible avec mon salaire",
            "tarifs {cher} des spécialistes en secteur 2",
            "il faudrait le tiers payant partout, je n'ai pas les moyens",
            "mal remboursé par la sécurité sociale, {soin} hors de prix",
            "le prix de la mutuelle a encore augmenté",
            "les {soin_pl} coûtent une fortune",
            "je n'ai pas les moyens de me soigner, tout est {cher}",
            "frais médicaux {cher} et remboursements trop faibles",
            "complémentaire santé hors de prix pour les familles",
            "dentiste et lunettes trop chers, je reporte mes soins",
        ],
        "slots": {
            "soin": ["dentiste", "lunettes", "appareil auditif", "kiné", "orthodontiste",
                     "prothèse dentaire"],
            "soin_pl": ["lunettes", "soins dentaires", "appareils auditifs",
                        "médicaments", "consultations"],
            "cher": ["trop chers", "exorbitants", "excessifs", "hors de prix", "inabordables"],
        },
    },
}

# Answers of a few words, as many residents write them.
SHORT = {
    "acces_medecin": ["manque de médecins", "rdv trop longs", "médecin traitant", "délais",
                      "plus de généralistes", "les urgences", "pas de mdt", "Docteurs !"],
    "sante_mentale": ["psy", "santé mentale", "le stress", "dépression", "soutien psychologique",
                      "écoute des jeunes", "anxiété"],
    "environnement": ["pollution", "le bruit", "espaces verts", "qualité de l'air",
                      "moins de voitures", "pollution et bruit"],
    "logement": ["logement insalubre", "moisissures", "humidité", "logement",
                 "appartement humide", "punaises de lit"],
    "isolement_ages": ["personnes âgées", "isolement des anciens", "seniors seuls",
                       "aide à domicile", "solitude"],
    "cout_soins": ["mutuelle trop chère", "coût des soins", "dépassements d'honoraires",
                   "trop cher", "remboursements", "lunettes et dentiste"],
}
# Side remarks touching another theme, so that themes overlap as in real answers.
ASIDES = {
    "acces_medecin": [" et en plus le médecin est loin", ", sans parler des délais"],
    "sante_mentale": [", ça me stresse", " et le moral ne suit pas"],
    "environnement": [", et le bruit en plus", " avec la pollution"],
    "logement": [", et mon logement est humide", " dans un petit appartement"],
    "isolement_ages": [", surtout pour les anciens", " quand on est seul"],
    "cout_soins": [", et c'est cher", " sans mutuelle"],
}

OPENERS = ["", "", "", "", "Pour moi ", "A mon avis ", "Franchement, ", "Le problème c'est que ",
           "Surtout ", "Dans mon quartier ", "Depuis longtemps ", "Honnêtement ",
           "Ce qui manque : ", "Urgent : ", "Bonjour, ", "Je trouve que "]
CLOSERS = ["", "", "", "", ".", "!", "!!!", " merci", " svp", "...", " c'est grave",
           " il faut agir", ". Merci de faire quelque chose", " ça ne peut plus durer",
           " c'est inadmissible", " :(", " voilà"]
SMS = [("rendez-vous", "rdv"), ("médecin traitant", "mdt"), ("médecin", "medecin"),
       ("problème", "pb"), ("beaucoup", "bcp"), ("quelqu'un", "qqn"), ("pour ", "pr "),
       ("dans ", "ds "), ("téléphone", "tel"), ("toujours", "tjrs"), ("généraliste", "generaliste"),
       ("personnes âgées", "personnes agees"), ("dentiste", "dantiste"), ("urgences", "urgenses"),
       ("qualité", "qualite"), ("spécialiste", "specialiste"), ("délais", "delais"),
       ("humidité", "humidite"), ("dépression", "depression"), ("l'", "l "), ("d'", "d ")]
USELESS = ["rien", "Rien", "RAS", "r.a.s", "R.A.S.", "je ne sais pas", "Je sais pas", "...",
           "non", "Non.", "nsp", "NSP", "", " ", "?", "-", "aucun", "Aucune", "pas d'avis",
           "Rien à signaler", "rien a dire", "néant", "0", "123", "non merci", "jsp", "/",
           "x", "Pas d'idée", "ras"]


def _strip_accents(word):
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _typo(word, rng):
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap two letters
    if kind < 0.7:
        return word[:i] + word[i + 1:]  # drop one
    return word[:i] + word[i] + word[i:]  # double one


def roughen(text, rng):
    """Make a clean sentence look typed by a resident."""
    for clean, rough in SMS:
        if clean in text and rng.random() < 0.35:
            text = text.replace(clean, rough)
    words = text.split(" ")
    for i, word in enumerate(words):
        r = rng.random()
        if r < 0.06:
            words[i] = _strip_accents(word)
        elif r < 0.09:
            words[i] = _typo(word, rng)
    text = " ".join(words)
    style = rng.random()
    if style < 0.08:
        text = text.upper()
    elif style < 0.5:
        text = text[:1].upper() + text[1:]
    return text


def answer(theme, rng):
    if rng.random() < 0.1:
        return roughen(rng.choice(SHORT[theme]), rng)
    spec = THEMES[theme]
    n_clauses = rng.choices([1, 2, 3], weights=[5, 4, 1])[0]
    clauses = []
    for pattern in rng.sample(spec["patterns"], n_clauses):
        slots = {name: rng.choice(values) for name, values in spec["slots"].items()}
        clauses.append(pattern.format(**slots))
    joiner = rng.choice([", ", ". ", " et ", " ; ", ". Aussi ", " - "])
    text = joiner.join(clauses)
    if rng.random() < 0.12:
        text += rng.choice(ASIDES[rng.choice([t for t in THEMES if t != theme])])
    text = rng.choice(OPENERS) + text + rng.choice(CLOSERS)
    return roughen(text, rng)


def main():
    rng = random.Random(SEED)
    rows = [(answer(theme, rng), theme) for theme in THEMES for _ in range(PER_THEME)]
    rows += [(rng.choice(USELESS), "inutile") for _ in range(N_USELESS)]
    rng.shuffle(rows)
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "theme"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} answers to {OUTPUT}")


if __name__ == "__main__":
    main()
