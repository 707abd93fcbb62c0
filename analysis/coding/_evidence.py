"""The evidence behind a coding: what :meth:`Coder.propose` and :meth:`Coder.evidence` return."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _learn as learn
from ._match import fold


@dataclass(frozen=True)
class Proposal:
    """A theme proposed for (or given to) one answer."""

    theme: str
    label: str
    confidence: float
    source: str            #: "auto" or "human"
    terms: tuple[str, ...] = ()   #: seed terms found in the answer
    kind: str = "need"     #: the theme's kind: "need" or "population"


@dataclass(frozen=True)
class ThemeEvidence:
    """Why an answer has (or almost has) a theme: every part of its confidence.

    The codebook part combines ``terms`` (seed terms found, with their weight) and
    ``near_words`` (words of the answer the codebook does not list, near one of its
    terms through word vectors or morphology: ``(word, term, similarity)``) into
    ``codebook``; ``learned`` lists words that the coordinator's codings tied to the
    theme ``(word, weight)``; ``classifier`` is the trained classifier's score (None
    before it is trained) and ``neighbours`` the closeness to an answer the
    coordinator coded with the theme.
    """

    theme: str
    label: str
    kind: str
    confidence: float
    coded: bool
    main: bool
    terms: tuple[tuple[str, float], ...]
    near_words: tuple[tuple[str, str, float], ...]
    codebook: float
    learned: tuple[tuple[str, float], ...]
    classifier: float | None
    neighbours: float
    source: str = "auto"


def theme_evidence(coder, row: int, minimum: float) -> list[ThemeEvidence]:
    """One :class:`ThemeEvidence` per theme of answer `row` of `coder` whose
    confidence or codebook evidence reaches `minimum` (see :meth:`Coder.evidence`)."""
    confidence = coder.confidence[row]
    coded_mask, main = coder._decide(confidence[None, :], [row])
    coded_mask, main = coded_mask[0], int(main[0])
    human = coder._latest.get(row)
    if human is not None:
        coded_mask = np.isin(np.arange(len(coder._keys)), [coder._key_index[t] for t in human])
        main = coder._key_index[human[0]] if human else -1
    columns = coder._counts[row].indices
    out = []
    for j, key in enumerate(coder._keys):
        if max(confidence[j], coder._evidence[row, j]) < minimum and not coded_mask[j]:
            continue
        terms = tuple((text, _term_weight(coder, j, text)) for text in coder._matched[row].get(j, ()))
        near = []
        found = {fold(text) for text, _weight in terms}
        for c in columns:
            value, t = float(coder._affinity[c, j]), int(coder._affinity_term[c, j])
            if value >= learn.SOFT_FLOOR and t >= 0:
                word, term = coder._vocabulary[c], coder.term_index.terms[t].text
                if fold(word) == fold(term) or fold(word) in found:
                    continue  # the term itself, already listed among the terms found
                near.append((word, term, round(value, 2)))
        near.sort(key=lambda item: -item[2])
        learned = sorted(((coder._vocabulary[c], round(float(coder._learned_words[c, j]), 2))
                          for c in columns if coder._learned_words[c, j] > 0),
                         key=lambda item: -item[1])
        probability = coder._probability[row, j]
        out.append(ThemeEvidence(
            theme=key, label=coder._labels[key], kind=coder._kinds[j],
            confidence=float(confidence[j]), coded=bool(coded_mask[j]), main=j == main,
            terms=terms, near_words=tuple(near[:5]),
            codebook=float(coder._evidence[row, j]), learned=tuple(learned[:5]),
            classifier=None if np.isnan(probability) else float(probability),
            neighbours=float(coder._neighbours[row, j]),
            source="human" if human is not None else "auto"))
    out.sort(key=lambda e: (not e.main, -e.confidence))
    return out


def _term_weight(coder, theme: int, text: str) -> float:
    for term in coder.term_index.terms:
        if term.theme == theme and term.text == text:
            return term.weight
    return 1.0
