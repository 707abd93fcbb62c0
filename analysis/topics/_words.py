"""The words themes are made of, and the words shown to people.

Private helper of :mod:`analysis.topics`. :mod:`analysis.text` gives lemmas; before
they are counted here:

- SMS forms and spelling variants the normaliser does not know ("surtt", "tro") are
  rewritten, and accents are folded into one *key* ("education" and "éducation",
  "impot" and "impôt" are one word);
- a lemma never typed by anyone ("personn", "francai", "interprèt": the lemmatiser cut
  the word) joins the key of the whole word it was cut from;
- words the tokeniser split at a hyphen ("week-end" → "week", "end") are joined again.

Each key is shown as the most frequent way residents wrote it (an accented spelling
preferred to the same letters without accents), so that labels and word clouds are
whole words in their usual spelling. Multi-word expressions stay one term.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["SMS_FORMS", "GENERIC_WORDS", "Words", "prepare_words", "fold", "label_terms",
           "distinctive_order"]

#: SMS forms and spellings left by the normaliser of :mod:`analysis.text`, rewritten
#: token by token (after lemmatisation, so a form lemmatised to itself is caught).
SMS_FORMS = {
    "surtt": "surtout", "srtt": "surtout", "tro": "trop", "trp": "trop", "tjr": "toujours",
    "tjrs": "toujours", "tjs": "toujours", "bcp": "beaucoup", "bcq": "beaucoup",
    "pr": "pour", "ds": "dans", "pb": "problème", "pbs": "problème", "prbl": "problème",
    "pblm": "problème", "rdv": "rendez-vous", "rdvs": "rendez-vous", "mdc": "médecin",
    "medcin": "médecin", "medecin": "médecin", "docteur": "médecin", "toubib": "médecin",
    "gvt": "gouvernement", "gouv": "gouvernement", "qd": "quand", "qqn": "quelqu'un",
    "qq": "quelque", "mm": "même", "tt": "tout", "ts": "tous", "bp": "beaucoup",
    "jms": "jamais", "jamai": "jamais", "pk": "pourquoi", "pq": "pourquoi", "c": "ce",
    "ke": "que", "koi": "quoi", "ki": "qui", "kan": "quand", "oqp": "occuper",
    "ado": "adolescent", "ados": "adolescent", "appart": "appartement",
    "apparts": "appartement", "transports": "transport", "dispo": "disponible",
    "dispos": "disponible", "pharma": "pharmacie", "hosto": "hôpital", "hopital": "hôpital",
    "secu": "sécurité sociale", "sécu": "sécurité sociale", "alloc": "allocation",
    "allocs": "allocation", "caf": "caf", "vieu": "vieux", "vieus": "vieux",
    "sante": "santé", "santee": "santé", "santée": "santé", "weekend": "week-end",
    "we": "week-end", "w-e": "week-end", "wk": "week-end", "partt": "partout",
    "prtt": "partout", "pdt": "pendant", "tjrs.": "toujours", "ptn": "", "mdr": "", "lol": "",
}

#: Words residents use whatever their subject: never a theme's label on their own.
GENERIC_WORDS = frozenset({
    "problème", "mal", "difficile", "difficulté", "gros", "grand", "petit", "manque",
    "manquer", "besoin", "souci", "grave", "question", "situation", "niveau", "vrai",
    "mauvais", "bon", "bien", "chose", "truc", "cas", "fait", "faire", "moment", "gens",
    "monde", "personne", "part", "côté", "endroit", "lieu", "coup", "compliqué",
    "important", "nombreux", "nouveau", "faible", "insuffisant", "suffisant", "assez",
    "trop", "plus", "moins", "pas", "peu", "rien", "aucun", "jamais", "toujours", "nul",
    "possible", "impossible", "facile", "long", "vie", "avoir", "être", "aller", "venir",
    "prendre", "donner", "mettre", "falloir", "pouvoir", "vouloir", "devoir", "attendre",
    "quartier", "ville", "commune", "habitant", "an", "année", "mois", "semaine", "jour",
    "fois", "heure", "temps", "depuis", "encore", "déjà", "aussi", "vraiment", "très",
    "tout", "tous", "même", "autre", "certain", "seul", "pareil", "général", "surtout",
    "exemple", "niveau", "manière", "façon", "sorte", "type", "genre", "demande",
    "demander", "trouver", "chercher", "dire", "voir", "savoir", "penser", "croire",
    "parler", "aider", "aide", "accès", "santé", "service", "services", "offre",
})

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SPLIT = re.compile(r"[\s'’-]+")


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Return `word` lower-case without accents ("Éducation" -> "education")."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _accents(word: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFD", word) if unicodedata.combining(c))


def _prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


@dataclass
class Words:
    """Answers as lists of keys, and how each key is shown.

    Attributes
    ----------
    tokens : list of list of str
        One list of keys per answer, in order.
    display : dict
        Key -> the word or expression shown to people.
    variants : dict
        Key -> the lemmas and forms seen for it (to look up word vectors).
    """

    tokens: list[list[str]]
    display: dict[str, str]
    variants: dict[str, list[str]]

    def shown(self, key: str) -> str:
        return self.display.get(key, key)


def _surface_words(text: str) -> list[str]:
    words = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        words.append(word)
        if "-" in word:
            words.extend(part for part in word.split("-") if part)
    return words


def _join_hyphenated(tokens: list[str], surface: list[str]) -> list[tuple[str, str | None]]:
    """Join consecutive tokens that are the parts of a hyphenated word of the answer.

    Returns ``(token, written)`` pairs: a joined token is its lemmas joined by hyphens
    ("week-ends" -> "week-end"), `written` the word as typed.
    """
    hyphenated = [w for w in surface if "-" in w]
    if not hyphenated or len(tokens) < 2:
        return [(t, None) for t in tokens]
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(tokens):
        joined = None
        for word in hyphenated:
            parts = word.split("-")
            size = len(parts)
            if i + size <= len(tokens) and all(
                _matches(tokens[i + j], parts[j]) for j in range(size)
            ):
                joined, step = word, size
                break
        if joined is not None:
            out.append(("-".join(tokens[i:i + step]), joined))
            i += step
        else:
            out.append((tokens[i], None))
            i += 1
    return out


def _matches(token: str, part: str) -> bool:
    a, b = fold(token), fold(part)
    return a == b or (len(a) >= 2 and b.startswith(a)) or (len(b) >= 3 and a.startswith(b))


def prepare_words(tokens: Sequence[Sequence[str]], texts: Sequence[str], *,
                  stop: Iterable[str] = ()) -> Words:
    """Turn lemma lists into keys and find each key's usual spelling.

    Parameters
    ----------
    tokens : sequence of list of str
        Content lemmas and expressions of each answer (:mod:`analysis.text`).
    texts : sequence of str
        The normalised answers, where the surface forms are read.
    stop : iterable of str
        Words dropped after SMS forms are rewritten (stop words).
    """
    stop = frozenset(stop)
    keyed: list[list[str]] = []
    surface_of: dict[str, Counter] = defaultdict(Counter)
    variants: dict[str, set] = defaultdict(set)
    typed: set[str] = set()
    for lemmas, text in zip(tokens, texts):
        surface = _surface_words(text or "")
        typed.update(fold(w) for w in surface)
        folded_surface = [fold(w) for w in surface]
        rewritten = {SMS_FORMS[t] for t in lemmas if SMS_FORMS.get(t)}
        lemmas = [SMS_FORMS.get(t, t) for t in lemmas]
        lemmas = [t for t in lemmas if t and t not in stop]
        keys = []
        for lemma, written in _join_hyphenated(lemmas, surface):
            key = fold(lemma)
            keys.append(key)
            variants[key].add(lemma)
            if written is not None:
                surface_of[key][written] += 1
                continue
            if " " in lemma or "'" in lemma or lemma in rewritten:
                # an expression, or a form rewritten: shown as written in the lists
                surface_of[key][lemma] += 1
                continue
            best, best_len = None, 0
            for word, folded in zip(surface, folded_surface):
                if folded == key:
                    best, best_len = word, len(key) + 1
                    break
                common = _prefix(folded, key)
                if common > best_len and common >= max(3, (min(len(folded), len(key)) + 1) // 2):
                    best, best_len = word, common
            surface_of[key][best if best is not None else lemma] += 1
        keyed.append(keys)
    # a lemma nobody typed, cut from a longer word typed by others, joins that word
    merge = {}
    keys = sorted(surface_of, key=len)
    for key in keys:
        if key in typed or " " in key or len(key) < 4:
            continue
        longer = [k for k in keys if len(k) > len(key) and k.startswith(key)
                  and len(k) - len(key) <= 3 and " " not in k and "-" not in k]
        if longer:
            merge[key] = max(longer, key=lambda k: (sum(surface_of[k].values()), -len(k)))
    if merge:
        keyed = [[merge.get(k, k) for k in doc] for doc in keyed]
        for key, target in merge.items():
            surface_of[target].update(surface_of.pop(key))
            variants[target].update(variants.pop(key))
    keyed = _collocations(keyed, texts, surface_of, variants)
    display = {key: _usual_spelling(forms) for key, forms in surface_of.items()}
    return Words(keyed, display, {k: sorted(v) for k, v in variants.items()})


def _collocations(keyed: list[list[str]], texts: Sequence[str], surface_of: dict,
                  variants: dict, *, min_count: int = 3, cohesion: float = 0.6) -> list[list[str]]:
    """Join two words that residents write together ("protoxyde d'azote").

    Two consecutive keys form an expression when they follow each other in at least
    `min_count` answers and in at least `cohesion` of the answers holding either of
    them, generic words left out. The expression is shown as residents wrote it, small words included.
    """
    pairs: Counter = Counter()
    df: Counter = Counter()
    for doc in keyed:
        df.update(set(doc))
        pairs.update({(a, b) for a, b in zip(doc, doc[1:]) if a != b and " " not in a + b})
    chosen = {pair for pair, n in pairs.items()
              if n >= min_count and n >= cohesion * max(df[pair[0]], df[pair[1]])
              and not (set(pair) & _GENERIC_FOLDED)}
    if not chosen:
        return keyed
    out = []
    for doc, text in zip(keyed, texts):
        joined, i = [], 0
        while i < len(doc):
            if i + 1 < len(doc) and (doc[i], doc[i + 1]) in chosen:
                a, b = doc[i], doc[i + 1]
                if f"{a}-{b}" in surface_of:  # also written with a hyphen: one word
                    key = f"{a}-{b}"
                    surface = _usual_spelling(surface_of[key])
                else:
                    key = f"{a} {b}"
                    surface = _span(text or "", surface_of[a], surface_of[b]) or \
                        f"{_usual_spelling(surface_of[a])} {_usual_spelling(surface_of[b])}"
                surface_of.setdefault(key, Counter())[surface] += 1
                variants.setdefault(key, set()).add(key)
                joined.append(key)
                i += 2
            else:
                joined.append(doc[i])
                i += 1
        out.append(joined)
    return out


def _span(text: str, first: Counter, second: Counter) -> str | None:
    """The words of `text` from a form of `first` to a form of `second` (at most one between)."""
    lowered = text.lower()
    for a in sorted(first, key=len, reverse=True):
        for b in sorted(second, key=len, reverse=True):
            match = re.search(rf"(?<![\w-]){re.escape(a)}(?:[\s'’]+[^\W\d_]+){{0,1}}?[\s'’]+"
                              rf"{re.escape(b)}(?![\w-])", lowered)
            if match:
                return match.group(0)
    return None


def _usual_spelling(forms: Counter) -> str:
    """The most frequent spelling; an accented one wins over the same letters unaccented."""
    by_letters: dict[str, Counter] = defaultdict(Counter)
    for form, n in forms.items():
        by_letters[fold(form)][form] += n
    letters = max(by_letters, key=lambda f: (sum(by_letters[f].values()), -len(f), f))
    spellings = by_letters[letters]
    top = max(spellings.values())
    return max(spellings, key=lambda s: (spellings[s] * 4 >= top, _accents(s), spellings[s], s))


def distinctive_order(weights: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Order terms by how much they say about a theme: p(w|t) * log(p(w|t) / p(w))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(weights > 0, weights * np.log(weights / np.maximum(background, 1e-12)),
                         -np.inf)
    return np.argsort(-score, kind="stable")


def label_terms(terms: Sequence[str], n: int = 3) -> list[str]:
    """Pick the label words among a theme's distinctive terms (most distinctive first).

    Generic words are skipped, and so is a word already inside a chosen expression
    ("médecin" after "médecin traitant").
    """
    chosen: list[str] = []
    seen: set[str] = set()
    for term in terms:
        if fold(term) in _GENERIC_FOLDED:
            continue
        words = {fold(p) for p in _SPLIT.split(term) if len(p) > 2}
        if words & seen:
            continue
        chosen.append(term)
        seen |= words
        if len(chosen) == n:
            break
    return chosen


_GENERIC_FOLDED = frozenset(fold(w) for w in GENERIC_WORDS)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1`` beyond it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
