"""The resident's questionnaire: public link, information page, one page per section.

Views read the request, call :mod:`.answering` and render (:mod:`.pages`). The draft
is identified by its resume token, kept in the (signed) session cookie of the device
(:mod:`.device`); on another device the resident types the code, or follows a link
that shows it in the field, and presses a button: nobody is attached to a draft
without their action, and the code never travels in a URL the server sees.

Without JavaScript, conditions are applied page by page by the server: a question
hidden by an earlier page is not sent; a question that depends on an answer of the
same page is shown with a short hint, and its answer is dropped when the page's
answers hide it (the page is then validated again). The script ``survey.js``
mirrors the same conditions live, from the JSON trees embedded in the page.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlencode

from flask import abort, current_app, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db
from ..web.i18n import available_languages
from . import answering, device, store
from . import forms as survey_forms
from .conditions import visible_questions, visible_sections
from .answering import InvitationError, ResumeError, StalePage, Survey, SurveyClosed
from .pages import language, render, render_page, render_shared

_LANG_RE = re.compile(r"^[a-z]{2,3}$")
#: A body larger than this (beyond MAX_CONTENT_LENGTH) is read and dropped before the 413
#: page is sent, so that the client reads the page instead of a reset connection.
DRAIN_LIMIT = 16 * 1024 * 1024


def today() -> dt.date:
    return dt.date.today()


# --------------------------------------------------------------- helpers
def switch_language():
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
    # the path is decoded: escaped again, a %0A in it cannot break the Location header
    return redirect(quote(request.path, safe="/") + ("?" + urlencode(args) if args else ""))


def refuse_too_large():
    """A body over MAX_CONTENT_LENGTH is refused before anything else (413 page), even where
    the view would not read it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _find(slug: str, key: str) -> Survey | None:
    return answering.find_survey(db.session, slug, key, max_age=current_app.config["CLS_SURVEY_CACHE_SECONDS"])


def _survey(slug: str, key: str) -> Survey:
    survey = _find(slug, key)
    if survey is None:
        abort(404)
    return survey


def _draft(survey: Survey, *, for_update: bool = False):
    """The survey this device's draft answers and the draft, or ``(survey, None)``; an
    expired or sent draft is forgotten, with a message."""
    token = device.token(survey)
    if token is None:
        return survey, None
    try:
        return answering.open_draft(db.session, survey, token, today=today(), for_update=for_update)
    except ResumeError as error:
        device.forget(survey)
        flash(_resume_message(error.reason), "error")
        return survey, None


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


def _info_state(survey: Survey, lang: str, current_section: str | None) -> dict:
    information = survey.campaign.information or {}
    text = information.get(lang) or information.get("fr")
    if isinstance(text, str):
        text = {"who": text}
    info_text = {
        part: [p.strip() for p in str(value).split("\n\n") if p.strip()]
        for part, value in (text.items() if isinstance(text, dict) else ())
        if part in ("who", "why", "rights", "contact")
    }
    return {"info_text": info_text, "minutes": survey.minutes, "needs_invitation": survey.campaign.needs_invitation,
            "already_answered": device.already_answered(), "current_section": current_section, "start_error": None}


def _page_url(survey: Survey, section_id: str):
    return redirect(url_for(".page", slug=survey.campaign.slug, key=survey.key, section_id=section_id))


# ----------------------------------------------------------------- views
def info(slug: str, key: str):
    """The information page: who, why, anonymity, duration, rights; the start button is the consent."""
    survey = _survey(slug, key)
    lang = language(survey)
    if not survey.is_open_on(today()):
        return render("survey/closed.html", survey, lang, today=today())
    survey, response = _draft(survey)
    state = _info_state(survey, lang, response.current_section if response else None)
    return render_shared("survey/info.html", survey, lang, state, {})


