"""The benchmark's baseline: a bare Flask app doing the same HTTP work as a resident's pages
(POST of the same form, parsed → 302 → GET of a page of about the size of a questionnaire page).

Served by gunicorn from ``bench/`` (``survey_bare_app:app``); ``BARE_DIVS`` sets the page size.
"""
from flask import Flask, redirect, request
app = Flask(__name__)
BODY = ("<!doctype html><html><body><p>" + "x" * 90 + "</p>"
        + ("<div class=q>" + "y" * 200 + "</div>") * int(__import__("os").environ.get("BARE_DIVS", "80"))
        + "</body></html>")
@app.get("/info")
def info():
    return BODY
@app.post("/start")
def start():
    dict(request.form)
    return redirect("/next")
@app.post("/page")
def page():
    dict(request.form)
    return redirect("/next")
# The fewest round trips to PostgreSQL: no transaction blocks, each write one statement.
def start_fewest():
    dict(request.form)
    token = secrets.token_hex(6)
    cur = connection(True).cursor()
    cur.execute("INSERT INTO response (campaign_id, questionnaire_version_id, channel, status, created_on, language, "
                "current_section, resume_token_hash) SELECT id, %s, 'web', 'draft', current_date, 'fr', 'profil', %s "
                "FROM campaign WHERE id = %s AND status = 'open' RETURNING id",
                (VERSION, hashlib.sha256(token.encode()).hexdigest(), CAMPAIGN))
    cur.fetchall()
    cur.close()
    reply = make_response(redirect("/next"))
    reply.set_cookie("t", token, httponly=True, samesite="Lax")
    return reply

def page_fewest():
    form = dict(request.form)
    conn = connection(True)
    rows = draft(conn)
    answers = [(k, v) for k, v in form.items() if k not in ("section_id", "action")]
    cur = conn.cursor()
    cur.execute("WITH d AS (UPDATE response SET language = 'fr', current_section = %s WHERE id = %s "
                "AND status = 'draft' RETURNING id) INSERT INTO answer (response_id, question_id, value_text, value_kind) "
                "SELECT d.id, v.q, v.t, 'text' FROM d, (VALUES " + ", ".join(["(%s, %s)"] * len(answers)) + ") AS v(q, t)",
                [form.get("section_id"), rows[0][0]] + [x for row in answers for x in row])
    cur.close()
    return redirect("/next")

@app.get("/next")
def next_page():
    return BODY
