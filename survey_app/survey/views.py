"""The resident's questionnaire: public link, information page, one page per section.

Views read the request, call :mod:`survey_app.survey.answering` and render. The
draft is identified by its resume token, kept in the (signed) session cookie of the
device; the token can be typed or followed as a link on another device.

Without JavaScript, conditions are applied page by page by the server: a question
hidden by an earlier page is not sent; a question that depends on an answer of the
same page is shown with a short hint, and its answer is dropped when the page's
answers hide it (the page is then validated again). The script ``survey.js``
mirrors the same conditions live, from the JSON trees embedded in the page.
"""
from __future__ import annotations

import datetime as dt
import hmac
import json
import re
from urllib.parse import urlencode

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, db, limiter
from ..questionnaire import Section, visible_questions, visible_sections
from ..questionnaire.model import label_in
from . import answering
from .answering import InvitationError, ResumeError, StalePage, Survey, SurveyClosed
from . import forms as survey_forms
from ..web.access import public
from ..web.i18n import LANGUAGE_NAMES, available_languages, select_locale, text_direction

bp = Blueprint("survey", __name__, url_prefix="/enquete/<slug>/<key>")
# The survey checks its CSRF token itself, to answer a stale form with the form again.
csrf.exempt(bp)

@bp.record_once
def _template_helpers(state):
    # Globals, so that the question macros are imported without the page's context
    # (an import "with context" is evaluated again at every render).
    state.app.jinja_env.globals.update(survey_forms=survey_forms, survey_label_in=label_in)


DONE_COOKIE = "cls_repondu"
DONE_COOKIE_DAYS = 180
MAX_DRAFTS_IN_SESSION = 4
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def today() -> dt.date:
    return dt.date.today()


# --------------------------------------------------------------- helpers
@bp.before_request
def _switch_language():
    """``?lang=xx`` on any survey page: remember the language, then show the page without it."""
    lang = request.args.get("lang")
    if lang is None or request.method != "GET":
        return None
    args = request.view_args or {}
    survey = _find(args.get("slug", ""), args.get("key", "")) if _LANG_RE.match(lang) else None
    if survey is not None and lang in survey.languages:
        session["survey_lang"] = lang
        if lang in available_languages():
            session["lang"] = lang
    args = request.args.to_dict()
    args.pop("lang", None)
    return redirect(request.path + ("?" + urlencode(args) if args else ""))


def _find(slug: str, key: str) -> Survey | None:
    return answering.find_survey(db.session, slug, key, max_age=current_app.config["CLS_SURVEY_CACHE_SECONDS"])


def _survey(slug: str, key: str) -> Survey:
    survey = _find(slug, key)
    if survey is None:
        abort(404)
    return survey


def _lang(survey: Survey) -> str:
    chosen = session.get("survey_lang")
    if chosen in survey.languages:
        return chosen
    current = select_locale()  # what Flask-Babel would choose, without building its locale objects
    return current if current in survey.languages else "fr"


def _render(template: str, survey: Survey, lang: str, status: int = 200, **context):
    links = [
        (code, LANGUAGE_NAMES.get(code, code), request.path + "?" + urlencode({"lang": code}))
        for code in survey.languages
        if code != lang
    ]
    context.setdefault("format_code", answering.format_code)
    with force_locale(lang):
        html = render_template(
            template,
            survey=survey,
            definition=survey.definition,
            campaign=survey.campaign,
            lang=lang,
            text_dir=text_direction(lang),
            survey_language_links=links,
            label_in=label_in,
            forms=survey_forms,
            format_date=format_date,
            **context,
        )
    return html, status


#: Pages that differ from one resident to the next only by their CSRF token and resume
#: code, rendered once per survey snapshot, language, address and state (see ``_render_shared``).
_SHARED_PAGES: dict = {}
_SHARED_PAGES_LIMIT = 500  # about 16 KB each
_CSRF_SLOT = "\ue000csrf\ue000"
_CODE_SLOT = "\ue000code\ue000"