def start(slug: str, key: str):
    """Start a draft and go to the first page."""
    survey = _survey(slug, key)
    lang = language(survey)
    if not survey.is_open_on(today()):
        return render("survey/closed.html", survey, lang, today=today())
    state = _info_state(survey, lang, None)
    error, status = None, 422
    if not device.csrf_ok():
        error, status = _("Le formulaire a expiré. Appuyez de nouveau sur le bouton pour commencer."), 400
    elif state["already_answered"] and request.form.get("another") != "1":
        error = _("Un questionnaire a déjà été envoyé depuis cet appareil. Pour répondre pour une autre personne, cochez la case prévue.")
    if error is None:
        try:
            response, token = answering.start_draft(
                db.session, survey, language=lang, today=today(), invitation=request.form.get("invitation"))
        except InvitationError as failure:
            error = {
                "missing": _("Indiquez le code d'invitation imprimé sur votre courrier."),
                "unknown": _("Ce code d'invitation n'est pas reconnu. Vérifiez-le : il compte 10 caractères."),
                "used": _("Ce code d'invitation a déjà servi à envoyer un questionnaire."),
            }[failure.reason]
        except SurveyClosed:
            return render("survey/closed.html", survey, lang, today=today())
    if error is not None:
        db.session.rollback()
        return render("survey/info.html", survey, lang, status, **{**state, "start_error": error})
    db.session.commit()
    device.remember(survey, token)
    return _page_url(survey, answering.resume_section(survey, response))


def page(slug: str, key: str, section_id: str):
    """Show a page of the questionnaire, or save it and move on."""
    survey = _survey(slug, key)
    had_token = device.token(survey) is not None
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
        pages = answering.section_ids(survey, answers)
        if section is None or section_id not in pages:
            return _page_url(survey, answering.resume_section(survey, response))
        return render_page(survey, response, section, answers, pages=pages)
    return _save(survey, response, section_id)


def _save(survey: Survey, response, section_id: str):
    slug, key = survey.campaign.slug, survey.key
    form = request.form
    section = survey.definition.sections_by_id.get(section_id)
    try:
        if section is None or form.get("section_id", section_id) != section_id:
            raise StalePage("section")
        raw = survey_forms.parse_page(section, form)
        if not device.csrf_ok():
            db.session.rollback()
            message = _("Le formulaire a expiré : cette page n'a pas été enregistrée. Vos réponses sont ci-dessous ; envoyez-les de nouveau.")
            return render_page(survey, response, section, response.answers, values=raw, status=400,
                               errors={"__page__": [message]})
        outcome = answering.save_page(db.session, survey, response, section_id, raw, version_id=form.get("version_id"),
                                      direction=form.get("action", "next"), lang=language(survey))
    except StalePage as stale:
        db.session.rollback()
        flash(_stale_message(stale.reason), "error")
        if stale.reason == "submitted":
            return redirect(url_for(".thanks", slug=slug, key=key))
        return _page_url(survey, answering.resume_section(survey, response))
    if not outcome.saved:
        answers = answering.stored_answers(db.session, response)
        db.session.rollback()
        return render_page(survey, response, section, answers, values=raw, errors=outcome.errors, status=422)
    db.session.commit()
    action = form.get("action")
    if action == "later":
        return redirect(url_for(".later", slug=slug, key=key))
    if outcome.target is None:
        return redirect(url_for(".info" if action == "back" else ".review", slug=slug, key=key))
    return _page_url(survey, outcome.target)


def too_large(error):
    """A post too big to read: say so with a 413 page (the page again, as last saved, when there is one)."""
    _drain_body()
    args = request.view_args or {}
    survey = _find(args.get("slug", ""), args.get("key", ""))
    if survey is None:
        abort(404)
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _("Les données envoyées sont trop volumineuses (plus de %(size)s Mo) : rien n'a été enregistré. "
                "Les textes sont limités à 5 000 caractères.", size=max(1, round(limit / 1024 / 1024)))
    survey, response = _draft(survey)
    section = survey.definition.sections_by_id.get(args.get("section_id", ""))
    if response is None or section is None:
        return render("survey/problem.html", survey, language(survey), 413, heading=_("Envoi trop volumineux"),
                      message=message)
    answers = answering.stored_answers(db.session, response)
    return render_page(survey, response, section, answers, errors={"__page__": [message]}, status=413)


