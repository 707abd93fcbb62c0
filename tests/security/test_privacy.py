"""After a resident's web submission, nothing in the database tells who, from where or exactly when.

Every table and every column is read back: no IP address, no user agent, and no
time of day stored with a response (dates only) — in the response's own table, in
every table that refers to a response, and in the audit trail.
"""
import datetime as dt
import re

from sqlalchemy import select

from survey_app.campaigns import questionnaires
from survey_app.extensions import db
from survey_app.models import Response, ResponseStatus
from tests.survey.test_survey import BASE, MINI, html, post_page, start, version_id

ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "NavigateurTemoin/9.9 (Sonde-Vie-Privee; Android 4.4)"
TIME_OF_DAY = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _submit(client):
    assert start(client).endswith("/page/un")
    post_page(client, "mini", "un", {"fume": "oui", "cigarettes": "12", "sports": ["marche"], "poids": "72,5"})
    post_page(client, "mini", "deux", {"arret": "oui", "depuis": "2001-05-04"})
    post_page(client, "mini", "trois", {"gene.bruit": "beaucoup", "gene.air": "non", "note_bruit": "8", "priorites.1": "air",
                                        "priorites.2": "medecins", "quartier": "sud", "idees": "Plus de bancs", "surnom": "ok"})
    review = html(client.get(f"{BASE}/mini/relecture"))
    response = client.post(f"{BASE}/mini/relecture", data={"version_id": version_id(review)})
    assert response.headers["Location"].endswith("/merci")


def _tables_about_responses():
    """The response table and every table with a foreign key to it (directly)."""
    tables = []
    for table in db.metadata.sorted_tables:
        if table.name == "response" or any(fk.column.table.name == "response" for fk in table.foreign_keys):
            tables.append(table)
    return tables


def test_a_web_submission_stores_no_address_no_browser_and_no_time_of_day(client, create_campaign, db_session):
    campaign = create_campaign("ville-test")
    questionnaires.load_file(db_session, campaign, MINI)
    db_session.commit()
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": FORWARDED})
    _submit(client)
    db_session.expire_all()
    response = db_session.scalars(select(Response)).one()
    assert response.status is ResponseStatus.COMPLETE

    # 1. Nowhere, in any table, the address, the forwarded address or the browser.
    fragments = [ADDRESS, FORWARDED, "NavigateurTemoin", "Sonde-Vie-Privee", "Android 4.4"]
    found = []
    for table in db.metadata.sorted_tables:
        for row in db_session.execute(select(table)).mappings():
            for column, value in row.items():
                text = repr(value)
                found += [(table.name, column, fragment) for fragment in fragments if fragment in text]
    assert not found, found

    # 2. With responses: dates, never a time of day.
    about = _tables_about_responses()
    assert {"response", "answer"} <= {table.name for table in about}
    for table in about:
        for row in db_session.execute(select(table)).mappings():
            for column, value in row.items():
                assert not isinstance(value, dt.datetime), (table.name, column, value)
                assert not (isinstance(value, str) and TIME_OF_DAY.search(value)), (table.name, column, value)

    # 3. The audit trail holds no timed event about a resident's response.
    from survey_app.models import AuditEvent

    events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "response")).all()
    assert events == []


def test_the_schema_has_no_column_for_an_address_or_a_browser():
    names = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns}
    suspicious = [name for name in names if re.search(r"(^|_)(ip|ip_address|remote_addr|user_agent|useragent|browser)($|_)", name[1])]
    assert not suspicious, suspicious
