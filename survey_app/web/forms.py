"""WTForms forms shared by the staff pages (the account forms are in ``accounts/forms.py``)."""
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
