"""URL rules of the exports: the page, the downloads, the data dictionary."""
from flask import Blueprint

from . import views

bp = Blueprint("exports", __name__, url_prefix="/espace/campagnes/<slug>/exports")
bp.add_url_rule("/", "page", views.page)
bp.add_url_rule("/telecharger", "download", views.download)
bp.add_url_rule("/dictionnaire", "dictionary", views.dictionary_page)
bp.add_url_rule("/dictionnaire.csv", "dictionary_csv", views.dictionary_csv)
