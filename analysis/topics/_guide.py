"""Themes guided by the campaign's codebook: the ``"guided"`` method.

Private helper of :mod:`analysis.topics`. The answers' word vectors alone group short
answers by what they look like ("children", "money", "too far") more than by the
need they express; the codebook's coder (:class:`analysis.coding.Coder`) knows the
CLS needs. An answer is then its unit word vector (:mod:`._vectors`) followed by a
block of its codebook confidences — squared, so that a clear theme outweighs
a vague similarity — times :data:`GUIDE_WEIGHT`, and gated: the block counts fully
for an answer whose best confidence reaches the coder's threshold, fades out below
it and is zero from :data:`GATE_WIDTH` under it. Answers the codebook does not
recognise are thus grouped by their word vectors alone, among themselves: the themes
the codebook lacks can still emerge. The k-means of :mod:`._vectors` then groups
the concatenated rows.

A codebook written for other answers still finds words of its own in them ("prix",
"payer", "jeunes" in answers on taxes or democracy) and would pull them into themes
that cut across what they are about. So the block is also weighted by the codebook's
fit to the corpus (:meth:`Guidance.trust`): the share of answers to which it clearly
gives a theme (confidence at the coder's ``secondary_threshold``, from which it codes
a second theme) — 0 up to :data:`TRUST_FROM`, 1 from :data:`TRUST_FULL`, linear
between. Measured: 97% of the tuning corpus' answers, 64% with half of the
codebook's themes removed, 40% of answers on another subject (taxes, ecology,
democracy, public services, wages, farming: ``tests/analysis/topics_offdomain_fr.csv``).

The weight, the square and the gate were set on the tuning corpus
(``tests/data/coding_corpus_fr.csv``) with the whole codebook and with half of its
themes removed (so that half of the answers' themes were unknown to it), choosing the
setting that did well in both; the trust bounds so that the off-subject answers are
grouped as by the vectors alone, with a margin (40% < 45%), and that a codebook
written for the answers is fully trusted; ``bench/themes_quality.py`` measures it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Weight of the codebook block against the unit word vector of an answer (tuning
#: corpus, mean ARI of 3 seeds, whole / half codebook: 1 -> 0.718 / 0.288,
#: 1.5 -> 0.707 / 0.473, 2 -> 0.727 / 0.524, 3 -> 0.704 / 0.538).
GUIDE_WEIGHT = 2.0
#: Below the coder's threshold, the block fades out linearly over this confidence.
GATE_WIDTH = 0.2
#: Share of answers clearly coded up to which the codebook is not trusted at all...
TRUST_FROM = 0.45
#: ... and from which it is fully trusted.
TRUST_FULL = 0.85


@dataclass(frozen=True)
class Guidance:
    """Codebook confidences of the answers, in the answers' order.

    ``confidence`` has one row per answer and one column per codebook theme
    (``keys``); ``threshold`` is the coder's confidence from which a theme is coded,
    ``clear`` the one from which it codes a second theme (a theme clearly raised).
    """

    confidence: np.ndarray
    keys: tuple[str, ...]
    threshold: float
    clear: float

    def take(self, positions) -> Guidance:
        """The guidance of the answers at `positions`."""
        return Guidance(self.confidence[np.asarray(positions, dtype=int)], self.keys,
                        self.threshold, self.clear)

    def _best(self) -> np.ndarray:
        if not self.confidence.shape[1]:
            return np.zeros(len(self.confidence))
        return np.nan_to_num(self.confidence.astype(float)).max(axis=1)

    def coded(self) -> np.ndarray:
        """Whether the codebook gives each answer a theme (best confidence at threshold)."""
        return self._best() >= self.threshold

    def clearly_coded(self) -> float:
        """Share of the answers the codebook clearly gives a theme."""
        best = self._best()
        return float((best >= self.clear).mean()) if len(best) else 0.0

    def trust(self) -> float:
        """How far the codebook fits these answers, from 0 to 1 (see the module)."""
        share = self.clearly_coded()
        return float(np.clip((share - TRUST_FROM) / (TRUST_FULL - TRUST_FROM), 0.0, 1.0))

    def block(self, weight: float | None = None, width: float | None = None) -> np.ndarray:
        """The feature block appended to the answers' vectors (see the module).

        `weight` defaults to :data:`GUIDE_WEIGHT` times :meth:`trust`, `width` to
        :data:`GATE_WIDTH`.
        """
        weight = GUIDE_WEIGHT * self.trust() if weight is None else weight
        width = GATE_WIDTH if width is None else width
        confidence = np.clip(np.nan_to_num(self.confidence.astype(float)), 0.0, 1.0)
        if not confidence.shape[1]:
            return confidence
        gate = np.clip((confidence.max(axis=1) - self.threshold + width) / width, 0.0, 1.0)
        return weight * confidence ** 2 * gate[:, None]


def codebook_guidance(texts, codebook=None, *, cache=None, preprocessor=None) -> Guidance:
    """Code `texts` with `codebook` (the shipped CLS codebook when None), no correction.

    Returns the coder's confidences of every answer in every theme.
    """
    from ..coding import Coder

    answers = pd.DataFrame({"text": list(texts)})
    answers["answer_id"] = np.arange(len(answers))
    coder = Coder(answers, codebook, cache=cache, preprocessor=preprocessor)
    return Guidance(np.asarray(coder.confidence, dtype=float), tuple(coder.codebook.keys),
                    float(coder.threshold), float(coder.secondary_threshold))
