"""Result pages of a campaign: indicators, cross-tables, themes by district, downloads.

Views read the request, call :mod:`.tables` (imported inside each view: it loads pandas
and the analysis library, which the residents' pages never need) and render.
"""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..domain import ServiceError
from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from ..web.forms import EmptyForm
from ..web.i18n import page_language
from .forms import SORT_CHOICES, CrossTableForm, IndicatorFilterForm

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(sheet, slug: str, name: str, fmt: str) -> Response:
    from . import downloads

    if fmt == "xlsx":
        body, mimetype, ext = downloads.to_xlsx(sheet), XLSX_TYPE, "xlsx"
    else:
        body, mimetype, ext = downloads.to_csv(sheet), CSV_TYPE, "csv"
    safe = re.sub(r"[^a-z0-9_-]+", "-", f"{slug}-{name}".lower()).strip("-")
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{safe}.{ext}"'})


def _unavailable(campaign, message: str, status: int = 200):
    db.session.rollback()
    return render_template("findings/unavailable.html", campaign=campaign, message=message), status


# --------------------------------------------------------------------------- indicators


def _questionnaire_key(value) -> str:
    """The questionnaire of an indicator page (``?questionnaire=``): the residents' by default."""
    from . import indicator_tables

    key = value or "resident"
    if key not in indicator_tables.QUESTIONNAIRES:
        abort(404)
    return key


@requires(Role.COORDINATOR)
def indicators(slug: str):
    """Every indicator by district, QPV, age band and sex, with the district flags."""
    from . import indicator_tables, tables

    campaign = member_campaign_or_404(slug)
    key = _questionnaire_key(request.args.get("questionnaire"))
    try:
        questionnaires = indicator_tables.indicator_questionnaires(db.session, campaign)
        state = tables.indicator_state(db.session, campaign, key)
    except ServiceError as error:
        return _unavailable(campaign, str(error))
    form = IndicatorFilterForm(formdata=request.args)
    result = indicator_tables.in_page_language(db.session, campaign, state.result, page_language())
    axes = (result or {}).get("axes", {})
    form.axe.choices = [SelectChoice("", _("tous les axes"))] + [
        SelectChoice(key, label) for key, label in sorted(axes.items(), key=lambda item: item[1])]
    axis = form.axe.data if form.axe.data in axes else ""
    sort = form.tri.data if form.tri.data in {choice.value for choice in SORT_CHOICES} else "questionnaire"
    descending = form.ordre.data == "desc"
    views = tables.indicator_views(result, axis=axis or None, sort=sort, descending=descending) if result else []
    job_status = None
    if state.job is not None:
        from ..jobs.views import job_status as describe

        job_status = describe(campaign, state.job)
    return render_template(
        "findings/indicators.html", campaign=campaign, state=state, result=result, views=views, form=form,
        job_status=job_status,
        variable_labels=tables.variable_labels(page_language()), start_form=EmptyForm(), rule=tables.publication_rule(page_language()),
        query=dict(axe=axis or None, tri=sort, ordre="desc" if descending else "asc"),
        questionnaire=key, questionnaires=questionnaires,
        weighted=indicator_tables.is_weighted(key) if result is None else result.get("weighted", True),
    )


@requires(Role.COORDINATOR)
def start(slug: str):
    """Start computing the indicator tables as a background job."""
    from . import tables

    campaign = member_campaign_or_404(slug)
    key = _questionnaire_key(request.form.get("questionnaire"))
    page = url_for(".indicators", slug=slug, questionnaire=None if key == "resident" else key)
    if not EmptyForm().validate_on_submit():
        return redirect(page)
    try:
        job = tables.start_indicators(db.session, campaign, current_user._get_current_object(), key)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(page)
    db.session.commit()
    if job.state.finished:
        flash(_("Tableaux d'indicateurs calculés."), "success")
    else:
        flash(_("Calcul des tableaux d'indicateurs lancé : la page montre son avancement."), "success")
    return redirect(page)


@requires(Role.COORDINATOR)
def indicators_download(slug: str, fmt: str):
    """The indicator tables as CSV or XLSX (same suppression as the page)."""
    from . import downloads, tables

    campaign = member_campaign_or_404(slug)
    key = _questionnaire_key(request.args.get("questionnaire"))
    try:
        state = tables.indicator_state(db.session, campaign, key)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    if not state.result:
        return _unavailable(campaign, _("Les tableaux d'indicateurs n'ont pas encore été calculés."), 409)
    name = "indicateurs" if key == "resident" else f"indicateurs-{key}"
    return _download(downloads.indicator_sheet(state.result), slug, name, fmt)


# --------------------------------------------------------------------------- cross-tables


