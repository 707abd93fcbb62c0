"""Codebook terms compiled for matching: folding, phrase search, near-misspellings.

Private helper of :mod:`analysis.coding`. Seed terms are normalised and lemmatised by
the same :class:`~analysis.text.FrenchPreprocessor` as the answers, then matched in
two sequences of each answer: its content lemmas (expressions merged) and its
surface words (normalised text, stop words removed), both folded (no accents, lower
case). A phrase matches when its words come in order with at most one word between
them. A word of 6 letters or more one edit away from a term word (Damerau) counts as
that word, unless the two words have clearly different word vectors.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._codebook import Codebook

#: Confidence given by one full-weight seed term; several combine as a noisy-or.
TERM_STRENGTH = 0.75
#: Factor applied to a term matched through a near-misspelling.
FUZZY_FACTOR = 0.85
#: Shortest word corrected by edit distance 1.
FUZZY_MIN_LENGTH = 6
_MAX_GAP = 1
#: Words, numbers included: "80 ans" and "secteur 2" keep what makes them specific.
_WORDS = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
#: Grammatical words left out of word-vector similarity (they are close to everything).
FUNCTION_WORDS = frozenset({
    "pas", "sans", "plus", "moins", "trop", "peu", "aucun", "aucune", "rien", "jamais",
    "nul", "souvent", "longtemps", "pres", "manque", "manquer", "besoin", "probleme",
    "souci", "personne", "ouvert", "suffisant", "seul", "proche", "vrai", "meme",
})
#: Politeness that says nothing, on top of analysis.text's useless answers.
COURTESY = frozenset({"bonne journee", "bonne journée", "bonne soiree", "bon courage",
                      "cordialement", "merci", "questionnaire", "journee", "soiree",
                      "courage", "bonjour", "bonsoir", "salut", "remercier", "enquete"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return `text` in lower case without accents (the form terms are compared in)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Return a folded word without its plural ending, and "-ée" as "-é" ("âgées" -> "age").

    Only endings that never turn a word into another word are dropped: "rate" stays
    "rate" (not "rat"), "arrete" stays "arrete" (not "arret"); other inflections are
    matched through lemmas.
    """
    if len(word) > 3 and word[-1] in "sx" and not word[-2] in "su":
        word = word[:-1]
    if len(word) > 3 and word.endswith("ee"):
        word = word[:-1]
    return word


