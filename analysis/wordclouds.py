"""Word clouds of themes, as PNG files, with the font the ``wordcloud`` package ships.

Dark colours on white (contrast above 7:1 for every colour of the palette), words
laid out horizontally so that they can be read, and a fixed random state so that the
same theme always gives the same picture.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from .text import STOP_WORDS

__all__ = ["PALETTE", "write_wordcloud", "slugify"]

#: Dark, colour-blind-friendly colours readable on white.
PALETTE = ("#1b365d", "#7a1f3d", "#1d5e3a", "#5b2c83", "#7a3b00", "#243c4f")


def slugify(text: str, max_length: int = 40) -> str:
    """Return an ASCII file-name part for `text` ("Santé mentale" -> "sante-mentale")."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-") or "theme"


def write_wordcloud(frequencies: Mapping[str, float], path: str | Path, *,
                    width: int = 800, height: int = 400, max_words: int = 60,
                    seed: int = 0) -> Path:
    """Draw `frequencies` (term -> weight) as a PNG word cloud at `path`.

    Parameters
    ----------
    frequencies : mapping
        Terms and their weights in the theme; stop words are dropped.
    path : str or Path
        PNG file to write; its folder is created if needed.
    width, height : int
        Size in pixels.
    max_words : int
        Largest number of terms drawn.
    seed : int
        Layout and colour seed.

    Returns
    -------
    Path
        The file written.
    """
    from wordcloud import WordCloud  # matplotlib-free; imported only when drawing

    terms = {t: float(w) for t, w in frequencies.items() if w > 0 and t not in STOP_WORDS}
    if not terms:
        terms = {"—": 1.0}
    palette = PALETTE

    def colour(word, font_size, position, orientation, random_state=None, **kwargs):
        return palette[sum(map(ord, word)) % len(palette)]

    cloud = WordCloud(
        width=width, height=height, background_color="white", max_words=max_words,
        prefer_horizontal=1.0, random_state=seed, color_func=colour,
        stopwords=set(STOP_WORDS), collocations=False, margin=4,
    ).generate_from_frequencies(terms)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    cloud.to_file(str(target))
    return target
