"""Forms of the collection pages (CSRF on every one; the services check the values)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .responses import EXCLUSION_LABELS


class ExcludeForm(FlaskForm):
    motive = SelectField(_l("Motif"), choices=[SelectChoice(k, v) for k, v in EXCLUSION_LABELS.items()])
    note = TextAreaField(_l("Ce qui a été constaté"), validators=[DataRequired(_l("Indiquez la raison de l'exclusion.")),
                                                                   Length(max=2000)])


class RestoreForm(FlaskForm):
    reason = StringField(_l("Pourquoi la rétablir"), validators=[DataRequired(_l("Indiquez pourquoi la réponse est rétablie.")),
                                                                  Length(max=2000)])


class CorrectionForm(FlaskForm):
    """The answer's fields are read from the request by question type (``value``, ``values``, ``row-…``)."""

    reason = StringField(_l("Raison de la correction"), validators=[Length(max=2000)])
    expected = HiddenField()
