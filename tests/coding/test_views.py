"""The coding screen: reading answers, accepting or correcting themes, results pages, access."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from survey_app.models import AnswerCoding, AuditEvent, Codebook
from survey_app.coding import services as coding

from .test_services import coding_demo, set_text  # noqa: F401  (fixture)


def url(campaign, path: str = "") -> str:
    return f"/espace/campagnes/{campaign.slug}/codage/{path}"


def shown_answer(page: str) -> str:
    return re.search(r'name="answer_id" value="([^"]+)"', page).group(1)


def test_screen_shows_the_next_answer_with_its_proposals_ticked(client, login, coding_demo, db_session):  # noqa: F811
    login(coding_demo.first)
    page = client.get(f"/espace/campagnes/{coding_demo.campaign.slug}").get_data(as_text=True)
    assert f'<a href="{url(coding_demo.campaign)}">Lire et coder les réponses libres</a>' in page
    reply = client.get(url(coding_demo.campaign))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    answer = coding.next_answer(db_session, coding_demo.campaign, coding_demo.first)
    assert shown_answer(page) == answer.answer_id
    for key in answer.proposed:
        assert re.search(rf'id="theme-{key}" name="theme" value="{key}" checked', page)
        assert f'<label for="theme-{key}">' in page
    assert 'data-shortcut="1"' in page and 'data-shortcut="10"' not in page
    assert "confiance" in page and "Couverture automatique" in page and "Non codable" in page
    assert "coding.js" in page and 'name="csrf_token"' in page


def test_accepting_and_correcting_store_human_codings(client, login, coding_demo, db_session):  # noqa: F811
    campaign, coordinator = coding_demo.campaign, coding_demo.first
    login(coordinator)
    first = shown_answer(client.get(url(campaign)).get_data(as_text=True))
    proposed = coding.answer_to_check(db_session, campaign, first, coding.coder_state(db_session, campaign)).proposed
    reply = client.post(url(campaign, "coder"), data={"answer_id": first, "seen": "0", "action": "accept",
                                                      "theme": proposed})
    assert reply.status_code == 302
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Codage enregistré" in page and shown_answer(page) != first
    second = shown_answer(page)
    client.post(url(campaign, "coder"), data={"answer_id": second, "seen": "0", "action": "none", "theme": ["logement"]})
    rows = db_session.scalars(select(AnswerCoding).order_by(AnswerCoding.id)).all()
    assert [(r.source, r.coder_id) for r in rows] == [("human", coordinator.id)] * 2
    assert rows[0].themes == proposed and rows[1].themes == []  # "non codable" wins over ticked boxes
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "coding.record")) == 2


def test_validating_with_no_theme_ticked_is_refused_and_non_codable_still_works(client, login, coding_demo, db_session):  # noqa: F811,E501
    """« Valider ces thèmes » with nothing ticked stores nothing and keeps the answer on screen;
    « Non codable » (with or without boxes ticked) stores the answer without a theme."""
    campaign = coding_demo.campaign
    login(coding_demo.first)
    answer = shown_answer(client.get(url(campaign)).get_data(as_text=True))
    for data in ({"answer_id": answer, "seen": "0", "action": "accept"},
                 {"answer_id": answer, "seen": "0", "action": "accept", "theme": [""]},
                 {"answer_id": answer, "seen": "0"}):
        reply = client.post(url(campaign, "coder"), data=data)
        assert reply.status_code == 302 and "reponse=" in reply.headers["Location"], data
        page = html.unescape(client.get(reply.headers["Location"]).get_data(as_text=True))
        assert "Aucun thème n'est coché" in page and "« Non codable »" in page, data
        assert "Codage enregistré" not in page and shown_answer(page) == answer, data
    assert db_session.scalar(select(func.count()).select_from(AnswerCoding)) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "coding.record")) == 0
    reply = client.post(url(campaign, "coder"), data={"answer_id": answer, "seen": "0", "action": "none"},
                        follow_redirects=True)
    assert "Codage enregistré" in reply.get_data(as_text=True)
    assert [r.themes for r in db_session.scalars(select(AnswerCoding))] == [[]]


def test_free_text_is_escaped(client, login, coding_demo, db_session):  # noqa: F811
    campaign = coding_demo.campaign
    frame = coding.coding_answers(db_session, campaign).frame
    response_id, question_id = int(frame["response_id"].iat[0]), frame["question_id"].iat[0]
    set_text(db_session, response_id, question_id, '<script>alert("piège")</script> pas de médecin traitant')
    login(coding_demo.first)
    page = client.get(url(campaign), query_string={"reponse": f"{response_id}:{question_id}"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;piège&#34;)&lt;/script&gt; pas de médecin traitant" in page
    assert '<script>alert("piège")' not in page


def test_bad_input_gets_a_clear_french_message_never_a_server_error(client, login, coding_demo, db_session):  # noqa: F811
    campaign, first, second = coding_demo.campaign, coding_demo.first, coding_demo.second
    login(first)
    answer = shown_answer(client.get(url(campaign)).get_data(as_text=True))
    cases = [
        ({"answer_id": answer, "theme": ["inexistant"]}, "n'est pas dans la grille de codage"),
        ({"answer_id": "999999:propositions", "theme": ["logement"]}, "n'existe pas ou n'est plus à coder"),
        ({"answer_id": "n'importe quoi", "theme": ["logement"]}, "n'existe pas ou n'est plus à coder"),
        ({"theme": ["logement"]}, "Aucune réponse indiquée"),
        ({"answer_id": answer, "seen": "pas un nombre", "theme": ["logement", "logement"]}, "Codage enregistré"),
    ]
    for data, message in cases:
        reply = client.post(url(campaign, "coder"), data=data, follow_redirects=True)
        assert reply.status_code == 200 and message in html.unescape(reply.get_data(as_text=True)), data
    # stale: the second coordinator corrects the answer while the first is reading it
    response_id, question_id = coding.parse_answer_id(answer)
    seen = coding.latest_human_id(db_session, campaign, response_id, question_id)
    coding.record_coding(db_session, campaign, second, response_id, question_id, ["environnement"])
    db_session.commit()
    reply = client.post(url(campaign, "coder"), data={"answer_id": answer, "seen": str(seen), "theme": ["transport_mobilite"]},
                        follow_redirects=True)
    assert "codée par une autre personne" in reply.get_data(as_text=True)
    assert client.get(url(campaign), query_string={"reponse": "1:inconnue"}).status_code == 200
    assert client.get(url(campaign), query_string={"question": "inconnue"}).status_code == 200


def test_kappa_is_shown_when_two_coordinators_code_the_same_answers(client, login, coding_demo, db_session):  # noqa: F811
    campaign = coding_demo.campaign
    login(coding_demo.first)
    coded = {}
    for theme in ("logement", "environnement", "sante_mentale"):
        answer = shown_answer(client.get(url(campaign)).get_data(as_text=True))
        client.post(url(campaign, "coder"), data={"answer_id": answer, "theme": [theme]})
        coded[answer] = theme
    assert "Accord entre codeurs" not in client.get(url(campaign)).get_data(as_text=True)
    client.post("/deconnexion")
    login(coding_demo.second)
    for i in range(3):
        page = client.get(url(campaign), query_string={"double": "1"}).get_data(as_text=True)
        answer = shown_answer(page)
        assert answer in coded and "checked" not in page.split('id="coding-form"')[1].split("</fieldset>")[0]
        theme = coded[answer] if i else "transport_mobilite"  # they disagree on one answer
        client.post(url(campaign, "coder"), data={"answer_id": answer, "theme": [theme], "double": "1"})
    page = client.get(url(campaign)).get_data(as_text=True)
    assert "Accord entre codeurs" in page and "Kappa de Cohen" in page
    assert f"{coding_demo.first.display_name} et {coding_demo.second.display_name} ont codé 3 réponses en commun" in page
    assert "Thème principal" in page and "67 %" in page  # 2 of 3 main themes agree


def test_a_theme_added_from_an_answer_updates_the_codebook(client, login, coding_demo, db_session):  # noqa: F811
    campaign = coding_demo.campaign
    login(coding_demo.first)
    answer = shown_answer(client.get(url(campaign)).get_data(as_text=True))
    refused = client.post(url(campaign, "themes"), data={"key": "Mauvaise Clé", "label": "", "axis": "nulle", "terms": "",
                                                         "answer_id": answer}, follow_redirects=True)
    page = html.unescape(refused.get_data(as_text=True))
    assert "Le thème n'a pas été ajouté" in page and "axe inconnu" in page and "libellé" in page
    reply = client.post(url(campaign, "themes"), data={"key": "animaux_errants", "label": "Animaux errants",
                                                       "axis": "prevention_environnement", "terms": "chats errants, pigeons",
                                                       "answer_id": answer, "code_answer": "1"}, follow_redirects=True)
    assert "Thème « animaux_errants » ajouté" in reply.get_data(as_text=True)
    stored = db_session.scalar(select(Codebook)).definition
    assert stored["themes"][-1]["key"] == "animaux_errants"
    coded = db_session.scalar(select(AnswerCoding).where(AnswerCoding.source == "human"))
    assert coded.themes == ["animaux_errants"] and f"{coded.response_id}:{coded.question_id}" == answer
    page = client.get(url(campaign), query_string={"reponse": answer}).get_data(as_text=True)
    assert 'value="animaux_errants" checked' in page
    download = client.get(url(campaign, "grille.yaml"))
    assert download.status_code == 200 and "animaux_errants" in download.get_data(as_text=True)


def test_results_pages_and_automatic_coding(client, login, coding_demo, db_session):  # noqa: F811
    campaign = coding_demo.campaign
    login(coding_demo.first)
    reply = client.post(url(campaign, "automatique"), follow_redirects=True)
    assert "Codage automatique enregistré" in reply.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(AnswerCoding).where(AnswerCoding.source == "auto")) > 0
    shares = client.get(url(campaign, "parts"))
    page = shares.get_data(as_text=True)
    assert shares.status_code == 200 and "calage" in page and "n.p." in page
    assert all(d.name in page for d in campaign.districts)
    # the columns in the campaign's order of districts, « Quartier non précisé » last
    import html as html_module
    import re as re_module

    header = html_module.unescape(page[page.index("<thead>"):page.index("</thead>")])
    columns = re_module.findall(r'<th scope="col">([^<]*)</th>', header)
    names = [d.name for d in campaign.districts]
    assert [c for c in columns if c in names] == [n for n in names if n in columns]
    if "Quartier non précisé" in columns:
        assert columns[-1] == "Quartier non précisé"
    emerging = client.get(url(campaign, "themes-emergents"))
    assert emerging.status_code == 200 and "Thèmes émergents" in emerging.get_data(as_text=True)


def test_a_campaign_without_answers_says_so(client, login, create_user, create_campaign):
    coordinator = create_user("coordinator")
    campaign = create_campaign("sans-reponses", members=[coordinator])
    login(coordinator)
    for path in ("", "parts", "themes-emergents"):
        reply = client.get(url(campaign, path))
        page = html.unescape(reply.get_data(as_text=True))
        assert reply.status_code == 200 and "Le codage n'est pas possible" in page and "« resident » n'est pas chargé" in page


@pytest.mark.parametrize("path,method", [("", "get"), ("coder", "post"), ("parts", "get"), ("themes", "post")])
def test_agents_are_refused_and_other_campaigns_are_hidden(client, login, create_user, create_campaign, path, method):
    agent, outsider = create_user("agent"), create_user("coordinator")
    campaign = create_campaign("codage-acces", members=[agent])
    create_campaign("autre-ville", members=[outsider])
    login(agent)
    assert getattr(client, method)(url(campaign, path)).status_code == 403
    client.post("/deconnexion")
    login(outsider)
    assert getattr(client, method)(url(campaign, path)).status_code == 404


def test_screen_shows_the_facet_and_why_and_a_rejected_term_changes_the_coding(client, login, coding_demo, db_session):  # noqa: F811
    campaign = coding_demo.campaign
    frame = coding.coding_answers(db_session, campaign).frame
    response_id, question_id = int(frame["response_id"].iat[1]), frame["question_id"].iat[1]
    set_text(db_session, response_id, question_id, "chez les jeunes du quartier tout est moisi")
    answer = f"{response_id}:{question_id}"
    login(coding_demo.first)
    page = html.unescape(client.get(url(campaign), query_string={"reponse": answer}).get_data(as_text=True))
    assert shown_answer(page) == answer
    # the need and the population concerned, apart
    facets = page[page.index('id="facets"'):page.index("</dl>", page.index('id="facets"'))]
    assert "Besoin exprimé" in facets and "Logement" in facets
    assert "Population concernée" in facets and "Jeunes et enfants" in facets
    # why: the term of the population, the unseen word near "moisissure" with its similarity
    why = page[page.index('id="pourquoi"'):]
    assert "Pourquoi ce thème ?" in why
    assert "« jeune » (poids 1,0)" in why
    near = re.search(r"« (moisi\w*) » ≈ « moisissure » \(similarité (\d,\d\d)\)", why)
    assert near, why[:3000]
    assert "Classifieur entraîné sur vos codages" in why and "pas encore entraîné" in why
    assert 'aria-label="« jeune » ne convient pas pour le thème « Jeunes et enfants »"' in why
    state = coding.coder_state(db_session, campaign)
    assert coding.answer_to_check(db_session, campaign, answer, state).proposed[0] == "logement"

    # "ce terme ne convient pas pour ce thème": the campaign's codebook learns it
    reply = client.post(url(campaign, "terme-refuse"), data={
        "answer_id": answer, "theme": "logement", "term": near.group(1)}, follow_redirects=True)
    page = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 200 and "ne compte plus pour le thème « Logement »" in page
    stored = db_session.scalar(select(Codebook).where(Codebook.campaign_id == campaign.id))
    db_session.refresh(stored)
    logement = next(t for t in stored.definition["themes"] if t["key"] == "logement")
    assert near.group(1) in logement["exclusions"]
    state = coding.coder_state(db_session, campaign)
    after = coding.answer_to_check(db_session, campaign, answer, state)
    assert "logement" not in after.proposed
    assert after.proposed[:1] == ["jeunes"]          # no need left: the population is the main theme
    # a seed term is removed from the theme
    client.post(url(campaign, "terme-refuse"), data={"answer_id": answer, "theme": "jeunes", "term": "jeune"})
    db_session.refresh(stored)
    jeunes = next(t for t in stored.definition["themes"] if t["key"] == "jeunes")
    assert "jeune" not in [t if isinstance(t, str) else t["term"] for t in jeunes["population_terms"]]
    assert "jeunes" not in coding.answer_to_check(db_session, campaign, answer,
                                                  coding.coder_state(db_session, campaign)).proposed
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "codebook.reject_term")) == 2
    # access: a term rejection needs the CSRF form and a coordinator of the campaign
    reply = client.post(url(campaign, "terme-refuse"), data={"answer_id": answer, "theme": "inconnu", "term": "x"},
                        follow_redirects=True)
    assert "thème inconnu « inconnu »" in html.unescape(reply.get_data(as_text=True))
