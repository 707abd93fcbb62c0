"""Forms of the result pages: sorting and filtering the indicators, choosing a cross-table.

Both are GET forms (they change nothing): no CSRF token, values read from the query
string, every choice checked by the service, which explains a refusal in French.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

SORT_CHOICES = [
    ("questionnaire", _l("ordre du questionnaire")),
    ("libelle", _l("libellé")),
    ("ville", _l("part dans l'ensemble de la ville")),
    ("ecart", _l("écart entre quartiers")),
    ("signalements", _l("quartiers signalés")),
]


class _GetForm(FlaskForm):
    class Meta:
        csrf = False


class IndicatorFilterForm(_GetForm):
    axe = SelectField(_l("Axe du CLS"), validate_choice=False, default="")
    tri = SelectField(_l("Trier par"), choices=SORT_CHOICES, validate_choice=False, default="questionnaire")
    ordre = SelectField(_l("Ordre"), choices=[("asc", _l("croissant")), ("desc", _l("décroissant"))],
                        validate_choice=False, default="asc")


class CrossTableForm(_GetForm):
    ligne = SelectField(_l("Question en lignes"), validate_choice=False)
    colonne = SelectField(_l("Question en colonnes"), validate_choice=False)
    parts = RadioField(_l("Parts calculées"), choices=[("row", _l("en ligne (chaque ligne fait 100 %)")),
                                                      ("column", _l("en colonne (chaque colonne fait 100 %)"))],
                       validate_choice=False, default="row")
    test = RadioField(_l("Test de Rao–Scott"), choices=[("F", _l("second ordre (F), recommandé")),
                                                      ("Chisq", _l("premier ordre (khi-deux)"))],
                      validate_choice=False, default="F")
