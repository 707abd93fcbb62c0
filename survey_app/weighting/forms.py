"""Forms of the margins and weights page (labels translated lazily)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, RadioField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional


class MarginsForm(FlaskForm):
    margins_file = FileField(
        _l("Fichier CSV des marges"),
        validators=[FileRequired(_l("Choisissez le fichier CSV des marges."))],
        description=_l("Colonnes variable, category, count (séparateur « , » ou « ; »), une ligne par catégorie."),
    )


def variable_choices(variables, labels=None) -> list:
    """Choices of the post-stratification variable: the campaign's margin variables (by name when ``labels`` has one)."""
    return [SelectChoice(v, labels.variable(v) if labels is not None else v) for v in variables]


class WeightsForm(FlaskForm):
    method = RadioField(
        _l("Méthode"),
        choices=[
            SelectChoice("rake", _l("Calage sur marges (raking), recommandé")),
            SelectChoice("poststratify", _l("Post-stratification sur une variable ou un croisement")),
        ],
        default="rake",
    )
    cells = SelectField(_l("Variable de post-stratification"), choices=[], validate_choice=False)
    trim_upper = DecimalField(
        _l("Écrêter les poids au-delà de N fois le poids moyen (facultatif)"),
        places=None,
        validators=[Optional(), NumberRange(min=1.01, max=1000, message=_l("Indiquez un nombre supérieur à 1, par exemple 3."))],
    )
    min_respondents = IntegerField(
        _l("Regrouper les catégories de moins de N répondants (facultatif, calage seulement)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Indiquez un nombre entier d'au moins 1, par exemple 5."))],
    )