def _drain_body() -> None:
    """Read and drop the body not read yet, up to DRAIN_LIMIT, so that the server can
    send the answer instead of resetting a connection it has unread data on."""
    stream = request.environ.get("wsgi.input")
    length = request.content_length
    if stream is None or length is None or length > DRAIN_LIMIT:
        return
    while length > 0:
        chunk = stream.read(min(length, 65536))
        if not chunk:
            break
        length -= len(chunk)


def review(slug: str, key: str):
    """Show every answer for a last check; sending them ends the draft."""
    survey = _survey(slug, key)
    survey, response = _draft(survey, for_update=request.method == "POST")
    if response is None:
        return redirect(url_for(".info", slug=slug, key=key))
    lang = language(survey)
    answers = answering.stored_answers(db.session, response)
    if request.method == "POST":
        if not device.csrf_ok():
            db.session.rollback()
            message = _("Le formulaire a expiré : vos réponses n'ont pas encore été envoyées. Appuyez de nouveau sur « Envoyer mes réponses ».")
            return _review_page(survey, response, answers, lang, status=400, error=message)
        try:
            outcome = answering.submit(db.session, survey, response, version_id=request.form.get("version_id"),
                                       lang=lang, today=today())
        except StalePage as stale:
            db.session.rollback()
            flash(_stale_message(stale.reason), "error")
            return redirect(url_for(".review", slug=slug, key=key))
        if not outcome.submitted:
            db.session.rollback()
            section = survey.definition.section(outcome.section_id)
            return render_page(survey, response, section, answers, errors=outcome.page_errors, status=422)
        db.session.commit()
        device.forget(survey)
        device.note_sent(survey, directory_entry=outcome.directory_entry)
        reply = make_response(redirect(url_for(".thanks", slug=slug, key=key)))
        reply.set_cookie(
            device.DONE_COOKIE, "1", max_age=device.DONE_COOKIE_DAYS * 86400, path=url_for(".info", slug=slug, key=key),
            httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
        return reply
    return _review_page(survey, response, answers, lang)


def _review_page(survey: Survey, response, answers: dict, lang: str, *, status: int = 200, error: str | None = None):
    sections = []
    for section in visible_sections(survey, answers):
        items = [(q, survey_forms.display_answer(q, answers, lang, survey.districts))
                 for q in visible_questions(survey, answers, section) if q.answerable]
        sections.append((section, items))
    errors = {"__page__": [error]} if error else {}
    return render("survey/review.html", survey, lang, status, sections=sections, response=response,
                  token=device.token(survey), errors=errors)


def thanks(slug: str, key: str):
    """Thank the respondent (and say what is published, when they left a directory entry)."""
    survey = _survey(slug, key)
    return render_shared("survey/thanks.html", survey, language(survey),
                         {"directory_entry": device.sent_directory_entry(survey),
                          "results_published": store.results_published(db.session, survey.campaign.id)}, {})


def later(slug: str, key: str):
    """Show the resume code and link after saving for later."""
    survey = _survey(slug, key)
    survey, response = _draft(survey)
    if response is None:
        return redirect(url_for(".info", slug=slug, key=key))
    return render("survey/later.html", survey, language(survey), token=device.token(survey),
                  section_id=answering.resume_section(survey, response))


def resume(slug: str, key: str):
    """Resume a draft with its code: the form (also where a resume link leads), then its post."""
    survey = _survey(slug, key)
    lang = language(survey)
    if request.method == "GET":
        # an old link with ?code=: the code is shown in the form, nothing is attached yet
        return render("survey/resume.html", survey, lang, code=(request.args.get("code") or "")[:40])
    code = request.form.get("code") or ""
    if not device.csrf_ok():
        return render("survey/resume.html", survey, lang, 400, code=code[:40],
                      error=_("Le formulaire a expiré. Saisissez de nouveau votre code."))
    try:
        survey, response = answering.open_draft(db.session, survey, code, today=today())
    except ResumeError as failure:
        return render("survey/resume.html", survey, lang, 404 if failure.reason == "unknown" else 410,
                      code=code[:40], error=_resume_message(failure.reason))
    device.remember(survey, answering.normalise_code(code))
    return _page_url(survey, answering.resume_section(survey, response))
