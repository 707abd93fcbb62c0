"""Forms of the exchange pages (labels translated lazily) and the checks of an uploaded file."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

SPREADSHEET_TYPES = (".xlsx", ".xls", ".csv")
CSV_SHEETS = ("survey", "choices", "settings")


class XLSFormUploadForm(FlaskForm):
    files = MultipleFileField(
        _l("Fichier XLSForm"),
        description=_l("Un classeur .xlsx ou .xls (feuilles survey, choices, settings), ou un CSV : "
                       "un seul fichier, ou les fichiers « formulaire.survey.csv », "
                       "« formulaire.choices.csv » et « formulaire.settings.csv » choisis ensemble."),
    )


class XLSFormLoadForm(FlaskForm):
    accept_conflicts = BooleanField(_l("Charger quand même : j'ai lu ce que perdent les réponses existantes"))


class ResponsesUploadForm(FlaskForm):
    file = FileField(
        _l("Export de données KoboToolbox ou ODK Central"),
        description=_l("Un fichier .csv (séparé par « ; » ou « , ») ou .xlsx, exporté avec les noms XML "
                       "ou les libellés des questions ; les feuilles des groupes répétés sont comptées, "
                       "pas importées."),
    )
    questionnaire = SelectField(_l("Questionnaire visé"), choices=[], validate_choice=False)
    separator = StringField(
        _l("Séparateur des groupes dans les en-têtes"), default="/",
        validators=[DataRequired(_l("Indiquez le séparateur des groupes, « / » par défaut.")),
                    Length(max=3, message=_l("Le séparateur fait au plus 3 caractères."))],
        description=_l("« / » pour des en-têtes comme « profil/age » ; « . » ou « - » selon l'export."),
    )


class ResponsesConfirmForm(FlaskForm):
    pass


def read_limited(storage, limit: int) -> bytes | None:
    """The content of an uploaded file, or ``None`` when it is larger than ``limit`` bytes."""
    data = storage.stream.read(limit + 1)
    return None if len(data) > limit else data


def spreadsheet_problem(name: str, data: bytes, *, allow_xls: bool = True) -> str | None:
    """Why ``data`` is not a spreadsheet of the accepted types (French), or ``None``."""
    from flask_babel import gettext as _

    lower = name.lower()
    kinds = SPREADSHEET_TYPES if allow_xls else (".xlsx", ".csv")
    if not lower.endswith(kinds):
        return _("« %(name)s » n'a pas une extension acceptée (%(kinds)s).", name=name, kinds=", ".join(kinds))
    if not data:
        return _("« %(name)s » est vide.", name=name)
    if lower.endswith(".xlsx") and not data.startswith(b"PK\x03\x04"):
        return _("« %(name)s » n'est pas un classeur .xlsx (son contenu n'est pas celui d'un classeur).", name=name)
    if lower.endswith(".xls") and not data.startswith(b"\xd0\xcf\x11\xe0"):
        return _("« %(name)s » n'est pas un classeur .xls (son contenu n'est pas celui d'un classeur).", name=name)
    if lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _("« %(name)s » n'est pas un fichier CSV en UTF-8.", name=name)
        if "\0" in text:
            return _("« %(name)s » n'est pas un fichier texte CSV.", name=name)
    return None


def csv_sheet(name: str) -> str | None:
    """``form.survey.csv`` → ``survey`` (a CSV sibling file of an XLSForm), else ``None``."""
    stem = name.lower()[:-len(".csv")] if name.lower().endswith(".csv") else ""
    kind = stem.rpartition(".")[2]
    return kind if kind in CSV_SHEETS and "." in stem else None
