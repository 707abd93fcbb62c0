"""Forms of the themes workspace: start the themes job, rename, merge and split a theme.

POST forms (they change the stored themes): Flask-WTF adds and checks the CSRF token;
every value is checked again by :mod:`.themes`, which explains a refusal in French.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

METHOD_CHOICES = [
    SelectChoice("guided", _l("guidée par la grille de codage de la campagne (recommandé)")),
    SelectChoice("vectors", _l("vecteurs de mots seuls, sans la grille (réponses courtes)")),
    SelectChoice("gsdmm", _l("GSDMM (mots partagés, un thème par réponse)")),
    SelectChoice("nmf", _l("NMF (une réponse pèse sur plusieurs thèmes)")),
]


class StartThemesForm(FlaskForm):
    methode = SelectField(_l("Méthode"), choices=METHOD_CHOICES, default="guided")
    nombre = IntegerField(_l("Nombre de thèmes (vide : choisi automatiquement)"),
                          validators=[Optional(), NumberRange(min=2, max=30)])
    graine = IntegerField(_l("Graine du tirage aléatoire"), default=0, validators=[Optional(), NumberRange(min=0)])


class RenameThemeForm(FlaskForm):
    analyse = HiddenField()
    theme = HiddenField(validators=[DataRequired()])
    libelle = StringField(_l("Nouveau nom"), validators=[DataRequired(), Length(max=120)])


class MergeThemesForm(FlaskForm):
    analyse = HiddenField()
    theme = SelectField(_l("Garder le thème"), validate_choice=False, validators=[DataRequired()])
    autre = SelectField(_l("et y verser les réponses du thème"), validate_choice=False, validators=[DataRequired()])


class SplitThemeForm(FlaskForm):
    analyse = HiddenField()
    theme = SelectField(_l("Thème à scinder"), validate_choice=False, validators=[DataRequired()])
    parts = IntegerField(_l("En combien de thèmes"), default=2, validators=[NumberRange(min=2, max=6)])
