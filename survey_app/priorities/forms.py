"""Forms of the priorities workspace (Flask-WTF: CSRF token in each; labels translated lazily).

Numbers are typed as text so that a French decimal comma ("7,5") is accepted; the
checks here give the field its message, and the services check again.
"""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

#: PEARL items, in the order of the acronym, with the labels of their fields.
PEARL_FIELDS = (
    ("propriety", _l("Pertinence (relève des missions des partenaires du CLS)")),
    ("economics", _l("Économie (l'action a un sens économique)")),
    ("acceptability", _l("Acceptabilité (par la population et les partenaires)")),
    ("resources", _l("Ressources (disponibles ou mobilisables)")),
    ("legality", _l("Légalité (la loi permet d'agir)")),
)
PEARL_CHOICES = [SelectChoice("", _l("non évalué")), SelectChoice("oui", _l("oui")), SelectChoice("non", _l("non"))]
STATUS_CHOICES = [SelectChoice("proposed", _l("À examiner")), SelectChoice("kept", _l("Retenue par le comité")),
                  SelectChoice("set_aside", _l("Écartée par le comité"))]
VARIANT_CHOICES = [SelectChoice("basic", _l("Forme usuelle de Hanlon : (A + B …) × C / 3")),
                   SelectChoice("double_b", _l("Variante doublant la gravité : (A + 2B …) × C / 3"))]


def parse_number(text) -> float | None:
    """``"7,5"`` → 7.5; empty → None; raise ValueError when it is not a number."""
    text = (text or "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


class ScoreOutOfTen:
    """A B or C value: empty, or a number from 0 to 10."""

    def __init__(self, letter: str):
        self.letter = letter

    def __call__(self, form, field):
        try:
            number = parse_number(field.data)
        except ValueError:
            raise ValidationError(_l("%(letter)s doit être un nombre entre 0 et 10 (par exemple 7 ou 7,5).",
                                     letter=self.letter)) from None
        if number is not None and not 0 <= number <= 10:
            raise ValidationError(_l("%(letter)s doit être comprise entre 0 et 10.",
                                     letter=self.letter))


class Weight:
    """A weight of the grid: a number from 0 to 10."""

    def __call__(self, form, field):
        try:
            number = parse_number(field.data)
        except ValueError:
            number = -1.0
        if number is None or not 0 <= number <= 10:
            raise ValidationError(_l("Indiquez un poids entre 0 et 10 (0 retire ce terme de la formule)."))


class OneOf:
    """The value is one of the field's choices (a French message, never WTForms' own)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(self.message)


class DecisionForm(FlaskForm):
    """What the coordinator decides for one candidate (built with ``prefix=<candidate key>``)."""

    status = SelectField(_l("Décision du comité"), choices=STATUS_CHOICES, default="proposed", validate_choice=False,
                         validators=[OneOf(_l("Choisissez : à examiner, retenue ou écartée."))])
    seriousness = StringField(_l("Gravité B, de 0 à 10 (vide : proposée d'après les données)"),
                              validators=[ScoreOutOfTen("B")])
    effectiveness = StringField(_l("Efficacité C, de 0 à 10 (vide : valeur par défaut de la grille)"),
                                validators=[ScoreOutOfTen("C")])
    propriety = SelectField(PEARL_FIELDS[0][1], choices=PEARL_CHOICES, default="", validate_choice=False,
                            validators=[OneOf(_l("Répondez par oui, par non, ou laissez non évalué."))])
    economics = SelectField(PEARL_FIELDS[1][1], choices=PEARL_CHOICES, default="", validate_choice=False,
                            validators=[OneOf(_l("Répondez par oui, par non, ou laissez non évalué."))])
    acceptability = SelectField(PEARL_FIELDS[2][1], choices=PEARL_CHOICES, default="", validate_choice=False,
                                validators=[OneOf(_l("Répondez par oui, par non, ou laissez non évalué."))])
    resources = SelectField(PEARL_FIELDS[3][1], choices=PEARL_CHOICES, default="", validate_choice=False,
                            validators=[OneOf(_l("Répondez par oui, par non, ou laissez non évalué."))])
    legality = SelectField(PEARL_FIELDS[4][1], choices=PEARL_CHOICES, default="", validate_choice=False,
                           validators=[OneOf(_l("Répondez par oui, par non, ou laissez non évalué."))])
    label = StringField(_l("Libellé (vide : celui tiré des données)"),
                        validators=[Length(max=200, message=_l("Le libellé ne doit pas dépasser 200 caractères."))])
    note = TextAreaField(_l("Note (pourquoi ces valeurs, ce qu'en dit le comité)"),
                         validators=[Length(max=2000, message=_l("La note ne doit pas dépasser 2 000 caractères."))])

    def pearl(self) -> dict:
        """``item -> True / False / None`` from the PEARL fields."""
        values = {"oui": True, "non": False}
        return {item: values.get(getattr(self, item).data) for item, _label in PEARL_FIELDS}

    def pearl_fields(self):
        return [getattr(self, item) for item, _label in PEARL_FIELDS]


class MergeForm(FlaskForm):
    """Merge one candidate into another (built with ``prefix="regrouper-<key>"``)."""

    into = SelectField(_l("Regrouper avec"), choices=[], validate_choice=False,
                       validators=[OneOf(_l("Choisissez la priorité candidate avec laquelle regrouper celle-ci."))])


class GridForm(FlaskForm):
    """The campaign's scoring grid."""

    variant = SelectField(_l("Variante"), choices=VARIANT_CHOICES, default="basic", validate_choice=False,
                          validators=[OneOf(_l("Choisissez la forme usuelle ou la variante doublant B."))])
    inequity_weight = StringField(_l("Poids des inégalités territoriales (I), de 0 à 10"), validators=[Weight()])
    demand_weight = StringField(_l("Poids de la demande exprimée (D), de 0 à 10"), validators=[Weight()])
