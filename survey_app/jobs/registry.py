"""The kinds of background job: a name, a label for the pages, the function that does the work."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["JobKind", "job_kind", "find_kind", "registered_kinds"]


@dataclass(frozen=True)
class JobKind:
    name: str
    #: What the job does, for the pages (lazy French string).
    label: object
    func: Callable
    #: Module defining ``func``: a consumer imports it when it meets the kind first.
    module: str
    #: Endpoint of the page showing the result (called with ``slug``), if any.
    page: str | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label, page: str | None = None):
    """Register the decorated function as the task of job kind ``name``.

    The function is called as ``func(session, job, campaign_id, **params)`` inside an
    application context; ``job.progress(fraction, message)`` reports how far it got, and
    what it returns (JSON-serialisable) is stored as the job's result.
    """

    def register(func: Callable) -> Callable:
        known = _KINDS.get(name)
        if known is not None and (known.module, known.func.__qualname__) != (func.__module__, func.__qualname__):
            raise ValueError(f"job kind {name!r} is already registered by {known.module}.{known.func.__qualname__}")
        _KINDS[name] = JobKind(name, label, func, func.__module__, page)
        return func

    return register


def find_kind(name: str, module: str | None = None) -> JobKind | None:
    """Return the kind ``name``, importing ``module`` first when it is not known yet."""
    if name not in _KINDS and module:
        import importlib

        importlib.import_module(module)
    return _KINDS.get(name)


def registered_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
