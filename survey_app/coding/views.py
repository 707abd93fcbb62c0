"""The coding screen: the coordinator reads what residents wrote and checks its themes."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Role
from ..domain import ServiceError
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from ..infra.lazy import lazy_import

# pandas, scikit-learn and spaCy load with the first coding page, not with the app.
coding_service = lazy_import("survey_app.coding.services")
coding_results = lazy_import("survey_app.coding.results")


#: Themes reachable with the keys 1 to 9.
SHORTCUTS = 9


def _actor():
    return current_user._get_current_object()


def _scope() -> str | None:
    return (request.values.get("question") or "").strip()[:100] or None


def _keep_lemmas() -> None:
    """Commit what building a coder stored (the codebook copy, lemmas); harmless if raced."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _unavailable(campaign, error: ServiceError):
    db.session.rollback()
    return render_template("coding/unavailable.html", campaign=campaign, message=str(error))


def _screen_url(slug: str, scope: str | None, double: bool = False, answer: str | None = None) -> str:
    return url_for(".screen", slug=slug, question=scope, double=1 if double else None, reponse=answer)


def _refused(back: str, message: str):
    """Nothing stored: undo the session's changes, say why and go back."""
    db.session.rollback()
    flash(message, "error")
    return redirect(back)


def _codebook_change(slug: str):
    """A codebook change posted from the screen: campaign, question, answer shown, page to go back to."""
    campaign = member_campaign_or_404(slug)
    scope = _scope()
    answer = (request.form.get("answer_id") or "").strip()[:150] or None
    return campaign, scope, answer, _screen_url(slug, scope, answer=answer)


def _ordered_themes(codebook, answer):
    """Themes in the order shown: the proposed ones (main first), candidates, then the rest."""
    first = [p.theme for p in answer.proposals] if answer is not None else []
    keys = list(dict.fromkeys(first + codebook.keys))
    confidence = {p.theme: p for p in answer.proposals} if answer is not None else {}
    return [(key, codebook.theme(key), confidence.get(key)) for key in keys]


@requires(Role.COORDINATOR)
def screen(slug: str):
    """Show the next answer to check, its proposed themes and how far coding has gone."""
    campaign = member_campaign_or_404(slug)
    scope, double = _scope(), request.args.get("double") == "1"
    wanted = (request.args.get("reponse") or "").strip()[:150]
    try:
        state = coding_service.coder_state(db.session, campaign, scope)
        answer = None
        if wanted:
            try:
                answer = coding_service.answer_to_check(db.session, campaign, wanted, state, blind=double)
            except coding_service.UnknownAnswer:
                flash(_("Cette réponse n'existe pas ou n'est plus à coder : voici la suivante."), "error")
        if answer is None:
            answer = coding_service.next_answer(db.session, campaign, _actor(), scope, double=double)
        progress = coding_results.coding_progress(db.session, campaign, scope)
        agreement = coding_results.agreement(db.session, campaign, scope)
        codebook = state.coder.codebook
    except ServiceError as error:
        return _unavailable(campaign, error)
    _keep_lemmas()
    return render_template(
        "coding/screen.html", campaign=campaign, scope=scope, double=double, answer=answer,
        themes=_ordered_themes(codebook, answer), codebook=codebook, progress=progress,
        agreement=agreement, questions=state.answers.questions, form=EmptyForm(), shortcuts=SHORTCUTS,
        axes=codebook.axes or {}, districts={d.code: d.name for d in campaign.districts},
    )


@requires(Role.COORDINATOR)
def record(slug: str):
    """Store the coordinator's coding of one answer (accepted, corrected or "not codable")."""
    campaign = member_campaign_or_404(slug)
    scope, double = _scope(), request.form.get("double") == "1"
    answer = (request.form.get("answer_id") or "").strip()[:150]
    if not EmptyForm().validate_on_submit() or not answer:
        flash(_("Aucune réponse indiquée : choisissez les thèmes de la réponse affichée."), "error")
        return redirect(_screen_url(slug, scope, double))
    not_codable = request.form.get("action") == "none"
    themes = [] if not_codable else request.form.getlist("theme")
    if not not_codable and not any(t.strip() for t in themes):
        # "No theme" is said with the « Non codable » button, never by validating an empty ticking.
        return _refused(_screen_url(slug, scope, double, answer),
                        _("Aucun thème n'est coché : rien n'a été enregistré. Cochez au moins un thème, "
                          "ou utilisez le bouton « Non codable » si la réponse n'en a aucun."))
    try:
        seen = int(request.form.get("seen", ""))
    except ValueError:
        seen = None
    try:
        response_id, question_id = coding_service.parse_answer_id(answer)
        coding_service.record_coding(db.session, campaign, _actor(), response_id, question_id, themes,
                                     scope=scope, seen=seen)
    except coding_service.UnknownAnswer:
        return _refused(_screen_url(slug, scope, double),
                        _("Cette réponse n'existe pas ou n'est plus à coder : rien n'a été enregistré."))
    except coding_service.UnknownTheme:
        return _refused(_screen_url(slug, scope, double, answer),
                        _("Un des thèmes choisis n'est pas dans la grille de codage (elle a peut-être "
                          "changé) : rien n'a été enregistré, choisissez à nouveau."))
    except coding_service.StaleAnswer:
        return _refused(_screen_url(slug, scope, double, answer),
                        _("Cette réponse vient d'être codée par une autre personne : votre codage n'a "
                          "pas été enregistré. Voici son codage ; vous pouvez le corriger."))
    except ServiceError as error:
        return _unavailable(campaign, error)
    db.session.commit()
    flash(_("Codage enregistré : les propositions des autres réponses ont été recalculées."), "success")
    return redirect(_screen_url(slug, scope, double))


