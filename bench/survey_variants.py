"""The survey app with one thing taken away (or added back), to measure what it is worth.

``gunicorn 'survey_variants:create("shared_pages")'`` serves the survey as usual but with
that cache of ``survey_app/infra/caches.py`` turned off; ``"none"`` changes nothing;
``"cookie_serializer"`` uses Flask's own cookie session (a new signing serializer per
request); ``"limiter_check"`` drops Flask-Limiter's request-level check, as the patch
removed from ``create_app`` used to do (measured here only, never shipped);
``"+walk_memo"`` adds back the memo of condition walks per set of answers that
``questionnaire/validation.py`` used to keep. Bench code only.
"""
from __future__ import annotations


def create(variant: str = "none"):
    """The survey app (settings from the environment, as ``wsgi.py``) with ``variant`` applied."""
    from survey_app import create_app

    return apply(create_app(), variant)


def apply(app, variant: str):
    from survey_app.infra import caches

    if variant == "none":
        pass
    elif variant == "cookie_serializer":
        from flask.sessions import SecureCookieSessionInterface

        app.session_interface = SecureCookieSessionInterface()
    elif variant == "limiter_check":
        from flask_limiter import Limiter

        app.before_request_funcs[None] = [f for f in app.before_request_funcs.get(None, [])
                                          if getattr(f, "__func__", None) is not Limiter._check_request_limit]
    elif variant == "+walk_memo":
        _add_walk_memo()
    else:
        caches.by_name(variant).disable()
    return app


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
