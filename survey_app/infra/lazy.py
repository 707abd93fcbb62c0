"""Modules imported on first use, so that the resident's pages never load the analysis stack.

Views of the coordinator's pages call services that need pandas, scikit-learn or spaCy.
Importing those services when the blueprint is registered would make every worker (and
``import wsgi``) pay for them; :func:`lazy_import` hands the view a module object whose
code runs at its first attribute access, with the standard library's
:class:`importlib.util.LazyLoader`.
"""
from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """Return module ``name`` (absolute), executed only when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
