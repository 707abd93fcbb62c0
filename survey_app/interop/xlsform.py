"""XLSForm in and out for a campaign: what the pages and ``flask questionnaires`` share.

The conversion itself is :mod:`survey_app.questionnaire.xlsform` (plain data); loading
the result is the same new version as ``flask questionnaires load`` makes
(:func:`survey_app.campaigns.questionnaires.plan_definition` and ``apply_load``).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..jobs.i18n import _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..campaigns import questionnaires as versions
from ..models import Campaign, QuestionnaireVersion, User
from ..questionnaire import Definition

__all__ = ["convert_file", "import_summary", "definition_from_data", "plan", "load",
           "campaign_districts", "export_workbook", "export_bytes", "figures", "preview"]

TYPE_LABELS = {
    "single": _l("choix unique"), "multiple": _l("choix multiple"), "scale": _l("échelle"),
    "matrix": _l("grille"), "integer": _l("nombre entier"), "decimal": _l("nombre décimal"),
    "year": _l("année"), "date": _l("date"), "text": _l("texte court"), "longtext": _l("texte long"),
    "district": _l("quartier"), "yesno": _l("oui / non"), "ranking": _l("classement"),
    "note": _l("texte d'information"),
}


def convert_file(path: str | Path, campaign: Campaign | None = None):
    """Read and convert an XLSForm file with the campaign's CLS axes; never raises for a bad file."""
    from ..questionnaire.xlsform import import_xlsform

    return import_xlsform(path, axes=versions.campaign_axes(campaign) if campaign is not None else None)


def import_summary(name: str, definition: Definition) -> str:
    """One French sentence: what the form became."""
    return _("%(name)s : questionnaire « %(id)s » — %(sections)d sections, %(questions)d questions, "
             "langues %(languages)s.", name=name, id=definition.id, sections=len(definition.sections),
             questions=len(definition.questions), languages=", ".join(definition.languages))


def definition_from_data(data: dict, campaign: Campaign, source: str) -> Definition:
    """Rebuild (and validate again) a converted definition; raises ``DefinitionError``."""
    from ..questionnaire.loader import build_definition

    return build_definition(data, source=source, axes=versions.campaign_axes(campaign))


def plan(session: Session, campaign: Campaign, definition: Definition) -> versions.LoadPlan:
    """What loading ``definition`` would change (new questionnaire, new version, or nothing)."""
    return versions.plan_definition(session, campaign, definition)


def load(session: Session, campaign: Campaign, load_plan: versions.LoadPlan, *, source_name: str,
         actor: User | None, accept_conflicts: bool = False) -> QuestionnaireVersion:
    """Store the planned version, as ``flask questionnaires load`` does (the caller commits)."""
    return versions.apply_load(session, campaign, load_plan, source_name=source_name, actor=actor,
                               accept_conflicts=accept_conflicts)


def campaign_districts(campaign: Campaign | None) -> list[dict]:
    """The choices of the « quartier » question in an exported form."""
    if campaign is None:
        return []
    return [{"code": d.code, "name": d.name} for d in campaign.districts]


def export_workbook(definition: Definition, path: str | Path, campaign: Campaign | None = None) -> list[str]:
    """Write ``definition`` as an XLSForm at ``path``; return the notes (what the form cannot carry)."""
    from ..questionnaire.xlsform import export_xlsform

    notes: list[str] = []
    export_xlsform(definition, path, districts=campaign_districts(campaign), notes=notes)
    return notes


def export_bytes(definition: Definition, campaign: Campaign) -> bytes:
    """The XLSForm workbook of ``definition`` (with the campaign's districts), as bytes."""
    with tempfile.TemporaryDirectory(prefix="cls-xlsform-") as folder:
        path = Path(folder) / "form.xlsx"
        export_workbook(definition, path, campaign)
        return path.read_bytes()


def export_notes(definition: Definition, campaign: Campaign) -> list[str]:
    """What an export of ``definition`` leaves out or changes (nothing is written)."""
    from ..questionnaire.xlsform import workbook_rows

    notes: list[str] = []
    workbook_rows(definition, districts=campaign_districts(campaign), notes=notes)
    return notes


@dataclass
class Figures:
    sections: int
    questions: int
    languages: list[str]
    conditions: int  #: questions and sections shown under a condition
    constraints: int
    options: int


def figures(definition: Definition) -> Figures:
    conditions = sum(1 for q in definition.questions.values() if q.show_if) + \
        sum(1 for s in definition.sections if s.show_if)
    return Figures(len(definition.sections), len(definition.questions), list(definition.languages),
                   conditions, len(list(definition.all_constraints())),
                   sum(len(q.options) for q in definition.questions.values()))


def _label(labels, lang: str = "fr") -> str:
    if not labels:
        return ""
    return labels.get(lang) or next(iter(labels.values()), "")


def preview(definition: Definition) -> list[dict]:
    """The questionnaire as plain values for the preview: sections, their questions, options."""
    out = []
    for section in definition.sections:
        questions = []
        for q in section.questions:
            questions.append({
                "id": q.id,
                "type": str(TYPE_LABELS.get(q.type, q.type)),
                "label": _label(q.labels),
                "translations": {lang: text for lang, text in q.labels.items() if lang != "fr"},
                "help": _label(q.help),
                "required": q.required,
                "show_if": q.show_if or "",
                "options": [(o.code, _label(o.labels), o.other) for o in q.options],
                "rows": [(r.id, _label(r.labels)) for r in q.rows],
            })
        out.append({"id": section.id, "title": _label(section.title), "show_if": section.show_if or "",
                    "questions": questions})
    return out