def _render_shared(state: tuple, template: str, survey: Survey, lang: str, *, token: str | None = None, **context):
    """Render a page without errors whose content depends only on ``state`` (hashable).

    The HTML is rendered once with placeholders, then each resident gets it with their
    own CSRF token and resume code. Pages with messages to flash are rendered afresh.
    """
    if "_flashes" in session:
        return _render(template, survey, lang, token=token, **context)
    key = (survey.serial, lang, template, request.path, token is not None, state)
    html = _SHARED_PAGES.get(key)
    if html is None:
        html, _status = _render(template, survey, lang, token=token, csrf_token=lambda: _CSRF_SLOT,
                                format_code=lambda _code: _CODE_SLOT, **context)
        if len(_SHARED_PAGES) >= _SHARED_PAGES_LIMIT:
            _SHARED_PAGES.clear()
        _SHARED_PAGES[key] = html
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, _csrf_token())
    if token is not None:
        html = html.replace(_CODE_SLOT, answering.format_code(token))
    return html, 200


def _draft_key(survey: Survey) -> str:
    return f"{survey.campaign.slug}/{survey.key}"


def _token(survey: Survey) -> str | None:
    drafts = session.get("drafts")
    return drafts.get(_draft_key(survey)) if isinstance(drafts, dict) else None


def _remember(survey: Survey, token: str) -> None:
    drafts = dict(session.get("drafts") or {})
    drafts.pop(_draft_key(survey), None)
    while len(drafts) >= MAX_DRAFTS_IN_SESSION:
        drafts.pop(next(iter(drafts)))
    drafts[_draft_key(survey)] = token
    session["drafts"] = drafts


def _forget(survey: Survey) -> None:
    drafts = dict(session.get("drafts") or {})
    if drafts.pop(_draft_key(survey), None) is not None:
        session["drafts"] = drafts


def _draft(survey: Survey, *, for_update: bool = False):
    """The draft of this device and the version it answers, or ``(survey, None)``.

    An expired or sent draft is forgotten. A draft keeps the version it started
    with, even when a newer version of the questionnaire has been loaded since.
    """
    token = _token(survey)
    if token is None:
        return survey, None
    try:
        response = answering.find_draft(db.session, token, today=today(), survey=survey, for_update=for_update)
    except ResumeError as error:
        _forget(survey)
        flash(_resume_message(error.reason), "error")
        return survey, None
    if response.questionnaire_version_id != survey.version.id:
        survey = answering.survey_of(db.session, response)
    return survey, response


def _resume_message(reason: str) -> str:
    return {
        "unknown": _("Ce code de reprise ne correspond à aucun questionnaire en cours. Vérifiez-le, ou commencez un nouveau questionnaire."),
        "expired": _("Ce code de reprise a expiré : le questionnaire en cours n'est plus modifiable. Vous pouvez en commencer un nouveau si l'enquête est ouverte."),
        "submitted": _("Ces réponses ont déjà été envoyées : elles ne peuvent plus être modifiées."),
    }[reason]


def _stale_message(reason: str) -> str:
    return {
        "submitted": _("Ces réponses ont déjà été envoyées : elles ne peuvent plus être modifiées."),
        "version": _("Le questionnaire a été mis à jour ou cette page est ancienne : rien n'a été enregistré. Voici la page à jour, vérifiez vos réponses."),
        "section": _("Cette page n'existe pas dans ce questionnaire : rien n'a été enregistré."),
        "hidden": _("Cette page ne vous concerne plus d'après vos réponses : rien n'a été enregistré."),
    }[reason]


#: Signed CSRF tokens handed out lately, per (secret key, the session's raw token). Tokens
#: never expire here (WTF_CSRF_TIME_LIMIT is None), so a resident gets the same signed
#: token on every page instead of a fresh signature, and posting it back is checked by
#: comparison; other tokens go through Flask-WTF.
_SIGNED_CSRF: dict = {}
_SIGNED_CSRF_LIMIT = 20000


