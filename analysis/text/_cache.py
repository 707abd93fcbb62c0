"""The lemma cache protocol: a bulk store of lemma lists keyed by :func:`text_hash`.

Private module; :class:`LemmaCache` is re-exported by :mod:`analysis.text`.
"""
from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Protocol, runtime_checkable

__all__ = ["LemmaCache", "as_cache"]


@runtime_checkable
class LemmaCache(Protocol):
    """Bulk store of lemma lists keyed by :func:`text_hash`; a database table fits.

    A plain ``dict`` (any ``MutableMapping[str, list[str]]``) is accepted as well.
    """

    def get_many(self, keys: Sequence[str]) -> Mapping[str, list[str]]:
        """Return the cached lemma lists of those `keys` that are present."""

    def set_many(self, items: Mapping[str, list[str]]) -> None:
        """Store lemma lists by key."""


class _MappingCache:
    def __init__(self, mapping: MutableMapping[str, list[str]]):
        self.mapping = mapping

    def get_many(self, keys):
        mapping = self.mapping
        return {k: mapping[k] for k in keys if k in mapping}

    def set_many(self, items):
        self.mapping.update(items)


def as_cache(cache) -> LemmaCache:
    if cache is None:
        return _MappingCache({})
    if isinstance(cache, LemmaCache):
        return cache
    if isinstance(cache, MutableMapping):
        return _MappingCache(cache)
    raise TypeError("cache must be a MutableMapping or provide get_many() and set_many()")