def _cross_form(campaign):
    from ..campaigns import questionnaires as questionnaire_service
    from . import tables

    form = CrossTableForm(formdata=request.args)
    version = questionnaire_service.current_version(db.session, campaign, "resident")
    if version is None:
        raise ServiceError(_("Le questionnaire des habitants n'est pas chargé dans cette campagne."))
    definition = questionnaire_service.definition_of(version)
    variables = list(tables.closed_variables(campaign, definition, page_language()).values())
    choices = [SelectChoice("", _("— choisir —"))] + [SelectChoice(v.id, label) for v, label in
                                                      zip(variables, _distinct_labels(variables))]
    form.ligne.choices = form.colonne.choices = choices
    return form


def _distinct_labels(variables) -> list[str]:
    """The questions' labels; two questions worded alike (« Vous êtes : ») told apart by their first answers."""
    from collections import Counter

    counts = Counter(v.label for v in variables)
    labels = []
    for v in variables:
        if counts[v.label] > 1 and v.categories:
            shown = list(v.categories.values())
            labels.append(f"{v.label} ({', '.join(shown[:3])}{', …' if len(shown) > 3 else ''})")
        else:
            labels.append(v.label)
    return labels


@requires(Role.COORDINATOR)
def cross_tables(slug: str):
    """Choose two closed questions; show weighted shares with CIs and the Rao–Scott test."""
    from . import tables

    campaign = member_campaign_or_404(slug)
    try:
        form = _cross_form(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error))
    result, error, status = None, None, 200
    if "ligne" in request.args or "colonne" in request.args:
        try:
            result = tables.cross_table(db.session, campaign, form.ligne.data, form.colonne.data,
                                        shares=form.parts.data or "row", statistic=form.test.data or "F",
                                        lang=page_language())
        except ServiceError as refusal:
            db.session.rollback()
            error, status = str(refusal), 400
    return render_template("findings/cross_tables.html", campaign=campaign, form=form, result=result,
                           error=error, rule=tables.publication_rule(page_language())), status


@requires(Role.COORDINATOR)
def cross_table_download(slug: str, fmt: str):
    """The cross-table chosen in the query string, as CSV or XLSX."""
    from . import downloads, tables

    campaign = member_campaign_or_404(slug)
    try:
        result = tables.cross_table(db.session, campaign, request.args.get("ligne"), request.args.get("colonne"),
                                    shares=request.args.get("parts") or "row",
                                    statistic=request.args.get("test") or "F")
    except ServiceError as error:
        return _unavailable(campaign, str(error), 400)
    return _download(downloads.cross_table_sheet(result), slug, f"croisement-{result['row']['id']}-{result['column']['id']}", fmt)


# --------------------------------------------------------------------------- themes by district


def _themes(campaign, lang: str = "fr"):
    from . import indicator_tables, tables

    state = tables.indicator_state(db.session, campaign)
    result = indicator_tables.in_page_language(db.session, campaign, state.result, lang)
    return tables.themes_by_district(db.session, campaign, result), state


@requires(Role.COORDINATOR)
def themes(slug: str):
    """Themes of the free text and indicators side by side, district by district."""
    campaign = member_campaign_or_404(slug)
    try:
        result, state = _themes(campaign, page_language())
    except ServiceError as error:
        return _unavailable(campaign, str(error))
    _keep_lemmas()
    from . import tables

    return render_template("findings/themes.html", campaign=campaign, result=result, state=state,
                           rule=tables.publication_rule(page_language()))


@requires(Role.COORDINATOR)
def themes_download(slug: str, fmt: str):
    """Themes and indicators by district as CSV or XLSX."""
    from . import downloads

    campaign = member_campaign_or_404(slug)
    try:
        result, _state = _themes(campaign)
    except ServiceError as error:
        return _unavailable(campaign, str(error), 409)
    _keep_lemmas()
    return _download(downloads.themes_sheet(result), slug, "themes-par-quartier", fmt)


def _keep_lemmas() -> None:
    """Commit what the coder stored while computing the shares (lemmas); harmless if raced."""
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


# --------------------------------------------------------------------------- themes workspace


def _theme_forms(campaign, snapshot, name):
    from .theme_forms import MergeThemesForm, RenameThemeForm, SplitThemeForm, StartThemesForm

    choices = [SelectChoice(str(t["theme_id"]), t["label"]) for t in (snapshot or {}).get("themes", [])]
    merge, split = MergeThemesForm(formdata=None, analyse=name), SplitThemeForm(formdata=None, analyse=name)
    merge.theme.choices = merge.autre.choices = split.theme.choices = choices
    if len(choices) > 1:
        merge.autre.data = choices[1].value
    return {"start": StartThemesForm(formdata=None), "merge": merge, "split": split,
            "rename": lambda theme: RenameThemeForm(formdata=None, analyse=name, theme=str(theme["theme_id"]),
                                                    libelle=theme["label"], prefix=f"t{theme['theme_id']}")}


