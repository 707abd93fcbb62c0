"""WTForms forms of the account pages (labels translated lazily)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..models import Role


def role_choices():
    return [
        SelectChoice(Role.AGENT.value, _l("Agent de saisie")),
        SelectChoice(Role.COORDINATOR.value, _l("Coordination CLS")),
        SelectChoice(Role.ADMIN.value, _l("Administration")),
    ]


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=200)])


class CampaignsField(SelectMultipleField):
    """Campaign ids, shown as checkboxes by the template; choices set by the view."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = None
            raise ValueError(_l("Une des campagnes choisies n'existe pas ou plus : rechargez la page.")) from None

    def pre_validate(self, form):
        if self.data:
            known = {value for value, _label in self.choices}
            if any(value not in known for value in self.data):
                raise ValidationError(_l("Une des campagnes choisies n'existe pas ou plus : rechargez la page."))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez l'adresse e-mail.")), Length(max=254)],
    )
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(_l("Indiquez le nom affiché.")), Length(max=120)])
    role = SelectField(_l("Rôle"), choices=role_choices())
    campaigns = CampaignsField(_l("Campagnes"), coerce=int, choices=[])


class AccountForm(FlaskForm):
    """The role and campaigns of an existing account."""

    role = SelectField(_l("Rôle"), choices=role_choices())
    campaigns = CampaignsField(_l("Campagnes"), coerce=int, choices=[])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(_l("Choisissez un mot de passe.")), Length(max=200)],
    )
    confirm = PasswordField(
        _l("Le même mot de passe, une seconde fois"),
        validators=[DataRequired(_l("Tapez le mot de passe une seconde fois.")),
                    EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))],
    )
