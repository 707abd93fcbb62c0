"""The printable questionnaire: numbering, codes, instructions, PDF, the command."""
from __future__ import annotations

import io

import pytest

from survey_app.entry import paper_form
from survey_app.questionnaire import load_definition

from .conftest import RESIDENT


@pytest.fixture(scope="module")
def resident():
    return load_definition(RESIDENT)


def printed(definition, lang="fr"):
    return {item.question.id: item for section in paper_form.printable(definition, lang)
            for item in section.items if not isinstance(item, str)}


def test_questions_are_numbered_with_codes_and_skip_instructions(resident):
    items = printed(resident)
    assert items["age"].number == 1 and [c.key for c in items["age"].choices] == ["1", "2", "3", "4", "5", "6"]
    assert [c.key for c in items["sexe"].choices] == ["f", "h", "x"]
    doctor = {c.label: c.skip for c in items["medecin_traitant"].choices}
    assert doctor["Non"] == f"passez à la question {items['mt_recherche'].number}"
    assert doctor["Je ne sais pas"] == f"passez à la question {items['delai_generaliste'].number}"
    assert items["mt_recherche"].instruction == (
        f"Répondez seulement si vous avez répondu « Non » à la question {items['medecin_traitant'].number}.")
    assert items["foyer_nb"].instruction == "Répondez seulement si vous n'avez pas répondu « Seul(e) » à la question 5."
    assert [c.key for c in items["difficultes_specialistes"].choices][:2] == ["01", "02"]


def test_the_form_prints_in_another_language_of_the_file(resident):
    items = printed(resident, "en")
    assert items["age"].label == "How old are you?"
    assert items["mt_recherche"].instruction.startswith("Answer only if you answered “No”") or \
        items["mt_recherche"].instruction.startswith("Answer only if you answered « No »")


def test_the_fetcher_reads_only_the_package_static_files(tmp_path):
    outside = tmp_path / "secret.css"
    outside.write_text("body{}")
    for url in ("https://example.org/font.ttf", outside.as_uri(), "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError, match="Adresse refusée"):
            paper_form.check_url(url)
    css = paper_form.static_folder() / "print.css"
    assert paper_form.check_url(css.as_uri()) == css.resolve()
    pytest.importorskip("weasyprint")
    from weasyprint.urls import URLFetchingError, fetch

    fetcher = paper_form.url_fetcher()
    with pytest.raises(URLFetchingError):
        with fetch(fetcher, outside.as_uri()):
            pass
    with fetch(fetcher, (paper_form.static_folder() / "fonts" / "DejaVuSans.ttf").as_uri()) as font:
        assert font is not None


def test_the_pdf_carries_the_serial_and_the_questions(app, paper_campaign, caplog):
    """Fonts and stylesheet come from the package: WeasyPrint reports no resource it could not load."""
    pypdf = pytest.importorskip("pypdf")
    from survey_app.campaigns.questionnaires import definition_of

    definition = definition_of(paper_campaign["version"])
    with app.test_request_context():
        html = paper_form.render_html(paper_campaign["campaign"], definition, "fr", ["000018"])
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = pypdf.PdfReader(io.BytesIO(paper_form.to_pdf(html)))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    text = "".join(page.extract_text() for page in pdf.pages)
    assert 4 <= len(pdf.pages) <= 20
    assert "00001-8" in text and "Quel âge avez-vous" in text and "passez à la question" in text
    fonts = {str(font.get("/BaseFont")) for page in pdf.pages for font in (page["/Resources"].get("/Font") or {}).values()
             for font in [font.get_object()]}
    assert any("DejaVu" in name for name in fonts), fonts


def test_flask_paper_form_writes_numbered_copies(runner, paper_campaign, tmp_path, db_session):
    from sqlalchemy import func, select

    from survey_app.models import PaperSerial

    out = tmp_path / "form.html"
    result = runner.invoke(args=["paper", "form", "--campaign", "ville-papier", "--questionnaire", "resident",
                                 "--copies", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 exemplaires numérotés (00001-8 à 00003-4)" in result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('class="copy"') == 3 and "00002-6" in html and html.count("<svg") == 3
    assert db_session.scalar(select(func.count()).select_from(PaperSerial)) == 3
    bad = runner.invoke(args=["paper", "form", "--campaign", "ville-papier", "--questionnaire", "inconnu",
                              "--out", str(out)])
    assert bad.exit_code == 1 and "Questionnaire inconnu" in bad.output
    wrong = runner.invoke(args=["paper", "form", "--campaign", "ville-papier", "--questionnaire", "resident",
                                "--out", str(tmp_path / "form.docx")])
    assert wrong.exit_code == 1 and ".pdf ou .html" in wrong.output


def test_flask_paper_form_writes_a_pdf(runner, paper_campaign, tmp_path):
    out = tmp_path / "form.pdf"
    result = runner.invoke(args=["paper", "form", "--campaign", "ville-papier", "--questionnaire", "resident",
                                 "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