def _csrf_key():
    raw = session.get("csrf_token")
    if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return None
    return current_app.secret_key, current_app.config.get("WTF_CSRF_SECRET_KEY"), raw


def _csrf_token() -> str:
    key = _csrf_key()
    signed = _SIGNED_CSRF.get(key) if key is not None else None
    if signed is None:
        signed = generate_csrf()
        key = _csrf_key()  # the raw token may have just been created
        if key is not None:
            if len(_SIGNED_CSRF) >= _SIGNED_CSRF_LIMIT:
                _SIGNED_CSRF.clear()
            _SIGNED_CSRF[key] = signed
    return signed


def _csrf_ok() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    posted = request.form.get("csrf_token")
    key = _csrf_key()
    issued = _SIGNED_CSRF.get(key) if key is not None else None
    if posted and issued is not None and hmac.compare_digest(issued, posted):
        return True
    try:
        validate_csrf(posted)
    except ValidationError:
        return False
    return True


def _done_cookie(survey: Survey) -> bool:
    return request.cookies.get(DONE_COOKIE) == "1"


def _page_context(survey: Survey, response, section: Section, answers: dict, values: dict, errors: dict | None = None):
    """What the page template needs: questions to render, progress, conditions for the script."""
    definition = survey.definition
    own = {q.id for q in section.questions}
    trees = definition.condition_trees()["questions"]
    shown = {q.id for q in visible_questions(definition, values, section)}
    questions, conditions, refs = [], {}, set()
    for q in section.questions:
        tree = trees.get(q.id)
        same_page = bool(tree) and bool(survey_forms.condition_refs(tree) & own)
        if q.id not in shown and not same_page:
            continue
        # (question, shown or hidden live by the script from this page's answers)
        questions.append((q, same_page))
        if same_page:
            conditions[q.id] = tree
            refs |= survey_forms.condition_refs(tree) - own
    pages = answering.section_ids(survey, answers)
    position = pages.index(section.id) + 1 if section.id in pages else 1
    return {
        "section": section,
        "questions": questions,
        "values": values,
        "errors": errors or {},
        "page_number": position,
        "page_count": len(pages),
        "is_last": position == len(pages),
        "script_data": {"show": conditions, "answers": {k: answers[k] for k in refs if k in answers}},
        "token": _token(survey),
        "response": response,
    }


def _render_page(survey: Survey, response, section: Section, answers: dict, *, values: dict | None = None,
                 errors: dict | None = None, status: int = 200, notice: str | None = None):
    lang = _lang(survey)
    if values is None:
        values = answers
    else:
        keys = answering.page_keys(section)
        values = {**{k: v for k, v in answers.items() if k not in keys}, **values}
    context = _page_context(survey, response, section, answers, values, errors)
    if status == 200 and not errors and notice is None and not any(
            k in values for k in answering.page_keys(section)):
        # the usual next page: blank questions, no message
        state = (section.id, tuple((q.id, conditional) for q, conditional in context["questions"]),
                 context["page_number"], context["page_count"],
                 json.dumps(context["script_data"], sort_keys=True, default=str))
        token = context.pop("token")
        return _render_shared(state, "survey/page.html", survey, lang, token=token, notice=None,
                              question_html=_LazyQuestions(survey, context["questions"], lang), **context)
    with force_locale(lang):
        context["question_html"] = [
            _question_html(survey, q, values, context["errors"], conditional, lang) for q, conditional in context["questions"]
        ]
    return _render("survey/page.html", survey, lang, status, notice=notice, **context)


class _LazyQuestions:
    """The blank questions of a page, rendered only when the page itself is rendered."""

    def __init__(self, survey: Survey, questions: list, lang: str):
        self.survey, self.questions, self.lang = survey, questions, lang

    def __iter__(self):
        return iter([_question_html(self.survey, q, {}, {}, conditional, self.lang) for q, conditional in self.questions])


