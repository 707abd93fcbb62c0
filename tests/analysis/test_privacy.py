"""Tests of analysis.privacy: personal data masked in verbatims."""
import pytest

from analysis.privacy import mask_emails, mask_names, mask_phones, mask_pii


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "06.12.34.56.78", "0612345678",
                                   "06-12-34-56-78", "+33 6 12 34 56 78", "+33612345678",
                                   "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78",
                                   "01 45 21 00 00"])
def test_french_phone_numbers_are_masked(phone):
    assert mask_phones(f"appelez au {phone} svp") == "appelez au [téléphone] svp"


def test_other_numbers_are_kept():
    text = "3 enfants, né en 2019, attente de 15 jours, 75013 Paris"
    assert mask_pii(text) == text


def test_emails_are_masked():
    assert mask_emails("écrire à jean.dupont+cls@mairie-kb.fr.") == "écrire à [courriel]."


def test_social_security_numbers_are_masked():
    assert mask_phones("secu 1 85 05 78 006 084 36") == "secu [numéro de sécurité sociale]"


@pytest.mark.parametrize("raw, masked", [
    ("le Dr Martin est parti", "le Dr [nom] est parti"),
    ("le docteur Dupont", "le docteur [nom]"),
    ("le docteur dupont ne prend plus", "le docteur [nom] ne prend plus"),
    ("Mme Durand m'aide", "Mme [nom] m'aide"),
    ("M. Bernard, voisin", "M. [nom], voisin"),
    ("Madame Le Goff", "Madame [nom]"),
    ("Dr Jean-Pierre Martin", "Dr [nom]"),
    ("Pr Lefèvre à l'hôpital", "Pr [nom] à l'hôpital"),
])
def test_titled_names_are_masked(raw, masked):
    assert mask_names(raw) == masked


@pytest.mark.parametrize("text", ["le docteur est parti", "Madame la maire",
                                  "Monsieur Le Maire", "rdv pr moi", "il me fatigue",
                                  "le docteur de garde", "mon médecin traitant"])
def test_ordinary_words_after_titles_are_kept(text):
    assert mask_names(text) == text


def test_mask_pii_combines_everything():
    raw = "Dr Martin (06 12 34 56 78, martin@cabinet.fr) ne prend plus de patients"
    assert mask_pii(raw) == "Dr [nom] ([téléphone], [courriel]) ne prend plus de patients"
    assert mask_pii(None) == ""
