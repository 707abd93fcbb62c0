"""Lemmas of free-text answers, computed once per text and kept."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import JSONType, Timestamp, utcnow


class LemmaCache(db.Model):
    __tablename__ = "lemma_cache"

    #: Hash of the normalised text and of the preprocessing version.
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    lemmas: Mapped[list] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