#: HTML of unanswered questions without error, per (content, language, question, conditional,
#: and the campaign's districts for a district question).
#: A questionnaire version never changes, so the entries never go stale.
_QUESTION_HTML: dict = {}
_QUESTION_HTML_LIMIT = 5000


def _question_html(survey: Survey, q, values: dict, errors: dict, conditional: bool, lang: str):
    """Render one question; the blank state (the usual next page) is rendered once and kept."""
    macro = current_app.jinja_env.get_template("survey/_questions.html").module.question
    blank = q.id not in values and f"{q.id}__autre" not in values and not errors.get(q.id)
    if not blank:
        return macro(q, values, errors, conditional, survey.districts, lang)
    districts = tuple((d["code"], d["name"]) for d in survey.districts) if q.type == "district" else None
    key = (survey.version.content_hash, lang, q.id, conditional, districts)
    html = _QUESTION_HTML.get(key)
    if html is None:
        if len(_QUESTION_HTML) >= _QUESTION_HTML_LIMIT:
            _QUESTION_HTML.clear()
        html = _QUESTION_HTML[key] = macro(q, {}, {}, conditional, survey.districts, lang)
    return html


# ----------------------------------------------------------------- views
@bp.route("", methods=["GET"])
@public
def info(slug: str, key: str):
    """The information page: who, why, anonymity, duration, rights; the start button is the consent."""
    survey = _survey(slug, key)
    lang = _lang(survey)
    if not survey.is_open_on(today()):
        return _render("survey/closed.html", survey, lang, today=today())
    survey, response = _draft(survey)
    context = _info_context(survey)
    state = (response.current_section if response else None, context["already_answered"])
    return _render_shared(state, "survey/info.html", survey, lang, response=response, **context)


def _info_context(survey: Survey) -> dict:
    count = sum(1 for q in survey.definition.questions.values() if q.answerable)
    lang = _lang(survey)
    information = survey.campaign.information or {}
    text = information.get(lang) or information.get("fr")
    if isinstance(text, str):
        text = {"who": text}
    info_text = {
        part: [p.strip() for p in str(value).split("\n\n") if p.strip()]
        for part, value in (text.items() if isinstance(text, dict) else ())
        if part in ("who", "why", "rights", "contact")
    }
    return {
        "info_text": info_text,
        "minutes": max(5, round(count * 12 / 60 / 5) * 5),
        "needs_invitation": survey.campaign.needs_invitation,
        "already_answered": _done_cookie(survey),
    }


@bp.route("/commencer", methods=["POST"])
@public
def start(slug: str, key: str):
    """Start a draft and go to the first page."""
    survey = _survey(slug, key)
    lang = _lang(survey)
    if not survey.is_open_on(today()):
        return _render("survey/closed.html", survey, lang, today=today())
    context = _info_context(survey)
    error = None
    if not _csrf_ok():
        error = _("Le formulaire a expiré. Appuyez de nouveau sur le bouton pour commencer.")
    elif context["already_answered"] and request.form.get("another") != "1":
        error = _("Un questionnaire a déjà été envoyé depuis cet appareil. Pour répondre pour une autre personne, cochez la case prévue.")
    if error is None:
        try:
            response, token = answering.start_draft(
                db.session, survey, language=lang, today=today(), invitation=request.form.get("invitation")
            )
        except InvitationError as failure:
            error = {
                "missing": _("Indiquez le code d'invitation imprimé sur votre courrier."),
                "unknown": _("Ce code d'invitation n'est pas reconnu. Vérifiez-le : il compte 10 caractères."),
                "used": _("Ce code d'invitation a déjà servi à envoyer un questionnaire."),
            }[failure.reason]
        except SurveyClosed:
            return _render("survey/closed.html", survey, lang, today=today())
    if error is not None:
        db.session.rollback()
        return _render("survey/info.html", survey, lang, 422, response=None, start_error=error, **context)
    db.session.commit()
    _remember(survey, token)
    answers = answering.stored_answers(db.session, response)
    section = answering.resume_section(survey, response, answers)
    return redirect(url_for(".page", slug=slug, key=key, section_id=section))


