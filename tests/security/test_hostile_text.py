"""A resident's hostile answer is shown as text on every staff page, never run.

Every GET page of the URL map is read by an administrator after answers holding a
script, an event handler, a ``javascript:`` link and a style injection were stored:
the markup must never come back unescaped.
"""
from sqlalchemy import update

from survey_app.models import Answer, Role

from .inventory import build_url, fixture_world

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(2)">clic</a>',
    "</textarea><style>body{display:none}</style>",
    '"><svg onload=alert(3)>',
]
HOSTILE = " ".join(PAYLOADS)
#: What may never appear raw in a page.
RAW = ["<script>alert", "onerror=\"alert", "href=\"javascript:", "<style>body{display", "<svg onload"]


def test_hostile_answers_are_inert_on_every_staff_page(app, client, db_session, create_user, create_campaign, login):
    world = fixture_world(db_session, create_user, create_campaign)
    db_session.execute(update(Answer).where(Answer.question_id == "idees").values(value_text=HOSTILE))
    db_session.commit()
    login(world["users"][Role.ADMIN])
    pages, escaped_somewhere = 0, []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        response = client.get(build_url(rule, world, world["campaign_a"]))
        response.close()
        if "html" not in response.mimetype and "svg" not in response.mimetype:
            continue  # a download (an XLSForm workbook is binary)
        body = response.get_data(as_text=True)
        pages += 1
        leaked = [raw for raw in RAW if raw in body]
        assert not leaked, (rule.rule, leaked)
        if "&lt;script&gt;alert" in body:
            escaped_somewhere.append(rule.endpoint)
    assert pages >= 10
    # The check has teeth only if some page shows the answer (the response's page does).
    assert escaped_somewhere, "no page showed the hostile answer: the test checks nothing"
    print(f"pages read: {pages}; showing the hostile answer escaped: {escaped_somewhere}")