@requires(Role.COORDINATOR)
def theme_workspace(slug: str):
    """The themes found in the free text: rename, merge, split them and read their answers."""
    from . import themes as theme_service

    campaign = member_campaign_or_404(slug)
    state = theme_service.theme_state(db.session, campaign)
    name, snapshot = theme_service.workspace_analysis(state, request.args.get("analyse"))
    verbatims = {}
    if snapshot:
        shown = request.args.get("theme", type=int)
        for theme in snapshot["themes"]:
            n = None if shown == theme["theme_id"] else 5
            verbatims[theme["theme_id"]] = theme_service.theme_verbatims(snapshot, theme["theme_id"], n)
    job_status = None
    if state.last is not None:
        from ..jobs.views import job_status as describe

        job_status = describe(campaign, state.last)
    from . import theme_text

    # the result keeps the library's French: its summary, notes and names are given in the page's language
    names = theme_text.shown_names((state.result or {}).get("names") or {}, theme_service.TOGETHER)
    return render_template(
        "findings/themes_workspace.html", campaign=campaign, state=state, result=state.result, name=name,
        snapshot=theme_text.shown_snapshot(snapshot), names=names, verbatims=verbatims, job_status=job_status,
        forms=_theme_forms(campaign, snapshot, name), shown=request.args.get("theme", type=int),
    )


@requires(Role.COORDINATOR)
def theme_start(slug: str):
    """Start finding the themes of the free text as a background job."""
    from . import themes as theme_service
    from .theme_forms import StartThemesForm

    campaign = member_campaign_or_404(slug)
    form = StartThemesForm()
    if not form.validate_on_submit():
        flash(_("Le nombre de thèmes doit être un entier entre 2 et 30, ou rester vide."), "error")
        return redirect(url_for(".theme_workspace", slug=slug))
    try:
        job = theme_service.start_themes(db.session, campaign, current_user._get_current_object(),
                                         method=form.methode.data, k=form.nombre.data, seed=form.graine.data or 0)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".theme_workspace", slug=slug))
    db.session.commit()
    if job.state.finished:
        flash(_("Thèmes calculés.") if job.state.value == "done" else _("Le calcul des thèmes a échoué."),
              "success" if job.state.value == "done" else "error")
    else:
        flash(_("Recherche des thèmes lancée : la page montre son avancement."), "success")
    return redirect(url_for(".theme_workspace", slug=slug))


def _theme_edit(slug: str, form_class, apply, done_message: str, *, prefixed: bool = False):
    from . import themes as theme_service

    campaign = member_campaign_or_404(slug)
    prefix = ""
    if prefixed:  # one rename form per theme, each with its own field names
        prefix = next((key[: -len("-theme")] for key in request.form if key.endswith("-theme")), "")
    form = form_class(prefix=prefix) if prefix else form_class()
    name = form.analyse.data or None
    target = url_for(".theme_workspace", slug=slug, analyse=name)
    if not form.validate_on_submit():
        flash(_("Le formulaire est incomplet : indiquez le thème et la valeur demandée."), "error")
        return redirect(target)
    try:
        apply(theme_service, campaign, form, name or theme_service.workspace_analysis(
            theme_service.theme_state(db.session, campaign), None)[0])
    except (ServiceError, ValueError) as error:
        db.session.rollback()
        flash(str(error) if isinstance(error, ServiceError) else _("Valeur incorrecte."), "error")
        return redirect(target)
    db.session.commit()
    flash(done_message, "success")
    return redirect(target)


@requires(Role.COORDINATOR)
def theme_rename(slug: str):
    """Rename a theme."""
    from .theme_forms import RenameThemeForm

    return _theme_edit(slug, RenameThemeForm, lambda service, campaign, form, name: service.rename_theme(
        db.session, campaign, current_user._get_current_object(), name, int(form.theme.data), form.libelle.data),
        _("Thème renommé."), prefixed=True)


@requires(Role.COORDINATOR)
def theme_merge(slug: str):
    """Merge a theme into another."""
    from .theme_forms import MergeThemesForm

    return _theme_edit(slug, MergeThemesForm, lambda service, campaign, form, name: service.merge_themes(
        db.session, campaign, current_user._get_current_object(), name, int(form.theme.data), int(form.autre.data)),
        _("Thèmes fusionnés."))


@requires(Role.COORDINATOR)
def theme_split(slug: str):
    """Split a theme in several."""
    from .theme_forms import SplitThemeForm

    return _theme_edit(slug, SplitThemeForm, lambda service, campaign, form, name: service.split_theme(
        db.session, campaign, current_user._get_current_object(), name, int(form.theme.data), int(form.parts.data)),
        _("Thème scindé."))
