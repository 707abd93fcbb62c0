"""The floor: the bare app doing the survey's database work for each request, with the raw
driver and no other logic (no validation, conditions, rendering, CSRF, signed session,
ORM): same tables, same statements, same transactions, same answer rows. What the
survey cannot go below while storing every page as it does.

The SQL below is a deliberate copy, in plain text, of the statements of
``survey_app/survey/store.py`` (the floor must not run the survey's code); rows are read
by position (the first column is the draft's id). Served by gunicorn from ``bench/`` (``survey_floor_app:app``) with
``FLOOR_DB`` (``sqlite:<path>`` or a libpq string), ``FLOOR_CAMPAIGN``, ``FLOOR_VERSION``
and ``FLOOR_FEWEST`` (on PostgreSQL, the same writes in the fewest round trips).
"""
from flask import Flask, redirect, request
app = Flask(__name__)
BODY = ("<!doctype html><html><body><p>" + "x" * 90 + "</p>"
        + ("<div class=q>" + "y" * 200 + "</div>") * int(__import__("os").environ.get("BARE_DIVS", "80"))
        + "</body></html>")
@app.get("/info")
def info():
    return BODY

import hashlib, os, secrets, threading
from flask import make_response
DB = os.environ["FLOOR_DB"]
PG = not DB.startswith("sqlite:")
CAMPAIGN, VERSION = int(os.environ["FLOOR_CAMPAIGN"]), int(os.environ["FLOOR_VERSION"])
P = "%s" if PG else "?"
READ = ("SELECT r.id, r.campaign_id, r.questionnaire_version_id, r.channel, r.status, r.created_on, r.language, "
        "r.current_section, r.resume_token_hash, c.status, c.opens_on, c.closes_on, a.question_id, a.value_text, "
        "a.value_number, a.value_json, a.value_kind FROM response r JOIN campaign c ON c.id = r.campaign_id "
        "LEFT OUTER JOIN answer a ON a.response_id = r.id WHERE r.resume_token_hash = " + P)
local = threading.local()

def connection(autocommit):
    conn = getattr(local, "conn", None)
    if conn is None:
        if PG:
            import psycopg
            conn = psycopg.connect(DB)
        else:
            import sqlite3
            conn = sqlite3.connect(DB[len("sqlite:"):], timeout=15, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "busy_timeout=15000", "foreign_keys=ON", "synchronous=NORMAL"):
                conn.execute("PRAGMA " + pragma)
        local.conn = conn
    if PG:
        conn.autocommit = autocommit
    return conn

def draft(conn, for_update=False):
    token = request.cookies.get("t", "")
    cur = conn.cursor()
    cur.execute(READ + (" FOR UPDATE OF r" if PG and for_update else ""), (hashlib.sha256(token.encode()).hexdigest(),))
    rows = cur.fetchall()
    cur.close()
    return rows

FEWEST = PG and os.environ.get("FLOOR_FEWEST") == "1"

@app.post("/start")
def start():
    if FEWEST:
        return start_fewest()
    dict(request.form)
    conn = connection(False)
    token = secrets.token_hex(6)
    cur = conn.cursor()
    cur.execute("SELECT status, opens_on, closes_on FROM campaign WHERE id = " + P, (CAMPAIGN,))
    cur.fetchall()
    cur.execute("INSERT INTO response (campaign_id, questionnaire_version_id, channel, status, created_on, language, "
                "current_section, resume_token_hash) VALUES (" + ", ".join([P] * 8) + ") RETURNING id",
                (CAMPAIGN, VERSION, "web", "draft", "2026-11-22", "fr", "profil", hashlib.sha256(token.encode()).hexdigest()))
    cur.fetchall()
    cur.close()
    conn.commit()
    reply = make_response(redirect("/next"))
    reply.set_cookie("t", token, httponly=True, samesite="Lax")
    return reply

@app.post("/page")
def page():
    if FEWEST:
        return page_fewest()
    form = dict(request.form)
    conn = connection(False)
    rows = draft(conn, for_update=True)
    answers = [(rows[0][0], k, v, None, None, "text") for k, v in form.items() if k not in ("section_id", "action")]
    cur = conn.cursor()
    cur.execute("INSERT INTO answer (response_id, question_id, value_text, value_number, value_json, value_kind) VALUES "
                + ", ".join(["(" + ", ".join([P] * 6) + ")"] * len(answers)), [x for row in answers for x in row])
    cur.execute("UPDATE response SET language = " + P + ", current_section = " + P + " WHERE id = " + P,
                ("fr", form.get("section_id"), rows[0][0]))
    cur.close()
    conn.commit()
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
    draft(connection(True))
    return BODY
