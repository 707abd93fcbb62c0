"""WTForms forms of the staff pages (labels translated lazily)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..models import Role


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=200)])


class UserCreateForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez l'adresse e-mail.")), Length(max=254)],
    )
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(_l("Indiquez le nom affiché.")), Length(max=120)])
    role = SelectField(
        _l("Rôle"),
        choices=[
            SelectChoice(Role.AGENT.value, _l("Agent de saisie")),
            SelectChoice(Role.COORDINATOR.value, _l("Coordination CLS")),
            SelectChoice(Role.ADMIN.value, _l("Administration")),
        ],
    )
    password = PasswordField(
        _l("Mot de passe provisoire"),
        validators=[DataRequired(_l("Indiquez un mot de passe.")), Length(min=12, max=200, message=_l("Le mot de passe doit contenir au moins 12 caractères."))],
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
