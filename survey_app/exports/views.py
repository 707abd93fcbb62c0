"""Export downloads: read the options, call the export service, send the file.

A download changes nothing, so it is a GET link (no form to submit); pandas and
pyreadstat are imported only when a file is made.
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _

from ..campaigns import questionnaires as questionnaire_service
from ..domain import ServiceError
from ..extensions import db
from ..models import Role
from ..web.access import member_campaign_or_404, requires
from ..web.i18n import page_language
from . import dictionary

FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "sav": "SPSS (.sav)", "dta": "Stata (.dta)"}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


def _versions(campaign):
    return questionnaire_service.current_versions(db.session, campaign)


def _names(versions) -> dict[str, str]:
    """Each questionnaire's name (its title in the page's language), by key."""
    lang = page_language()
    return {v.key: questionnaire_service.definition_of(v).label(lang) or v.key for v in versions}


def _page(campaign, *, error=None, status=200):
    versions = _versions(campaign)
    return render_template("exports/page.html", campaign=campaign, versions=versions, formats=FORMAT_NAMES,
                           names=_names(versions), error=error,
                           meaning=dictionary.words(page_language())(dictionary.VALIDATED_MEANING)), status


@requires(Role.COORDINATOR)
def page(slug: str):
    """The export formats and their options, and the data dictionary."""
    return _page(member_campaign_or_404(slug))


@requires(Role.COORDINATOR)
def download(slug: str):
    campaign = member_campaign_or_404(slug)
    fmt = request.args.get("format", "")
    if fmt not in FORMAT_NAMES:
        return _page(campaign, error=_("Format d'export inconnu : « %(f)s » (formats : %(all)s).", f=fmt,
                                       all=", ".join(FORMAT_NAMES)), status=400)
    key = request.args.get("questionnaire") or None
    if key is not None and key not in {v.key for v in _versions(campaign)}:
        return _page(campaign, error=_("Questionnaire inconnu : « %(k)s ».", k=key), status=400)
    from . import formats

    try:
        body, result = formats.export_bytes(db.session, campaign, fmt, labels=request.args.get("libelles") == "1",
                                            all_statuses=request.args.get("statuts") == "tous",
                                            delimiter="," if request.args.get("separateur") == "virgule" else ";",
                                            key=key)
    except ServiceError as refused:
        return _page(campaign, error=str(refused), status=422)
    # content_type is sent as it is (mimetype= would add a second « ; charset=utf-8 » to text/csv)
    reply = current_app.response_class(body, content_type=MIMETYPES[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    reply.headers["Cache-Control"] = "no-store"
    return reply


def _variables(campaign, key, lang: str = "fr"):
    versions = {v.key: v for v in _versions(campaign)}
    if not versions:
        abort(404)
    version = versions.get(key) or versions.get("resident") or next(iter(versions.values()))
    definition = questionnaire_service.definition_of(version)
    from ..findings.weights import current_weights

    weighted = not current_weights(db.session, campaign).empty
    return version, dictionary.export_variables(campaign, definition, weighted=weighted, lang=lang)


@requires(Role.COORDINATOR)
def dictionary_page(slug: str):
    """The data dictionary of the export: every column, its question, label, type and codes."""
    campaign = member_campaign_or_404(slug)
    lang = page_language()
    version, variables = _variables(campaign, request.args.get("questionnaire"), lang)
    return render_template("exports/dictionary.html", campaign=campaign, version=version,
                           name=_names([version])[version.key],
                           rows=dictionary.dictionary_rows(variables, lang), versions=_versions(campaign),
                           meaning=dictionary.words(lang)(dictionary.VALIDATED_MEANING))


@requires(Role.COORDINATOR)
def dictionary_csv(slug: str):
    campaign = member_campaign_or_404(slug)
    version, variables = _variables(campaign, request.args.get("questionnaire"))
    reply = current_app.response_class(dictionary.dictionary_csv(variables), content_type=MIMETYPES["csv"])
    reply.headers["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{version.key}-dictionnaire.csv"'
    return reply
