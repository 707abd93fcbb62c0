"""What the browser tests share: a live server over a migrated SQLite file, a desktop
page, signing in, and the accessibility and zoom checks.

Each test module that needs its own data builds it in a module-scoped fixture with
:func:`live_app` and serves it with :func:`serve`; ``conftest.py`` does the same for the
session-wide ``live_server`` of the resident's questionnaire.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

#: The axe-core rules every page must pass: WCAG 2.1, levels A and AA.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
#: The password of the accounts the browser tests create.
PASSWORD = "un-mot-de-passe-de-test"


def live_app(database: Path, **config):
    """The application over the SQLite file ``database``, migrated to the head, CSRF on as
    in production, rate limits in memory; ``config`` adds to or overrides that."""
    import flask_migrate

    from survey_app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "browser-tests",
                      "RATELIMIT_STORAGE_URI": "memory://", **config}, environ={})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def add_coordinator(session, campaign, email: str = "coordination@ville.test"):
    """A coordinator of ``campaign`` whose password is :data:`PASSWORD`."""
    from survey_app.accounts import services as users
    from survey_app.campaigns import services as campaigns

    user = users.create_user(session, email, PASSWORD, "coordinator", display_name="Coordination")
    campaigns.add_member(session, campaign, user)
    return user


def weighted_demo(session, questionnaires: Path, *, responses: int, seed: int, password: str):
    """The demo campaign with ``responses`` residents' answers, weighted with the demo
    margins, its coordinator's password set to ``password``; committed."""
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo
    from survey_app.findings import weights

    setup = demo.setup_demo(session, responses=responses, seed=seed, questionnaires_dir=questionnaires)
    users.set_password(session, users.find_by_email(session, setup.email), password)
    weights.store_weights(session, setup.campaign, weights.weight_sample(session, setup.campaign))
    session.commit()
    return setup


@contextmanager
def serve(app):
    """Serve ``app`` on 127.0.0.1 (a free port, werkzeug in a thread); yields its base URL.
    Afterwards the server stops and the app's database connections are closed."""
    from werkzeug.serving import make_server

    from survey_app.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()


def desktop_page(browser, *, timeout: int, **options):
    """For a fixture (``yield from``): a page in a new desktop-sized context (its own
    cookies) whose ``csp_violations`` lists every Content-Security-Policy report of the
    console; ``options`` go to the context (``bypass_csp=True``…)."""
    ctx = browser.new_context(**DESKTOP, **options)
    ctx.set_default_timeout(timeout)
    page = ctx.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
    yield page
    ctx.close()


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page with the mouse."""
    page.goto(f"{base}/connexion")
    page.fill('[name="email"]', email)
    page.fill('[name="password"]', password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def check_axe(page, axe_source) -> None:
    """No axe-core violation of :data:`WCAG` on the page.

    axe-core is evaluated through the browser's debugging protocol: a page's strict CSP
    forbids a script tag (pages opened with ``bypass_csp`` accept it either way).
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(Path(axe_source).read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], (page.url, violations)


def check_zoom(page) -> None:
    """At 180 CSS px (360 px at 200 %), nothing scrolls sideways."""
    page.set_viewport_size({"width": 180, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size({"width": 360, "height": 740})
    assert overflow <= 0, (page.url, overflow)
