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

The weight, the square and the gate were set on the tuning corpus
(``tests/data/coding_corpus_fr.csv``) with the whole codebook and with half of its
themes removed (so that half of the answers' themes were unknown to it), choosing the
setting that did well in both; ``bench/themes_quality.py`` measures it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Weight of the codebook block against the unit word vector of an answer.
GUIDE_WEIGHT = 1.5
#: Below the coder's threshold, the block fades out linearly over this confidence.
GATE_WIDTH = 0.2


@dataclass(frozen=True)
class Guidance:
    """Codebook confidences of the answers, in the answers' order.

    ``confidence`` has one row per answer and one column per codebook theme
    (``keys``); ``threshold`` is the coder's confidence from which a theme is coded.
    """

    confidence: np.ndarray
    keys: tuple[str, ...]
    labels: dict
    threshold: float
    title: str = ""

    def take(self, positions) -> Guidance:
        """The guidance of the answers at `positions`."""
        return Guidance(self.confidence[np.asarray(positions, dtype=int)], self.keys,
                        self.labels, self.threshold, self.title)

    def coded(self) -> np.ndarray:
        """Whether the codebook gives each answer a theme (best confidence at threshold)."""
        if not self.confidence.shape[1]:
            return np.zeros(len(self.confidence), dtype=bool)
        return self.confidence.max(axis=1) >= self.threshold

    def block(self, weight: float = GUIDE_WEIGHT, width: float = GATE_WIDTH) -> np.ndarray:
        """The feature block appended to the answers' vectors (see the module)."""
        confidence = np.clip(np.nan_to_num(self.confidence.astype(float)), 0.0, 1.0)
        if not confidence.shape[1]:
            return confidence
        best = confidence.max(axis=1)
        gate = np.clip((best - self.threshold + width) / width, 0.0, 1.0)
        return weight * confidence ** 2 * gate[:, None]


def codebook_guidance(texts, codebook=None, *, cache=None, preprocessor=None) -> Guidance:
    """Code `texts` with `codebook` (the shipped CLS codebook when None), no correction.

    Returns the coder's confidences of every answer in every theme.
    """
    from ..coding import DEFAULT_THRESHOLD, Coder

    answers = pd.DataFrame({"text": list(texts)})
    answers["answer_id"] = np.arange(len(answers))
    coder = Coder(answers, codebook, cache=cache, preprocessor=preprocessor)
    book = coder.codebook
    title = dict(book.title).get("fr", "") if book.title else ""
    return Guidance(np.asarray(coder.confidence, dtype=float), tuple(book.keys),
                    book.labels(), float(getattr(coder, "threshold", DEFAULT_THRESHOLD)), title)
