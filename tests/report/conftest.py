"""The demo campaign's report, built once per test module and database.

Building the report (weights, coding, priorities, the PDF) takes seconds; the tests of
the demo report only read what the build produced, so it is made once per module and
the database emptied right after.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
HOSTILE_SCRIPT = "<script>alert('rapport')</script> il faut un médecin généraliste au centre de santé"
HOSTILE_IMG = '<img src=x onerror="alert(1)"> trop d\'attente pour un médecin traitant'
HOSTILE_DISTRICT = "Les Coteaux <script>alert(2)</script>"


def empty_database(session) -> None:
    from survey_app.extensions import db
    from survey_app.survey import answering

    session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()
    answering.forget_surveys()


@dataclass
class DemoReport:
    data: object
    files: dict
    #: Indicator tables computed directly with analysis (published and unsuppressed).
    tables: object
    raw: object
    districts: dict
    pdf_text: str


def _hostile_answers(session, campaign) -> None:
    """Put hostile text in a few free answers and a hostile district name."""
    from sqlalchemy import select

    from survey_app.models import Answer, Response

    rows = session.scalars(
        select(Answer).join(Response, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id, Answer.question_id.in_(["propositions", "aide_prendre_soin"]))
        .order_by(Answer.id)).all()
    for i, answer in enumerate(rows[:40]):
        answer.value_text = HOSTILE_SCRIPT if i % 2 == 0 else HOSTILE_IMG
    district = next(d for d in campaign.districts if d.code == "coteaux")
    district.name = HOSTILE_DISTRICT
    session.commit()


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture(scope="module")
def demo_report(app):
    """The demo campaign of ``flask demo setup`` and every output of its report."""
    from analysis.crosstab import indicator_tables

    from survey_app.campaigns.demo import setup_demo
    from survey_app.extensions import db
    from survey_app.findings.indicators import add_profiles, indicator_columns
    from survey_app.report.services import build_outputs

    with app.app_context():
        session = db.session
        try:
            setup = setup_demo(session, questionnaires_dir=QUESTIONNAIRES, responses=300)
            session.commit()
            campaign = setup.campaign
            _hostile_answers(session, campaign)
            outputs = build_outputs(session, campaign)
            session.commit()
            # the same figures computed directly with analysis, from the weights the report used
            from survey_app.report.gather import residents_sample

            sample = residents_sample(session, campaign)
            add_profiles(sample.table, sample.definition, campaign)
            specs = indicator_columns(sample.table, sample.definition)
            by = [p for p in ("district", "qpv") if p in sample.table]
            tables = indicator_tables(sample.table, sample.design, specs, by=by)
            raw = indicator_tables(sample.table, sample.design, specs, by=by, min_cell=0)
            districts = {"nsp": "Quartier non précisé", **{d.code: d.name for d in campaign.districts}}
            report = DemoReport(outputs.data, outputs.files, tables, raw, districts,
                                pdf_text(outputs.files["pdf"]))
        finally:
            empty_database(session)
            session.remove()
    return report