@bp.route("/page/<section_id>", methods=["GET", "POST"])
@public
def page(slug: str, key: str, section_id: str):
    """Show a page of the questionnaire, or save it and move on."""
    survey = _survey(slug, key)
    had_token = _token(survey) is not None
    if request.method == "GET":
        answering.read_only(db.session)
    survey, response = _draft(survey, for_update=request.method == "POST")
    if response is None:
        if not had_token:
            flash(_("Aucun questionnaire en cours sur cet appareil : commencez-le ou reprenez-le avec votre code."), "error")
        return redirect(url_for(".info", slug=slug, key=key))
    if request.method == "GET":
        answers = answering.stored_answers(db.session, response)
        section = survey.definition.sections_by_id.get(section_id)
        if section is None or section_id not in answering.section_ids(survey, answers):
            return redirect(url_for(".page", slug=slug, key=key, section_id=answering.resume_section(survey, response, answers)))
        return _render_page(survey, response, section, answers)
    return _save(survey, response, section_id)


def _save(survey: Survey, response, section_id: str):
    slug, key = survey.campaign.slug, survey.key
    form = request.form
    section = survey.definition.sections_by_id.get(section_id)
    lang = _lang(survey)
    posted_section = form.get("section_id", section_id)
    try:
        if section is None or posted_section != section_id:
            raise StalePage("section")
        if not _csrf_ok():
            answers = answering.stored_answers(db.session, response)
            db.session.rollback()
            raw = survey_forms.parse_page(section, form)
            message = _("Le formulaire a expiré : cette page n'a pas été enregistrée. Vos réponses sont ci-dessous ; envoyez-les de nouveau.")
            return _render_page(survey, response, section, answers, values=raw, status=400, errors={"__page__": [message]})
        raw = survey_forms.parse_page(section, form)
        outcome = answering.save_page(
            db.session, survey, response, section_id, raw,
            version_id=form.get("version_id"), direction=form.get("action", "next"), lang=lang,
        )
    except StalePage as stale:
        db.session.rollback()
        flash(_stale_message(stale.reason), "error")
        if stale.reason == "submitted":
            return redirect(url_for(".thanks", slug=slug, key=key))
        answers = answering.stored_answers(db.session, response)
        return redirect(url_for(".page", slug=slug, key=key, section_id=answering.resume_section(survey, response, answers)))
    if not outcome.saved:
        answers = answering.stored_answers(db.session, response)
        db.session.rollback()
        return _render_page(survey, response, section, answers, values=raw, errors=outcome.errors, status=422)
    db.session.commit()
    action = form.get("action")
    if action == "later":
        return redirect(url_for(".later", slug=slug, key=key))
    if outcome.target is None:
        if action == "back":
            return redirect(url_for(".info", slug=slug, key=key))
        return redirect(url_for(".review", slug=slug, key=key))
    return redirect(url_for(".page", slug=slug, key=key, section_id=outcome.target))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A post too big to read: say so and show the page again, as it was last saved."""
    args = request.view_args or {}
    survey = _find(args.get("slug", ""), args.get("key", ""))
    message = _("Les données envoyées sont trop volumineuses : rien n'a été enregistré. Les textes sont limités à 5 000 caractères.")
    if survey is None:
        abort(404)
    survey, response = _draft(survey)
    section = survey.definition.sections_by_id.get(args.get("section_id", ""))
    if response is None or section is None:
        flash(message, "error")
        return redirect(url_for(".info", slug=survey.campaign.slug, key=survey.key))
    answers = answering.stored_answers(db.session, response)
    return _render_page(survey, response, section, answers, errors={"__page__": [message]}, status=413)


@bp.route("/relecture", methods=["GET", "POST"])
@public
def review(slug: str, key: str):
    """Show every answer for a last check; sending them ends the draft."""
    survey = _survey(slug, key)
    survey, response = _draft(survey, for_update=request.method == "POST")
    if response is None:
        return redirect(url_for(".info", slug=slug, key=key))
    lang = _lang(survey)
    answers = answering.stored_answers(db.session, response)
    if request.method == "POST":
        if not _csrf_ok():
            db.session.rollback()
            flash(_("Le formulaire a expiré : vos réponses n'ont pas encore été envoyées. Appuyez de nouveau sur « Envoyer mes réponses »."), "error")
            return redirect(url_for(".review", slug=slug, key=key))
        try:
            outcome = answering.submit(db.session, survey, response, version_id=request.form.get("version_id"), lang=lang, today=today())
        except StalePage as stale:
            db.session.rollback()
            flash(_stale_message(stale.reason), "error")
            return redirect(url_for(".review", slug=slug, key=key))
        if not outcome.submitted:
            db.session.rollback()
            section = survey.definition.section(outcome.section_id)
            own = {q.id for q in section.questions}
            errors = {k: v for k, v in outcome.errors.items() if k in own} or {"__page__": list(outcome.errors.values())[0]}
            return _render_page(survey, response, section, answers, errors=errors, status=422)
        db.session.commit()
        _forget(survey)
        reply = make_response(redirect(url_for(".thanks", slug=slug, key=key)))
        reply.set_cookie(
            DONE_COOKIE, "1", max_age=DONE_COOKIE_DAYS * 86400, path=url_for(".info", slug=slug, key=key),
            httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
        return reply
    sections = []
    for section in visible_sections(survey.definition, answers):
        items = [
            (q, survey_forms.display_answer(q, answers, lang, survey.districts))
            for q in visible_questions(survey.definition, answers, section)
            if q.answerable
        ]
        sections.append((section, items))
    pages = answering.section_ids(survey, answers)
    return _render("survey/review.html", survey, lang, sections=sections, response=response,
                   token=_token(survey), page_count=len(pages))


@bp.route("/merci")
@public
def thanks(slug: str, key: str):
    """Thank the respondent."""
    survey = _survey(slug, key)
    return _render_shared((), "survey/thanks.html", survey, _lang(survey))


@bp.route("/plus-tard")
@public
def later(slug: str, key: str):
    """Show the resume code and link after saving for later."""
    survey = _survey(slug, key)
    survey, response = _draft(survey)
    if response is None:
        return redirect(url_for(".info", slug=slug, key=key))
    answers = answering.stored_answers(db.session, response)
    return _render("survey/later.html", survey, _lang(survey), token=_token(survey),
                   section_id=answering.resume_section(survey, response, answers))


@bp.route("/reprendre", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def resume(slug: str, key: str):
    """Resume a draft with its code (typed, or carried by the resume link)."""
    survey = _survey(slug, key)
    lang = _lang(survey)
    code = request.form.get("code") if request.method == "POST" else request.args.get("code")
    if code is None:
        return _render("survey/resume.html", survey, lang)
    if request.method == "POST" and not _csrf_ok():
        return _render("survey/resume.html", survey, lang, 400, code=code[:40],
                       error=_("Le formulaire a expiré. Saisissez de nouveau votre code."))
    try:
        response = answering.find_draft(db.session, code, today=today(), survey=survey)
    except ResumeError as failure:
        return _render("survey/resume.html", survey, lang, 404 if failure.reason == "unknown" else 410,
                       code=code[:40], error=_resume_message(failure.reason))
    _remember(survey, answering.normalise_code(code))
    answers = answering.stored_answers(db.session, response)
    return redirect(url_for(".page", slug=slug, key=key, section_id=answering.resume_section(survey, response, answers)))
