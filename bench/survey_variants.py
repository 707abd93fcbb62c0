"""The survey app with one thing taken away (or added back), to measure what it is worth.

``gunicorn 'survey_variants:create("shared_pages")'`` serves the survey as usual but with
that cache of ``survey_app/infra/caches.py`` turned off; ``"none"`` changes nothing;
``"limiter_check"`` drops Flask-Limiter's request-level check, as the patch
removed from ``create_app`` used to do (measured here only, never shipped);
``"+walk_memo"`` adds back the memo of condition walks per set of answers that
``questionnaire/validation.py`` used to keep; ``"+parse_cache"`` adds back the
``lru_cache`` of parsed condition sources that ``questionnaire/conditions.py`` kept until
2026-12-01; ``"a&b"`` does both. Bench code only.
"""
from __future__ import annotations


def create(variant: str = "none"):
    """The survey app (settings from the environment, as ``wsgi.py``) with ``variant`` applied."""
    from survey_app import create_app

    return apply(create_app(), variant)


def apply(app, variant: str):
    """Apply ``variant`` to ``app``; return ``app``. See :func:`applied` to undo it."""
    applied(app, variant)
    return app


def applied(app, variant: str):
    """Apply ``variant`` to ``app`` and return a function that undoes it."""
    from survey_app.infra import caches

    if "&" in variant:  # several at once: "surveys&definitions"
        undos = [applied(app, part) for part in variant.split("&")]
        return lambda: [undo() for undo in reversed(undos)]
    if variant == "none":
        return lambda: None
    if variant == "limiter_check":
        from flask_limiter import Limiter

        before = list(app.before_request_funcs.get(None, []))
        app.before_request_funcs[None] = [f for f in before
                                          if getattr(f, "__func__", None) is not Limiter._check_request_limit]
        return lambda: app.before_request_funcs.__setitem__(None, before)
    if variant == "+walk_memo":
        return _add_walk_memo()
    if variant == "+parse_cache":
        return _add_parse_cache()
    memo = caches.by_name(variant)
    memo.disable()

    def undo():
        memo.enabled = True
    return undo


def _add_walk_memo() -> None:
    """The memo removed from questionnaire/validation.py: one walk per (definition, districts, answers)."""
    import json

    from survey_app.questionnaire import validation

    walk, memo = validation._walk, {}

    def remembered(definition, answers, *, districts=()):
        try:
            key = (id(definition), json.dumps([list(d.items()) if isinstance(d, dict) else d for d in districts or ()],
                                              default=str),
                   json.dumps(answers, sort_keys=True, default=lambda v: [type(v).__name__, str(v)]))
        except TypeError:
            return walk(definition, answers, districts=districts)
        found = memo.get(key)
        if found is None:
            if len(memo) >= 512:
                memo.clear()
            found = memo[key] = walk(definition, answers, districts=districts)
        return found

    validation._walk = remembered
    return lambda: setattr(validation, "_walk", walk)


def _add_parse_cache():
    """The cache removed from questionnaire/conditions.py: one parse per condition source (4,096 kept).

    Conditions are parsed only where a definition is built (``questionnaire/build.py``)."""
    from functools import lru_cache

    from survey_app.questionnaire import build

    original = build.parse_condition
    build.parse_condition = lru_cache(maxsize=4096)(original)

    def undo():
        build.parse_condition = original
    return undo
