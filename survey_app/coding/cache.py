"""The coders a worker process keeps in memory, in step with the codings in the database.

Private helper of :mod:`.coding`. A coder is keyed by (campaign id, question or "*",
codebook hash, fingerprint of the analysed responses): a new codebook or a new
response means another coder. Every worker replays the human codings the others
stored (rows of ``answer_coding`` it has not applied yet), then recomputes.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import pandas as pd

from ..findings.lemmas import DatabaseLemmaCache

#: Coders kept per process (each holds the features of one campaign's answers).
MAX_CODERS = 8
#: Ids below the highest applied one that are read again: on PostgreSQL a transaction
#: can commit a smaller id after a larger one, and that coding must not be missed.
LOOKBACK = 200

#: Lemmas kept in memory in front of the database cache (a coder is rebuilt after each
#: new codebook or response, from the same texts).
MAX_MEMORY_LEMMAS = 200_000

Row = tuple[int, str, str, list]  # coding id, answer id, coder, themes


class CoderState:
    """A :class:`analysis.coding.Coder` and the stored codings it has applied."""

    def __init__(self, coder, answers):
        self.coder = coder
        self.answers = answers
        self.positions = {a: i for i, a in enumerate(answers.frame["answer_id"])}
        self.ids = frozenset(self.positions)
        self.lock = threading.RLock()
        self.applied: set[int] = set()
        self.last_id = 0
        #: answer -> (coding id, coder, themes) of its latest human coding
        self.latest: dict[str, tuple[int, str, tuple]] = {}
        #: (answer, coder) -> id of that coder's latest coding of the answer
        self.by_coder: dict[tuple[str, str], int] = {}
        #: Grows with every coding applied (results derived from the coder key on it).
        self.version = 0
        self.memo: dict = {}

    def since(self) -> int:
        """Return the id after which stored codings are read again."""
        return max(0, self.last_id - LOOKBACK)

    def sync(self, rows: Iterable[Row]) -> bool:
        """Apply the stored codings not applied yet; recompute when there were some."""
        return self.apply([r for r in rows if r[0] not in self.applied])

    def apply(self, rows: Iterable[Row]) -> bool:
        """Record codings in the coder (in id order, the latest winning), then recompute."""
        rows = sorted(rows)
        if not rows:
            return False
        keys = set(self.coder.codebook.keys)
        with self.lock:
            changed = False
            for coding_id, answer, coder, themes in rows:
                self.applied.add(coding_id)
                self.last_id = max(self.last_id, coding_id)
                if answer not in self.ids or self.by_coder.get((answer, coder), 0) > coding_id:
                    continue
                kept = tuple(t for t in themes if t in keys)  # themes since removed drop out
                self.by_coder[(answer, coder)] = coding_id
                self.coder.record(answer, kept, coder=coder)
                latest = self.latest.get(answer)
                if latest is not None and latest[0] > coding_id:
                    self.coder.record(answer, latest[2], coder=latest[1])  # a newer one stays latest
                else:
                    self.latest[answer] = (coding_id, coder, kept)
                changed = True
            if changed:
                self.coder.recompute()
                self.version += 1
                self.memo.clear()
        return changed

    def codings(self) -> pd.DataFrame:
        """Return the coder's codings (memoised until the next coding)."""
        with self.lock:
            if "codings" not in self.memo:
                self.memo["codings"] = self.coder.codings()
            return self.memo["codings"]

    def set_codebook(self, codebook) -> None:
        """Code with a new codebook, keeping the codings of the themes kept."""
        with self.lock:
            self.coder.set_codebook(codebook)
            keys = set(codebook.keys)
            self.latest = {a: (i, c, tuple(t for t in th if t in keys)) for a, (i, c, th) in self.latest.items()}
            self.version += 1
            self.memo.clear()


_STATES: OrderedDict[tuple, CoderState] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}


def cached_state(key: tuple, build: Callable[[], tuple]) -> CoderState:
    """Return the state for `key`, building it (once, even with concurrent requests)."""
    with _LOCK:
        state = _STATES.get(key)
        if state is not None:
            _STATES.move_to_end(key)
            return state
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _LOCK:
            state = _STATES.get(key)
        if state is None:
            state = CoderState(*build())
            with _LOCK:
                for other in [k for k in _STATES if k[:2] == key[:2]]:
                    del _STATES[other]  # an older codebook or set of responses
                _STATES[key] = state
                while len(_STATES) > MAX_CODERS:
                    _STATES.popitem(last=False)
                _BUILDING.pop(key, None)
    return state


def move_to_codebook(campaign_id: int, old_hash: str, new_hash: str, codebook) -> None:
    """Move the campaign's coders from one codebook to its edited version."""
    with _LOCK:
        moving = [k for k in _STATES if k[0] == campaign_id and k[2] == old_hash]
        states = [(k, _STATES.pop(k)) for k in moving]
    for key, state in states:
        state.set_codebook(codebook)
        with _LOCK:
            _STATES[(key[0], key[1], new_hash, key[3])] = state


def clear() -> None:
    """Forget every coder (tests, or after restoring a database)."""
    with _LOCK:
        _STATES.clear()


_LEMMAS: dict[str, list[str]] = {}


class MemoryFirstLemmaCache:
    """The lemma cache of :mod:`analysis.text`: this process's memory, then the database."""

    def __init__(self, backing: DatabaseLemmaCache):
        self.backing = backing

    def get_many(self, keys):
        found = {k: _LEMMAS[k] for k in keys if k in _LEMMAS}
        missing = [k for k in keys if k not in found]
        if missing:
            stored = self.backing.get_many(missing)
            self._remember(stored)
            found.update(stored)
        return found

    def set_many(self, items) -> None:
        self.backing.set_many(items)
        self._remember(items)

    @staticmethod
    def _remember(items) -> None:
        if len(_LEMMAS) + len(items) > MAX_MEMORY_LEMMAS:
            _LEMMAS.clear()
        _LEMMAS.update(items)


def lemma_cache(session) -> MemoryFirstLemmaCache:
    """Return the lemma cache coders use: memory first, then table ``lemma_cache``."""
    return MemoryFirstLemmaCache(DatabaseLemmaCache(session))
