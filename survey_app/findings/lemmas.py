"""The lemma cache of analysis.text, kept in the database (table ``lemma_cache``)."""
from __future__ import annotations

from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import LemmaCache


class DatabaseLemmaCache:
    """Implements ``get_many``/``set_many`` of :class:`analysis.text.LemmaCache` on a table."""

    def __init__(self, session: Session, chunk: int = 900):
        self.session = session
        self.chunk = chunk  # below SQLite's limit on bound parameters

    def get_many(self, keys: Sequence[str]) -> Mapping[str, list[str]]:
        found: dict[str, list[str]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self.chunk):
            part = unique[start : start + self.chunk]
            rows = self.session.execute(select(LemmaCache.text_hash, LemmaCache.lemmas).where(LemmaCache.text_hash.in_(part)))
            found.update({key: lemmas for key, lemmas in rows})
        return found

    def set_many(self, items: Mapping[str, list[str]]) -> None:
        if not items:
            return
        known = self.get_many(list(items))
        for key, lemmas in items.items():
            if key not in known:
                self.session.add(LemmaCache(text_hash=key, lemmas=list(lemmas)))
        self.session.flush()