def surface_words(normalised: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """Return the folded words of a normalised text, stop words and letters dropped."""
    return [w for w in (fold(m) for m in _WORDS.findall(normalised))
            if (len(w) > 1 or w.isdigit()) and w not in stop]


#: The sequences an answer is matched in: content lemmas, stemmed words without stop
#: words, and all stemmed words (for phrases made of grammatical words, "à la rue").
KINDS = ("lemmas", "surface", "raw")


@dataclass(frozen=True)
class CompiledTerm:
    """A seed term or an exclusion in its matchable forms (empty when not used)."""

    theme: int
    text: str
    weight: float
    lemmas: tuple[str, ...]
    surface: tuple[str, ...]
    raw: tuple[str, ...]


def compile_term(theme: int, text: str, weight: float, normalised: str, lemmas: Sequence[str],
                 stop: frozenset[str], function_words: frozenset[str]) -> CompiledTerm:
    """Return the forms a term is matched in.

    A phrase that stop words reduce to one word or less ("à la rue", "trop petit") is
    matched word for word; a single word is matched on its lemma only when the
    lemma is the word itself (the lemmatizer turns "aidant" into "aider"), otherwise
    on its inflected forms.
    """
    raw = tuple(stem(w) for w in all_words(normalised))
    surface = tuple(stem(w) for w in surface_words(normalised, stop))
    lemma_seq = tuple(fold(w) for w in lemmas)
    if any(w.isdigit() for w in raw):
        # lemmas drop numbers: "80 ans" would become "an"; match the written words only
        lemma_seq = ()
    if len(raw) >= 2:
        # a phrase whose grammatical words carry the meaning: keep them
        kept = [seq if len([w for w in seq if w not in function_words]) >= 2
                or len(seq) == len(raw) else () for seq in (lemma_seq, surface)]
        lemma_seq, surface = kept
        if not lemma_seq and not surface:
            return CompiledTerm(theme, text, weight, (), (), raw)
    if all(w in function_words for w in lemma_seq):
        lemma_seq = ()
    if len(raw) == 1 and len(lemma_seq) == 1 and stem(lemma_seq[0]) != raw[0]:
        lemma_seq = ()
    return CompiledTerm(theme, text, weight, lemma_seq, surface, ())


def all_words(normalised: str) -> list[str]:
    """Return every folded word, one-letter words included ("à bout")."""
    return [fold(m) for m in _WORDS.findall(normalised)]


class TermIndex:
    """The codebook's terms and exclusions indexed by their first word.

    Parameters
    ----------
    codebook : Codebook
    preprocessor : FrenchPreprocessor
    cache : LemmaCache or MutableMapping, optional
        Lemma cache shared with the answers.
    function_words : set of str
        Folded grammatical words that cannot be a term on their own.
    """

    def __init__(self, codebook: Codebook, preprocessor, cache=None,
                 function_words: frozenset[str] = frozenset()):
        self.codebook = codebook
        self.n_themes = len(codebook.themes)
        self.stop = frozenset(fold(w) for w in preprocessor.stop_words)
        phrases: list[tuple[int, str, float, bool]] = []
        #: Texts of the population terms, per theme (see CodebookTheme.population_terms).
        self.population_texts: dict[int, frozenset[str]] = {}
        for k, theme in enumerate(codebook.themes):
            phrases += [(k, t.text, t.weight, False) for t in theme.terms]
            phrases += [(k, t.text, t.weight, False) for t in theme.population_terms]
            phrases += [(k, e, 1.0, True) for e in theme.exclusions]
            self.population_texts[k] = frozenset(t.text for t in theme.population_terms)
        normalised = [preprocessor.normalise(p[1]) for p in phrases]
        lemmas, _ = preprocessor.lemmatise(normalised, cache=cache)
        self.terms: list[CompiledTerm] = []
        self.exclusions: list[CompiledTerm] = []
        self.empty: list[str] = []
        seen: dict[tuple, int] = {}
        for (k, text, weight, excluded), norm, lem in zip(phrases, normalised, lemmas):
            term = compile_term(k, text, weight, norm, preprocessor.content(lem), self.stop,
                                function_words)
            if not (term.lemmas or term.surface or term.raw):
                self.empty.append(text)
                continue
            if excluded:
                self.exclusions.append(term)
                continue
            # "toubib" is normalised to "médecin": one term, not two
            key = (k, term.lemmas, term.surface, term.raw)
            if key in seen:
                kept = self.terms[seen[key]]
                if weight > kept.weight:
                    self.terms[seen[key]] = term
                continue
            seen[key] = len(self.terms)
            self.terms.append(term)
        self._index = {kind: self._build_index(kind) for kind in KINDS}
        self.words = sorted({w for t in self.terms for kind in KINDS for w in getattr(t, kind)
                             if " " not in w})

    def _build_index(self, kind: str) -> dict[str, list[tuple[tuple[str, ...], int, bool]]]:
        index: dict[str, list] = {}
        for items, excluded in ((self.terms, False), (self.exclusions, True)):
            for i, term in enumerate(items):
                seq = getattr(term, kind)
                if seq:
                    index.setdefault(seq[0], []).append((seq, i, excluded))
        return index

    # --- near-misspellings -------------------------------------------------------------
    def corrections(self, vocabulary: Sequence[str], compatible=None) -> dict[str, str]:
        """Return ``word -> term word`` for words of `vocabulary` one edit from a term word.

        `compatible(word, term_word)`, when given, may refuse a correction (e.g. two
        real words with different meanings).
        """
        known = set(self.words)
        deletes: dict[str, list[str]] = {}
        for word in self.words:
            if len(word) >= FUZZY_MIN_LENGTH - 1:
                for variant in {word, *_deletions(word)}:
                    deletes.setdefault(variant, []).append(word)
        found = {}
        for word in vocabulary:
            if len(word) < FUZZY_MIN_LENGTH or word in known or " " in word:
                continue
            candidates = {c for v in (word, *_deletions(word)) for c in deletes.get(v, ())}
            best = sorted(c for c in candidates if _osa_at_most_one(word, c))
            if best and (compatible is None or compatible(word, best[0])):
                found[word] = best[0]
        return found

    # --- matching ----------------------------------------------------------------------
    def match(self, sequences: Sequence[Sequence[str]], fuzzy: frozenset = frozenset()
              ) -> dict[int, tuple[float, float, list[str]]]:
        """Return ``theme -> (score, first relative position, matched terms)`` for one answer.

        `sequences` are the answer's words in each of :data:`KINDS`; `fuzzy` holds the
        ``(kind index, position)`` of corrected words. Within a sequence, terms that
        overlap count once (the strongest); a theme's score is its best sequence's.
        """
        results: dict[int, tuple[float, float, list[str]]] = {}
        for kind_index, (kind, seq) in enumerate(zip(KINDS, sequences)):
            if not seq:
                continue
            found, blocked = [], {}
            for start, word in enumerate(seq):
                for phrase, i, excluded in self._index[kind].get(word, ()):
                    end = _match_at(seq, start, phrase)
                    if end is None:
                        continue
                    if excluded:
                        blocked.setdefault(self.exclusions[i].theme, []).append((start, end))
                    else:
                        found.append((self.terms[i].theme, start, end, i))
            by_theme: dict[int, list] = {}
            for theme, start, end, i in found:
                if any(s < end and start < e for s, e in blocked.get(theme, ())):
                    continue
                weight = self.terms[i].weight
                if any((kind_index, p) in fuzzy for p in range(start, end)):
                    weight *= FUZZY_FACTOR
                by_theme.setdefault(theme, []).append((start, end, weight, i))
            for theme, hits in by_theme.items():
                hits.sort()
                miss, cluster_end, cluster_weight = 1.0, -1, 0.0
                for start, end, weight, _ in hits:
                    if start < cluster_end:
                        cluster_weight = max(cluster_weight, weight)
                        cluster_end = max(cluster_end, end)
                        continue
                    miss *= 1.0 - TERM_STRENGTH * cluster_weight
                    cluster_end, cluster_weight = end, weight
                miss *= 1.0 - TERM_STRENGTH * cluster_weight
                score = 1.0 - miss
                first = hits[0][0] / len(seq)
                texts = [self.terms[i].text for *_, i in hits]
                previous = results.get(theme)
                if previous is None:
                    results[theme] = (score, first, texts)
                else:
                    merged = previous[2] + [t for t in texts if t not in previous[2]]
                    results[theme] = (max(score, previous[0]), min(first, previous[1]), merged)
        return results


def _match_at(seq: Sequence[str], start: int, phrase: tuple[str, ...]) -> int | None:
    """Return the end of `phrase` matched from `start` (gaps of one word allowed), or None."""
    position = start
    for word in phrase[1:]:
        for step in range(1, _MAX_GAP + 2):
            if position + step < len(seq) and seq[position + step] == word:
                position += step
                break
        else:
            return None
    return position + 1


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _osa_at_most_one(a: str, b: str) -> bool:
    """Whether `a` and `b` are at most one edit apart (insertion, deletion, substitution,
    transposition of neighbours)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    return a[i + 1:] == b[i:] if la > lb else a[i:] == b[i + 1:]


def apply_corrections(sequences, corrections: dict[str, str]) -> list[frozenset]:
    """Replace corrected words in place; return each answer's ``(kind, position)`` set."""
    fuzzy_positions = []
    for seqs in sequences:
        positions = set()
        for kind, seq in enumerate(seqs):
            for p, word in enumerate(seq):
                if word in corrections:
                    seq[p] = corrections[word]
                    positions.add((kind, p))
        fuzzy_positions.append(frozenset(positions))
    return fuzzy_positions


def term_scores(index: TermIndex, sequences, fuzzy_positions):
    """Return the term evidence of every answer.

    Parameters
    ----------
    sequences : list of tuple of list of str
        Per answer, its words in each of :data:`KINDS`.
    fuzzy_positions : list of frozenset
        Per answer, the ``(kind index, position)`` of corrected words.

    Returns
    -------
    scores : ndarray (n_answers, n_themes)
        Noisy-or of the matched terms' weights.
    positions : ndarray (n_answers, n_themes)
        Relative position of each theme's first match (1 when none).
    matched : list of dict
        ``theme -> matched term texts`` per answer, for explanations.
    """
    n, k = len(sequences), index.n_themes
    scores = np.zeros((n, k))
    positions = np.ones((n, k))
    matched: list[dict[int, list[str]]] = []
    for row, (seqs, fuzzy) in enumerate(zip(sequences, fuzzy_positions)):
        found = index.match(seqs, fuzzy)
        for theme, (score, first, _) in found.items():
            scores[row, theme] = score
            positions[row, theme] = first
        matched.append({theme: texts for theme, (_, _, texts) in found.items()})
    return scores, positions, matched


def written_forms(index: TermIndex, vocabulary: Sequence[str]) -> dict[str, str]:
    """Map folded (and stemmed) words back to a written form, for vector look-ups."""
    originals: dict[str, str] = {}
    words = [w for t in index.terms for w in _WORDS.findall(t.text.lower())]
    for word in [*words, *vocabulary]:
        originals.setdefault(fold(word), word)
        originals.setdefault(stem(fold(word)), word)
    return originals


def match_answers(index: TermIndex, tokens, surface, vocabulary: Sequence[str], vectors):
    """Match the codebook's terms in every answer, near-misspellings included.

    Parameters
    ----------
    index : TermIndex
    tokens : list of list of str
        Content lemmas of each answer (empty for useless answers).
    surface : list of list of str
        Written words of each answer.
    vocabulary : sequence of str
        Words of the answers' bag of words (for vector look-ups of corrections).
    vectors : WordVectors or None
        When given, a near-misspelling is accepted only if its vector is compatible.

    Returns
    -------
    corrections : dict
        ``misspelt word -> codebook word`` accepted.
    term, positions, matched
        As :func:`term_scores`.
    """
    sequences = [([fold(t) for t in words_of],
                  [stem(w) for w in written
                   if w not in index.stop and (len(w) > 1 or w.isdigit())],
                  [stem(w) for w in written])
                 for words_of, written in zip(tokens, surface)]
    words = sorted({w for seqs in sequences for seq in seqs for w in seq})
    originals = written_forms(index, vocabulary)
    corrections = index.corrections(
        words, None if vectors is None else
        lambda word, term: vectors.compatible(originals.get(word, word),
                                              originals.get(term, term)))
    fuzzy_positions = apply_corrections(sequences, corrections)
    term, positions, matched = term_scores(index, sequences, fuzzy_positions)
    return corrections, term, positions, matched
