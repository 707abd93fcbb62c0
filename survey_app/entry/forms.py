"""Forms of the paper-entry pages (the keyed answers themselves are read by :mod:`.keying`)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import DoubleEntry


def _version_id(value):
    """A version id, or ``None`` when none was chosen (a printed serial names its questionnaire)."""
    return int(value) if str(value or "").strip().isdigit() else None


class StartForm(FlaskForm):
    serial = StringField(_l("Numéro du questionnaire"),
                         validators=[DataRequired(_l("Indiquez le numéro du questionnaire.")), Length(max=60)])
    questionnaire = SelectField(_l("Questionnaire"), coerce=_version_id, validate_choice=False)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Raison"), validators=[DataRequired(_l("Indiquez la raison.")), Length(max=500)])


class DoubleEntryForm(FlaskForm):
    mode = RadioField(
        _l("Double saisie"),
        choices=[SelectChoice(DoubleEntry.NONE.value, _l("Non : chaque questionnaire est saisi une fois")),
                 SelectChoice(DoubleEntry.ALL.value, _l("Oui, pour chaque questionnaire")),
                 SelectChoice(DoubleEntry.SAMPLE.value, _l("Oui, pour une part tirée au hasard"))],
        validators=[InputRequired(_l("Choisissez une règle de double saisie."))],
    )
    percent = IntegerField(_l("Part tirée au hasard (%)"), default=10,
                           validators=[Optional(), NumberRange(1, 100, _l("De 1 à 100 %."))])


class PrintForm(FlaskForm):
    questionnaire = SelectField(_l("Questionnaire"), coerce=int, validate_choice=False)
    lang = SelectField(_l("Langue du questionnaire"), validate_choice=False)
    copies = IntegerField(_l("Nombre d'exemplaires numérotés"), default=20,
                          validators=[InputRequired(_l("Indiquez le nombre d'exemplaires.")),
                                      NumberRange(1, 2000, _l("De 1 à 2000 exemplaires."))])
    format = RadioField(_l("Format"), choices=[SelectChoice("pdf", "PDF"), SelectChoice("html", _l("Page web à imprimer"))], default="pdf")
