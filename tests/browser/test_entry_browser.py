"""Paper entry in Chromium at desktop size: keying with the keyboard alone, double entry, reconciliation.

Its own live server (SQLite, CSRF on) over the demo campaign, two agents and a
coordinator. The scripted agent counts its keystrokes for the demo's resident form
against the ideal (one code per answer plus one key to move on); every entry and
reconciliation page is checked with axe-core (WCAG 2.1 A and AA).
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import QUESTIONNAIRES
from tests.browser.helpers import DESKTOP, PASSWORD, check_axe, live_app, serve

pytestmark = pytest.mark.browser

#: The path keyed through the demo's resident form (definition codes); other questions get
#: their first option. « seul » and « non » skip branches (foyer_nb, mt_depart…).
PLAN = {
    "age": "75_plus", "sexe": "f", "quartier": "plateau", "foyer": "seul", "couverture": "secu_seule",
    "langues": ["francais"], "limitation": "oui_fort", "medecin_traitant": "non", "mt_recherche": "oui_refus",
    "renoncement": "oui", "renoncement_soins": ["dentaire", "optique"], "renoncement_raisons": ["cout", "delai"],
    "urgences": "1", "stress": 7, "besoin_psy": "oui", "activite_jours": 1, "tabac": "jamais",
    "aidant": "non", "problemes_quartier": "Pas assez de médecins", "aide_prendre_soin": "Un centre de santé",
    "propositions": "Des permanences", "participation": "non", "difficultes_specialistes": ["dentiste", "psy"],
    "priorites_ville": ["medecins", "sante_mentale", "logement"],
}
#: Counts mouse and pointer events in every page of the context (there must be none).
NO_MOUSE = """
for (const type of ['mousedown', 'mouseup', 'pointerdown', 'click']) {
  window.addEventListener(type, (e) => { if (e.isTrusted && (e.detail > 0 || type !== 'click')) {
    sessionStorage.setItem('mouse', String(Number(sessionStorage.getItem('mouse') || 0) + 1)); } }, true);
}
"""
LAST_FIELD = """() => {
  const list = [...document.querySelectorAll('.eq-input')].filter(f => !f.disabled && !f.closest('[hidden]'));
  return list.length > 0 && list[list.length - 1] === document.activeElement;
}"""


@pytest.fixture(scope="module")
def entry_server(tmp_path_factory):
    from survey_app.accounts import services as users
    from survey_app.campaigns import demo, questionnaires, services as campaigns
    from survey_app.extensions import db

    app = live_app(tmp_path_factory.mktemp("entry-browser") / "live.sqlite3")
    people = {}
    with app.app_context():
        campaign = demo.setup_demo(db.session, responses=0, questionnaires_dir=QUESTIONNAIRES).campaign
        for key, role in (("agent1", "agent"), ("agent2", "agent"), ("coordinator", "coordinator")):
            user = users.create_user(db.session, f"{key}@ville.test", PASSWORD, role, display_name=key.title())
            campaigns.add_member(db.session, campaign, user)
            people[key] = f"{key}@ville.test"
        version = questionnaires.current_version(db.session, campaign, "resident")
        definition = questionnaires.definition_of(version)
        districts = tuple({"code": d.code, "name": d.name} for d in campaign.districts)
        slug, version_id = campaign.slug, version.id
        db.session.commit()
    with serve(app) as url:
        yield {"url": url, "slug": slug, "people": people,
               "definition": definition, "districts": districts, "app": app, "version_id": version_id}


@pytest.fixture()
def desk(browser):
    contexts = []

    def open_as(who, server):
        ctx = browser.new_context(**DESKTOP)
        ctx.set_default_timeout(15_000)
        ctx.add_init_script(NO_MOUSE)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{server['url']}/connexion")
        page.fill('input[name="email"]', server["people"][who])
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return page

    yield open_as
    for ctx in contexts:
        ctx.close()


class Agent:
    """A scripted agent: only keyboard events, each key counted."""

    def __init__(self, page, server):
        self.page, self.server, self.keys, self.ideal = page, server, 0, 0

    def type(self, text: str):
        # keys typed before the page's autofocus has run would go to the body and be lost
        self.active()
        self.page.keyboard.type(text)
        self.keys += len(text)

    def press(self, key: str, navigates: bool = False):
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)
        self.keys += 1

    def text_for(self, name: str, plan: dict) -> str:
        from survey_app.entry import codes

        definition, districts = self.server["definition"], self.server["districts"]
        if name.endswith("__autre"):
            return "Précision"
        qid, _, row = name.partition(".")
        question = definition.questions[qid]
        value = plan.get(name, plan.get(qid))
        if value is None:
            if question.type in codes.CODED_TYPES:
                first = question.options_for(districts)[0].code
                value = [first] if question.type in ("multiple", "ranking") else first
            elif question.type in ("integer", "scale", "year", "decimal"):
                value = question.min if question.min is not None else 1
            else:
                value = "Rien à ajouter"
        if row and isinstance(value, dict):
            value = value[row]
        return codes.encode(question, value, districts)

    def active(self) -> str:
        # autofocus runs at the first rendering after load: wait for it
        self.page.wait_for_function("document.activeElement && document.activeElement.name", timeout=5000)
        return self.page.evaluate("document.activeElement ? (document.activeElement.name || '') : ''")

    def key_form(self, serial: str, plan: dict, *, on_page=None, limit: int = 400) -> list[str]:
        """Key a whole form from the start page; return the questions keyed, in order."""
        assert self.active() == "serial"
        self.type(serial)
        self.press("Enter", navigates=True)
        keyed = []
        for _ in range(limit):
            if on_page:
                on_page(self)
            name = self.active()
            if name == "serial":
                return keyed
            assert name.startswith("k-"), (self.page.url, name)
            field = name[2:]
            text = self.text_for(field, plan)
            if not self.page.locator(f'[name="{name}"]').input_value():
                self.type(text)
                self.ideal += len(text) + 1
                keyed.append(field)
            self.press("Enter", navigates=self.page.evaluate(LAST_FIELD))
        raise AssertionError("the form never ended")

    def mouse_events(self) -> int:
        return int(self.page.evaluate("Number(sessionStorage.getItem('mouse') || 0)"))


def test_an_agent_keys_the_resident_form_with_the_keyboard_alone(desk, entry_server, axe_source):
    page = desk("agent1", entry_server)
    page.goto(f"{entry_server['url']}/saisie/{entry_server['slug']}/")
    check_axe(page, axe_source)
    agent = Agent(page, entry_server)
    seen_pages = []

    def on_page(agent):
        heading = page.locator("h1").inner_text()
        if heading not in seen_pages:
            seen_pages.append(heading)
            check_axe(page, axe_source)
        if agent.active() == "k-occupation" and "k-foyer" not in skipped:
            skipped.add("k-foyer")
            # « Seul(e) » hides the two household-size questions on this very page
            assert page.locator("#q-foyer_nb").is_hidden() and page.locator("#q-foyer_enfants").is_hidden()

    skipped: set = set()
    keyed = agent.key_form("B-1001", PLAN, on_page=on_page)
    flash = page.locator(".flash-success").inner_text()
    assert "Questionnaire n° B1001 enregistré." in flash, flash
    assert page.locator("#compte-jour strong").inner_text() == "1"
    assert "mt_depart" not in keyed and "foyer_nb" not in keyed and "langue_soins" not in keyed
    assert "mt_recherche" in keyed and "reconnaissance_handicap" in keyed  # the branches opened are keyed
    assert len(seen_pages) >= 8
    assert agent.mouse_events() == 0
    ratio = agent.keys / agent.ideal
    answers_only = (agent.keys - len("B-1001") - 1) / agent.ideal
    print(f"\nKeystrokes for the demo's resident form: {agent.keys} pressed, ideal {agent.ideal} "
          f"({len(keyed)} answers) -> {ratio:.3f} x the ideal, serial included; {answers_only:.3f} x without it")
    assert ratio <= 1.3

    with entry_server["app"].app_context():
        from sqlalchemy import select

        from survey_app.extensions import db
        from survey_app.models import PaperForm

        form = db.session.scalar(select(PaperForm).where(PaperForm.keyed_serial == "B1001"))
        answers = form.response.answers_dict()
        assert answers["medecin_traitant"] == "non" and answers["foyer"] == "seul" and "foyer_nb" not in answers
        assert answers["renoncement_raisons"] == ["cout", "delai"] and answers["stress"] == 7


def test_a_validation_error_is_shown_and_corrected_with_the_keyboard(desk, entry_server, axe_source):
    page = desk("agent2", entry_server)
    page.goto(f"{entry_server['url']}/saisie/{entry_server['slug']}/")
    agent = Agent(page, entry_server)
    agent.type("b 1002")
    agent.press("Enter", navigates=True)
    agent.type("9")  # age: no such code
    agent.press("Enter")
    assert "code inconnu" in page.locator("#q-age .echo").inner_text()
    while not page.evaluate(LAST_FIELD):
        agent.press("Enter")  # the other questions of the page left empty
    agent.press("Enter", navigates=True)
    summary = page.locator(".error-summary")
    assert "« 9 » n'est pas un choix possible (choix : 1, 2, 3, 4, 5, 6)." in summary.inner_text()
    assert "Réponse obligatoire." in summary.inner_text()
    assert agent.active() == "k-age"  # the first answer to correct has the focus
    check_axe(page, axe_source)
    agent.type("6")  # the wrong code is selected: typing replaces it
    agent.press("Enter")
    plan = dict(PLAN)
    for _ in range(200):
        name = agent.active()
        if name == "serial":
            break
        assert name.startswith("k-"), (name, page.locator(".error-summary").all_inner_texts())
        text = agent.text_for(name[2:], plan)
        if not page.locator(f'[name="{name}"]').input_value():
            agent.type(text)
        agent.press("Enter", navigates=page.evaluate(LAST_FIELD))
    assert agent.active() == "serial", (page.url, page.locator("h1").inner_text(), page.locator(".error-summary").all_inner_texts())
    assert "Questionnaire n° B1002 enregistré." in page.locator(".flash-success").inner_text()
    assert agent.mouse_events() == 0


def test_double_entry_by_two_agents_is_reconciled_from_the_paper(desk, entry_server, axe_source):
    slug, url = entry_server["slug"], entry_server["url"]
    coordinator = desk("coordinator", entry_server)
    coordinator.goto(f"{url}/saisie/{slug}/reglages")
    check_axe(coordinator, axe_source)
    coordinator.check('input[name="de-mode"][value="all"]')
    with coordinator.expect_navigation():
        coordinator.locator('form:has(input[name="de-mode"]) button[type=submit]').click()
    # a form keyed once before the rule may add its own message (it now waits for a second entry)
    assert "double saisie est enregistrée" in coordinator.locator(".flash-success").first.inner_text()

    first = desk("agent1", entry_server)
    first.goto(f"{url}/saisie/{slug}/")
    Agent(first, entry_server).key_form("C-2001", PLAN)
    assert "Questionnaire n° C2001 enregistré." in first.locator(".flash-success").inner_text()
    first.keyboard.type("c2001")
    with first.expect_navigation():
        first.keyboard.press("Enter")
    assert "la seconde saisie doit être faite par un autre agent" in first.locator(".error-summary").inner_text()

    second = desk("agent2", entry_server)
    second.goto(f"{url}/saisie/{slug}/")
    second_agent = Agent(second, entry_server)

    rounds = []

    def blind(agent):
        if second.locator(".entry-round").count():
            rounds.append(second.locator(".entry-round").inner_text())

    second_agent.key_form("c 2001", dict(PLAN, etat_sante="5", sexe="h"), on_page=blind)
    assert rounds and set(rounds) == {"seconde saisie"}
    assert "des différences avec la première saisie" in second.locator(".flash-success").inner_text()

    coordinator.goto(f"{url}/saisie/{slug}/rapprochement")
    check_axe(coordinator, axe_source)
    with coordinator.expect_navigation():
        coordinator.locator("ul.reconcile-list a").first.click()
    check_axe(coordinator, axe_source)
    sections = coordinator.locator("main form section")
    assert sections.count() == 2
    assert "Lire le questionnaire papier" in coordinator.locator(".notice").inner_text()
    text = coordinator.locator("main form").inner_text()
    assert "f Une femme" in text and "h Un homme" in text and "1 Très bon" in text and "5 Très mauvais" in text
    coordinator.fill("#p-sexe", "f")
    coordinator.fill("#reason-sexe", "Case « Une femme » cochée sur le papier")
    coordinator.fill("#p-etat_sante", "3")  # the paper says « Assez bon »: neither entry
    with coordinator.expect_navigation():
        coordinator.locator("main form button[type=submit]").click()
    assert "rapproché et validé" in coordinator.locator(".flash-success").inner_text()

    coordinator.goto(f"{url}/saisie/{slug}/questionnaires")
    with coordinator.expect_navigation():
        coordinator.get_by_role("link", name="C2001").click()
    check_axe(coordinator, axe_source)
    assert coordinator.locator("#etat").inner_text() == "validé : dans l'analyse"
    trail = coordinator.locator("table.change-log").inner_text()
    assert "Case « Une femme » cochée sur le papier" in trail and "Lu sur le questionnaire papier" in trail
    assert "Coordinator" in trail and "rapprochement" in trail and "validation" in trail
    assert "3 Assez bon" in trail
    with entry_server["app"].app_context():
        from sqlalchemy import select

        from survey_app.extensions import db
        from survey_app.models import PaperForm, ResponseStatus

        form = db.session.scalar(select(PaperForm).where(PaperForm.keyed_serial == "C2001"))
        assert form.response.status is ResponseStatus.VALIDATED
        assert form.response.answers_dict()["etat_sante"] == "3" and form.response.answers_dict()["sexe"] == "f"
        # both entries kept as keyed, beside the validated response
        assert (form.entry(1).answers["etat_sante"], form.entry(2).answers["etat_sante"]) == ("1", "5")
        assert (form.entry(1).answers["sexe"], form.entry(2).answers["sexe"]) == ("f", "h")
