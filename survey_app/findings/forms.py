"""Forms of the result pages: sorting and filtering the indicators, choosing a cross-table.

Both are GET forms (they change nothing): no CSRF token, values read from the query
string, every choice checked by the service, which explains a refusal in French.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField

SORT_CHOICES = [
    SelectChoice("questionnaire", _l("ordre du questionnaire")),
    SelectChoice("libelle", _l("libellé")),
    SelectChoice("ville", _l("part dans l'ensemble de la ville")),
    SelectChoice("ecart", _l("écart entre quartiers")),
    SelectChoice("signalements", _l("quartiers signalés")),
]


class _GetForm(FlaskForm):
    class Meta:
        csrf = False


class IndicatorFilterForm(_GetForm):
    #: id other than "axe": an element id becomes a global of the page (window.axe)
    axe = SelectField(_l("Axe du CLS"), validate_choice=False, default="", id="filtre-axe")
    tri = SelectField(_l("Trier par"), choices=SORT_CHOICES, validate_choice=False, default="questionnaire")
    ordre = SelectField(_l("Ordre"), choices=[SelectChoice("asc", _l("croissant")), SelectChoice("desc", _l("décroissant"))],
                        validate_choice=False, default="asc")


class CrossTableForm(_GetForm):
    ligne = SelectField(_l("Question en lignes"), validate_choice=False)
    colonne = SelectField(_l("Question en colonnes"), validate_choice=False)
    parts = RadioField(_l("Parts calculées"), choices=[SelectChoice("row", _l("en ligne (chaque ligne fait 100 %)")),
                                                      SelectChoice("column", _l("en colonne (chaque colonne fait 100 %)"))],
                       validate_choice=False, default="row")
    test = RadioField(_l("Test de Rao–Scott"), choices=[SelectChoice("F", _l("second ordre (F), recommandé")),
                                                      SelectChoice("Chisq", _l("premier ordre (khi-deux)"))],
                      validate_choice=False, default="F")
