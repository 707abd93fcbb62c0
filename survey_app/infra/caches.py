"""Every cache kept in the process, each with the rule that keeps it right.

A cache lives here, and only here, when the survey benchmark shows it is worth at least
5 % (``bench/bench_survey.py`` serves the survey once more without each cache in the
same run; ``bench/inprocess_survey.py`` measures the CPU per page without each one, in
pairs; figures in ``bench/README.md``). Each entry says what its key is made of and why
an entry cannot go stale, or what forgets it. A full cache is emptied (the next requests
fill it again): no cache grows without bound. Values are shared between requests and
threads: never modify one.

Removed on 2026-12-01 for being worth less than 5 % of CPU per page (in pairs, median):
the survey snapshots by value (-1.7 %: ``RECENT_SURVEYS`` stands in front), the HTML of
blank questions (-0.3 %: whole pages are shared), the signed CSRF token per session and
the cookie-session serializer per key set (+2.6 %). ``DEFINITIONS`` measured -1.3 % in
the benchmark, which only rebuilds a definition when ``RECENT_SURVEYS`` expires; it is
the one cache of definitions the issue asks for, kept because a draft on an older
version (``survey_of``) and the coordinator's pages rebuild a definition (about 45 ms)
on every request without it, which the benchmark does not exercise.

Removed on 2026-12-01 too: the ``lru_cache`` of parsed condition sources in
``questionnaire/conditions.py`` (``questionnaire/`` holds no cache). Conditions are parsed
only when a definition is built, which ``DEFINITIONS`` and ``RECENT_SURVEYS`` make rare:
the benchmark's residents parse none after the first (``bench/probe_parse_cache.py``), and
a build of the resident definition took 70.6 ms of CPU without it, 73.0 ms with it.
"""
from __future__ import annotations

from typing import Any, Hashable


class Memo:
    """A bounded mapping emptied when full; :meth:`disable` turns it off (measurements)."""

    def __init__(self, name: str, limit: int, rule: str):
        self.name, self.limit, self.rule = name, limit, rule
        self.enabled = True
        self._entries: dict = {}

    def get(self, key: Hashable, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def put(self, key: Hashable, value: Any) -> Any:
        if self.enabled:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[key] = value
        return value

    def clear(self) -> None:
        self._entries.clear()

    def disable(self) -> None:
        """Never keep anything (to measure what the cache is worth)."""
        self.enabled = False
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Memo {self.name}: {len(self._entries)}/{self.limit}>"


#: Questionnaire definitions rebuilt from the database, by the version's content hash.
#: Rule: the hash is the SHA-256 of the canonical content, and a stored version never
#: changes, so equal keys mean equal definitions; nothing goes stale. Values are shared
#: between requests and must not be modified (a Definition is plain data, read only).
DEFINITIONS = Memo("definitions", 64, "key = content hash of an immutable version: never stale")

#: The survey served lately per (database, campaign slug, questionnaire key), with when
#: it was read. Rule: an entry is used for ``CLS_SURVEY_CACHE_SECONDS`` at most (another
#: worker's change is seen after that delay); a change of a campaign, its districts, its
#: invitation codes or its questionnaire versions committed in this process empties it at
#: once (see :func:`survey_app.survey.surveys.watch`). What must be exact at once (is the
#: campaign open?) is read again with the draft, whatever this cache says.
RECENT_SURVEYS = Memo("recent_surveys", 256, "age at most CLS_SURVEY_CACHE_SECONDS; emptied on commit of a change")

#: Pages whose content depends only on the survey snapshot, the language, the page and
#: which of its questions are shown (see :mod:`survey_app.survey.pages`). Rule: the key
#: holds every value the survey snapshot was built from (``Survey.identity``: campaign,
#: version's content hash, districts…), so a change of the survey gives other keys; every
#: value of one resident (CSRF token, resume code, earlier answers used by the page's
#: script, page number and count) is a placeholder filled in after, for each request.
SHARED_PAGES = Memo("shared_pages", 500, "key = snapshot + language + page + shown questions; per-resident values injected after")

#: What the questionnaire's conditions and checks give for a set of answers (visible
#: pages and questions, answers kept, typed answers, messages), per (function, content
#: hash, districts, its arguments, every answer with its type). Rule: these are pure
#: functions of that key (see :mod:`survey_app.survey.conditions`); never stale.
CONDITIONS = Memo("conditions", 4096, "key = content hash + districts + arguments + typed answers: never stale")

ALL = (DEFINITIONS, RECENT_SURVEYS, SHARED_PAGES, CONDITIONS)


def by_name(name: str) -> Memo:
    return next(memo for memo in ALL if memo.name == name)


def clear_all() -> None:
    for memo in ALL:
        memo.clear()
