"""WSGI entry point: ``gunicorn wsgi:app`` (also what ``flask`` uses, via FLASK_APP=wsgi)."""
import sys

from survey_app import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:  # a wrong setting is one clear line, not a traceback
    sys.exit(f"Erreur de configuration : {error}")
