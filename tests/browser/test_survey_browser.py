"""The resident's questionnaire in a real browser: Chromium on a phone-sized screen.

Runs on SQLite only (one live server for the session, see conftest.py). Every page
met is checked with axe-core (WCAG 2.1 A and AA rules) and, in the French path, at
180 CSS pixels wide (a 360 px phone at 200 % zoom) for horizontal scrolling.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import check_axe, check_zoom

pytestmark = pytest.mark.browser

#: Answers every required question still empty on the page (first choice, 1, "ok").
FILL_REQUIRED = """() => {
  for (const block of document.querySelectorAll('.q[data-q]')) {
    if (block.hidden || !block.querySelector('.req')) continue;
    const fields = [...block.querySelectorAll('input, select, textarea')].filter(f => !f.disabled && f.type !== 'hidden');
    if (fields.some(f => (f.type === 'radio' || f.type === 'checkbox') ? f.checked : f.value)) continue;
    const f = fields[0];
    if (!f) continue;
    if (f.type === 'radio' || f.type === 'checkbox') {
      const names = new Set(fields.filter(x => x.type === f.type).map(x => x.name));
      for (const name of names) fields.find(x => x.name === name).checked = true;
    } else if (f.tagName === 'SELECT') { f.selectedIndex = 1; }
    else { f.value = f.inputMode === 'numeric' || f.inputMode === 'decimal' ? '1' : 'ok'; }
    f.dispatchEvent(new Event('change', {bubbles: true}));
  }
}"""


def set_field(page, name, value):
    field = page.locator(f'[name="{name}"]').first
    kind = field.evaluate("f => f.tagName === 'SELECT' ? 'select' : f.type")
    if kind in ("radio", "checkbox"):
        page.locator(f'[name="{name}"][value="{value}"]').check()
    elif kind == "select":
        field.select_option(value)
    else:
        field.fill(value)


def go(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def answer(page, live_server, key, plan, axe_source=None, zoom=False, before_next=None):
    """Answer questionnaire ``key`` from its information page to the thank-you page; return the pages seen."""
    page.goto(f"{live_server['url']}/enquete/ville/{key}")
    checks = []
    if axe_source:
        checks.append(lambda: check_axe(page, axe_source))
    if zoom:
        checks.append(lambda: check_zoom(page))
    for check in checks:
        check()
    go(page, "#demarrer")
    seen = []
    while "/page/" in page.url:
        section = page.url.rsplit("/", 1)[1]
        assert section not in seen[-1:], (section, page.locator(".error-summary").all_inner_texts())
        seen.append(section)
        for check in checks:
            check()
        for name, value in plan.get(section, []):
            set_field(page, name, value)
        if before_next:
            before_next(section)
        page.evaluate(FILL_REQUIRED)
        go(page, 'button[value="next"]')
    assert page.url.endswith("/relecture"), page.url
    for check in checks:
        check()
    go(page, "form.survey-form button[type=submit]")
    assert page.url.endswith("/merci")
    for check in checks:
        check()
    return seen


RESIDENT_OLD = {
    "profil": [("age", "75_plus"), ("sexe", "f"), ("quartier", "plateau"), ("foyer", "couple"), ("foyer_nb", "2"),
               ("langues", "francais"), ("langues", "arabe"), ("limitation", "oui_fort"), ("occupation", "retraite")],
    "acces_soins": [("medecin_traitant", "non"), ("mt_recherche", "oui_refus"), ("renoncement", "oui"), ("renoncement_raisons", "cout")],
    "bien_etre": [("who5.calme", "3"), ("stress", "7")],
    "priorites": [("problemes_quartier", "Pas assez de médecins.")],
}


def test_resident_in_french_with_every_branch_open(page, live_server, axe_source):
    """Older person with a disability: every section shown; same-page conditions live."""

    def live_conditions(section):
        if section == "profil":
            assert page.locator("#q-langue_soins").is_visible()
            page.locator('[name="foyer"][value="seul"]').check()
            assert page.locator("#q-foyer_nb").is_hidden()
            page.locator('[name="foyer"][value="couple"]').check()
            assert page.locator("#q-foyer_nb").is_visible()
            assert page.locator(".cond-hint").first.is_hidden()  # the no-JS hint is not needed
        if section == "acces_soins":
            assert page.locator("#q-mt_depart").is_hidden() and page.locator("#q-mt_depuis").is_visible()

    seen = answer(page, live_server, "resident", RESIDENT_OLD, axe_source, zoom=True, before_next=live_conditions)
    assert "seniors" in seen and "handicap" in seen and len(seen) == 10
    assert page.locator("html").get_attribute("lang") == "fr"


def test_resident_in_english_with_branches_closed(page, live_server, axe_source):
    page.goto(f"{live_server['url']}/enquete/ville/resident")
    go(page, 'a[hreflang="en"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Start the questionnaire" in page.content()
    plan = {"profil": [("age", "25_34"), ("sexe", "h"), ("quartier", "centre"), ("foyer", "seul"), ("limitation", "non"),
                       ("langues", "francais")]}

    def english(section):
        if section == "profil":
            assert page.locator("#q-langue_soins").is_hidden() and page.locator("#q-foyer_nb").is_hidden()
            assert "How old are you?" in page.content() and "Step 1 of" in page.content()

    seen = answer(page, live_server, "resident", plan, axe_source, before_next=english)
    assert "seniors" not in seen and "handicap" not in seen and len(seen) == 8
    assert "Thank you for your answers!" in page.content()


def test_validation_errors_are_summarised_focused_and_corrected(page, live_server, axe_source):
    page.goto(f"{live_server['url']}/enquete/ville/resident")
    go(page, "#demarrer")
    go(page, 'button[value="next"]')
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.title().startswith("Erreur")
    links = page.locator("#erreurs a")
    assert links.count() == 3
    check_axe(page, axe_source)
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "f-age-0"
    assert page.locator("#e-age").is_visible()
    set_field(page, "age", "35_49")
    set_field(page, "sexe", "x")
    set_field(page, "quartier", "centre")
    set_field(page, "age", "18_24")
    set_field(page, "occupation", "retraite")  # contradicts the age: a questionnaire-wide rule
    go(page, 'button[value="next"]')
    assert "merci de vérifier votre âge" in page.locator("#erreurs").inner_text()
    set_field(page, "occupation", "etudes")
    go(page, 'button[value="next"]')
    assert page.url.endswith("/page/acces_soins")


def test_leave_and_resume_with_the_code_on_another_device(browser, page, live_server):
    page.goto(f"{live_server['url']}/enquete/ville/mini")
    go(page, "#demarrer")
    page.locator('[name="fume"][value="oui"]').check()
    page.locator('[name="cigarettes"]').fill("5")
    go(page, 'button[value="later"]')
    code = page.locator("#code-reprise").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    other = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        phone = other.new_page()
        phone.goto(f"{live_server['url']}/enquete/ville/mini/reprendre")
        phone.locator("#f-code").fill("zzzz-zzzz-zzzz")
        go(phone, "form button[type=submit]")
        assert phone.evaluate("document.activeElement.id") == "erreurs"
        phone.locator("#f-code").fill(code.lower().replace("-", " "))
        go(phone, "form button[type=submit]")
        assert phone.url.endswith("/page/un")
        assert phone.locator('[name="cigarettes"]').input_value() == "5"
        assert phone.locator('[name="fume"][value="oui"]').is_checked()
    finally:
        other.close()
    # the resume link: the code after "#" is put in the field, the visitor presses the button
    link = page.locator('a[href*="/reprendre#"]').get_attribute("href")
    assert link.endswith("#" + code) and "code=" not in link
    third = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        tablet = third.new_page()
        tablet.goto(link)
        assert tablet.locator("#f-code").input_value() == code
        assert "#" not in tablet.url  # the code no longer shows in the address bar
        assert "/page/" not in tablet.url  # nothing attached before the visitor's action
        go(tablet, "form button[type=submit]")
        assert tablet.url.endswith("/page/un")
        assert tablet.locator('[name="cigarettes"]').input_value() == "5"
    finally:
        third.close()


def test_going_offline_keeps_the_answers_and_says_so(page, context, live_server):
    page.goto(f"{live_server['url']}/enquete/ville/mini")
    go(page, "#demarrer")
    page.locator('[name="fume"][value="oui"]').check()
    page.locator('[name="cigarettes"]').fill("12")
    context.set_offline(True)
    page.locator('button[value="next"]').click()
    message = page.locator("#hors-ligne")
    message.wait_for(state="visible")
    assert "Rien n’est perdu" in message.inner_text()
    assert page.url.endswith("/page/un")
    assert page.locator('[name="cigarettes"]').input_value() == "12"
    context.set_offline(False)
    go(page, 'button[value="next"]')
    assert page.url.endswith("/page/deux")


def test_mini_questionnaire_in_arabic_is_right_to_left_and_accessible(page, live_server, axe_source):
    page.goto(f"{live_server['url']}/enquete/ville/mini?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"

    def widgets(section):
        if section == "trois":
            assert page.locator("#q-note_bruit").is_hidden()
            page.locator('[name="gene.bruit"][value="beaucoup"]').check()
            assert page.locator("#q-note_bruit").is_visible()
            page.locator('[name="note_bruit"][value="9"]').check()

    plan = {"un": [("fume", "oui"), ("cigarettes", "3"), ("sports", "autre"), ("sports__autre", "Danse"), ("poids", "70,5")],
            "deux": [("arret", "oui"), ("depuis", "2010-01-02")],
            "trois": [("priorites.1", "air"), ("quartier", "plateau"), ("idees", "Des bancs")]}
    seen = answer(page, live_server, "mini", plan, axe_source, zoom=True, before_next=widgets)
    assert seen == ["un", "deux", "trois"]


def test_other_questionnaires_are_accessible(page, live_server, axe_source):
    others = [key for key in live_server["keys"] if key not in ("resident", "mini")]
    if not others:
        pytest.skip("no other questionnaire file in questionnaires/ yet")
    for key in others:
        answer(page, live_server, key, {}, axe_source)


def test_keyboard_alone_completes_the_resident_questionnaire(page, live_server):
    """Tab to move, Space to choose, Enter to press; the arrow key only inside the district list."""
    page.goto(f"{live_server['url']}/enquete/ville/resident")
    key_to(page, lambda e: e["id"] == "demarrer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages = 0
    while "/page/" in page.url:
        pages += 1
        answered = set()

        def act(e):
            name = e["name"]
            if e["type"] in ("radio", "checkbox") and name not in answered:
                answered.add(name)
                if not e["groupChecked"]:
                    page.keyboard.press("Space")
            elif e["tag"] == "SELECT" and not e["value"] and e["required"]:
                page.keyboard.press("ArrowDown")
            return e["tag"] == "BUTTON" and e["value"] == "next"

        key_to(page, act)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert pages < 15
    assert page.url.endswith("/relecture")
    key_to(page, lambda e: e["tag"] == "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/merci")


FOCUSED = """() => {
  const e = document.activeElement;
  const group = e.name ? [...document.getElementsByName(e.name)] : [];
  const block = e.closest ? e.closest('.q') : null;
  return {tag: e.tagName, id: e.id, type: e.type || '', name: e.name || '', value: e.value || '',
          groupChecked: group.some(x => x.checked), required: !!(block && block.querySelector('.req'))};
}"""


def key_to(page, stop, limit=600):
    """Press Tab until ``stop(focused element)`` is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if stop(page.evaluate(FOCUSED)):
            return
    raise AssertionError(f"focus never reached the target on {page.url}")