@requires(Role.COORDINATOR)
def add_theme(slug: str):
    """Add a theme to the campaign's codebook, and code the answer it came from with it."""
    campaign, scope, answer, back = _codebook_change(slug)
    if request.form.get("from") == "emerging":
        back = url_for(".emerging", slug=slug, question=scope)
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    key = (request.form.get("key") or "").strip()[:64]
    try:
        coding_service.add_theme(db.session, campaign, _actor(), key=key,
                                 label=(request.form.get("label") or "")[:200],
                                 axis=(request.form.get("axis") or "")[:64],
                                 terms=(request.form.get("terms") or "")[:4000])
        if answer is not None and request.form.get("code_answer") == "1":
            response_id, question_id = coding_service.parse_answer_id(answer)
            coding_service.record_coding(db.session, campaign, _actor(), response_id, question_id, [key], scope=scope)
    except coding_service.CodebookInvalid as error:
        return _refused(back, _("Le thème n'a pas été ajouté : %(problems)s", problems=" ; ".join(error.problems)))
    except ServiceError as error:
        return _refused(back, str(error))
    db.session.commit()
    flash(_("Thème « %(key)s » ajouté à la grille de codage.", key=key), "success")
    return redirect(back if request.form.get("from") == "emerging" else _screen_url(slug, scope))


@requires(Role.COORDINATOR)
def reject_term(slug: str):
    """Say that a term is wrong for a theme: the campaign's codebook learns it."""
    campaign, scope, _shown, back = _codebook_change(slug)
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    theme = (request.form.get("theme") or "").strip()[:64]
    term = (request.form.get("term") or "").strip()[:200]
    try:
        codebook = coding_service.reject_term(db.session, campaign, _actor(), theme=theme, term=term)
    except coding_service.CodebookInvalid as error:
        return _refused(back, _("La grille de codage n'a pas été modifiée : %(problems)s",
                                problems=" ; ".join(error.problems)))
    except ServiceError as error:
        return _refused(back, str(error))
    db.session.commit()
    flash(_("« %(term)s » ne compte plus pour le thème « %(theme)s » : la grille de codage de la "
            "campagne est modifiée et les réponses sont recodées.", term=term,
            theme=codebook.theme(theme).label_fr), "success")
    return redirect(back)


@requires(Role.COORDINATOR)
def auto(slug: str):
    """Store the automatic coding of every answer (the snapshot the analysis reads)."""
    campaign = member_campaign_or_404(slug)
    scope = _scope()
    if not EmptyForm().validate_on_submit():
        return redirect(_screen_url(slug, scope))
    try:
        result = coding_service.run_auto_coding(db.session, campaign, scope, actor=_actor())
    except ServiceError as error:
        return _unavailable(campaign, error)
    db.session.commit()
    flash(_("Codage automatique enregistré : %(coded)s réponses utiles sur %(useful)s ont un thème (%(share)s %%).",
            coded=result.coded, useful=result.useful, share=round(100 * result.coverage)), "success")
    return redirect(_screen_url(slug, scope))


@requires(Role.COORDINATOR)
def emerging(slug: str):
    """List candidate new themes found in the answers the codebook does not reach."""
    campaign = member_campaign_or_404(slug)
    scope = _scope()
    try:
        themes = coding_results.emerging_themes(db.session, campaign, scope)
        codebook = coding_service.campaign_codebook(db.session, campaign)
    except ServiceError as error:
        return _unavailable(campaign, error)
    _keep_lemmas()
    return render_template("coding/emerging.html", campaign=campaign, scope=scope, themes=themes,
                           axes=codebook.axes or {}, form=EmptyForm())


@requires(Role.COORDINATOR)
def shares(slug: str):
    """Show the weighted share of residents raising each theme, overall and by district."""
    campaign = member_campaign_or_404(slug)
    scope = _scope()
    try:
        result = coding_results.theme_shares(db.session, campaign, scope)
    except ServiceError as error:
        return _unavailable(campaign, error)
    _keep_lemmas()
    overall = result.overall.set_index("theme")
    # the campaign's districts in their order, the residents who gave none last
    present = set(result.by_district["district"])
    named = [d.name for d in campaign.districts if d.name in present]
    districts = named + sorted(present - set(named), key=lambda name: (name == coding_results.NOT_SPECIFIED, name))
    cells = {(row.theme, row.district): row for row in result.by_district.itertuples()}
    return render_template("coding/shares.html", campaign=campaign, scope=scope, result=result,
                           overall=overall, districts=districts, cells=cells)


@requires(Role.COORDINATOR)
def codebook_file(slug: str):
    """Download the campaign's codebook as a YAML file."""
    campaign = member_campaign_or_404(slug)
    text = coding_service.codebook_yaml(db.session, campaign)
    _keep_lemmas()
    reply = current_app.response_class(text, mimetype="application/yaml")
    reply.headers["Content-Disposition"] = f'attachment; filename="grille-codage-{campaign.slug}.yaml"'
    return reply
