"""Collection and export pages: who reaches them, what they show, bad input answered clearly
with nothing changed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.collection.world import world_fixture

world = world_fixture()


def _get_routes(app, slug, response_id, question_id):
    """Every GET page of the collection and export blueprints, for ``slug``."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("collection", "exports") or "GET" not in rule.methods:
            continue
        values = {"slug": slug, "response_id": response_id, "question_id": question_id, "name": "canaux"}
        urls.append(rule.build({k: v for k, v in values.items() if k in rule.arguments})[1])
    return urls


def test_agent_403_stranger_404_coordinator_200(app, client, login, world):
    urls = _get_routes(app, world.slug, world.ids[5], world.age)
    assert len(urls) >= 10
    login(world.agent_email)
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.post("/deconnexion")
    login(world.stranger_email)
    for url in urls:
        if "campagnes" in url:
            assert client.get(url).status_code == 404, url
    client.post("/deconnexion")
    login(world.coordinator_email)
    for url in urls:
        reply = client.get(url)
        expected = 400 if url.endswith("/telecharger") else 200  # no format given: the page says so
        assert reply.status_code == expected, (url, reply.status_code)


def test_posts_refused_to_agent_and_stranger(app, client, login, world):
    base = f"/espace/campagnes/{world.slug}/collecte"
    posts = [f"{base}/reponses/{world.ids[5]}/exclure", f"{base}/reglages/quartiers", f"{base}/reglages/statut",
             f"{base}/reponses/{world.ids[5]}/corriger/{world.age}", f"{base}/reglages/conservation"]
    login(world.agent_email)
    for url in posts:
        assert client.post(url, data={"note": "x", "motive": "test"}).status_code == 403, url
    client.post("/deconnexion")
    login(world.stranger_email)
    for url in posts:
        assert client.post(url, data={"note": "x", "motive": "test"}).status_code == 404, url


def test_dashboard_shows_figures_and_tables(client, login, world, session, campaign):
    from survey_app.collection import dashboard

    login(world.coordinator_email)
    page = client.get(f"/espace/campagnes/{world.slug}/collecte/").get_data(as_text=True)
    board = dashboard.build(session, campaign)
    for row in board.districts:
        assert f"<th scope=\"row\">{row['name']}</th>" in page.replace("&#39;", "'")
    assert f"<dd>{board.complete}</dd>" in page
    assert 'src="/espace/campagnes/demo/collecte/graphique-quartiers.svg"' in page
    svg = client.get(f"/espace/campagnes/{world.slug}/collecte/graphique-jours.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/espace/campagnes/{world.slug}/collecte/graphique-inconnu.svg").status_code == 404


def test_list_filters_and_pagination(client, login, world):
    login(world.coordinator_email)
    base = f"/espace/campagnes/{world.slug}/collecte/reponses"
    page = client.get(base + "?statut=excluded").get_data(as_text=True)
    assert f"Réponse n° {world.excluded_id}<" in page and "1 réponse(s)" in page
    page = client.get(base + "?canal=paper&quartier=").get_data(as_text=True)
    assert f"Réponse n° {world.marked_id}<" in page
    bad = client.get(base + "?statut=perdu&depuis=hier")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Statut inconnu : « perdu »" in text and "« hier » n&#39;est pas une date" in text
    first = client.get(base).get_data(as_text=True)
    assert 'rel="next"' in first and "page 1 sur" in first


def test_list_shows_channel_and_status_names_not_codes(client, login, world):
    """The Canal and Statut columns say what the filters say (« Papier », « complète »), never the codes."""
    login(world.coordinator_email)
    base = f"/espace/campagnes/{world.slug}/collecte/reponses"
    page = client.get(base + "?canal=paper").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert "Papier" in cells and "paper" not in cells
    assert not {"web", "import", "draft", "complete", "validated", "excluded"} & set(cells)
    excluded = re.findall(r"<td>([^<]*)</td>", client.get(base + "?statut=excluded").get_data(as_text=True))
    assert "exclue" in excluded and "excluded" not in excluded
    client.get("/langue/en?next=/")
    english = re.findall(r"<td>([^<]*)</td>", client.get(base + "?canal=paper").get_data(as_text=True))
    client.get("/langue/fr?next=/")
    assert "Paper" in english and "paper" not in english


def test_exclude_and_correct_through_the_pages(client, login, world, session):
    from survey_app.collection import responses
    from survey_app.models import Response, ResponseStatus

    login(world.coordinator_email)
    rid = world.ids[30]
    base = f"/espace/campagnes/{world.slug}/collecte/reponses/{rid}"
    refused = client.post(base + "/exclure", data={"motive": "test", "note": ""})
    assert refused.status_code == 400 and "raison" in refused.get_data(as_text=True)
    assert client.post(base + "/exclure", data={"motive": "test", "note": "réponse d'essai"}).status_code == 302
    session.expire_all()
    assert session.get(Response, rid).status is ResponseStatus.EXCLUDED
    page = client.get(base).get_data(as_text=True)
    assert "Réponse de test : réponse d&#39;essai" in page and "Rétablir" in page
    # correction: a value that is not a number, then a good one
    response = session.get(Response, rid)
    from survey_app.campaigns.questionnaires import definition_of

    definition = definition_of(response.questionnaire_version)
    answers = response.answers_dict()
    question = next(q for q in definition.questions.values() if q.type == "integer" and q.id in answers and q.max)
    form = client.get(f"{base}/corriger/{question.id}").get_data(as_text=True)
    token = re.search(r'name="expected" type="hidden" value="([^"]*)"', form).group(1)
    import html

    token = html.unescape(token)
    assert token == responses.token_of(question, answers)
    bad = client.post(f"{base}/corriger/{question.id}", data={"value": "abc", "reason": "papier", "expected": token})
    assert bad.status_code == 422 and "« abc » n&#39;est pas un nombre entier." in bad.get_data(as_text=True)
    session.expire_all()
    assert session.get(Response, rid).answers_dict() == answers
    new = question.min if answers[question.id] != question.min else question.min + 1
    ok = client.post(f"{base}/corriger/{question.id}", data={"value": str(new), "reason": "papier", "expected": token})
    assert ok.status_code == 302
    stale = client.post(f"{base}/corriger/{question.id}", data={"value": str(new + 1), "reason": "papier", "expected": token})
    assert stale.status_code == 422 and "modifiée par quelqu&#39;un d&#39;autre" in stale.get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    assert "correction" in page and "papier" in page


def test_settings_bad_target_changes_nothing(client, login, world, session, campaign):
    login(world.coordinator_email)
    targets = [d.target for d in campaign.districts]
    data = {"rows": str(len(campaign.districts))}
    for i, d in enumerate(campaign.districts):
        data.update({f"code-{i}": d.code, f"name-{i}": d.name, f"target-{i}": str(d.target or "")})
    data["target-0"] = "cent"
    reply = client.post(f"/espace/campagnes/{world.slug}/collecte/reglages/quartiers", data=data)
    assert reply.status_code == 422
    assert "Quartiers, ligne 1 : objectif « cent » invalide (nombre entier attendu)." in reply.get_data(as_text=True)
    session.expire_all()
    assert [d.target for d in campaign.districts] == targets
    preview = client.post(f"/espace/campagnes/{world.slug}/collecte/reglages/objectifs", data={"total": "400"})
    assert preview.status_code == 200 and "Objectifs proposés" in preview.get_data(as_text=True)
    session.expire_all()
    assert [d.target for d in campaign.districts] == targets
    bad = client.post(f"/espace/campagnes/{world.slug}/collecte/reglages/objectifs", data={"total": "beaucoup"})
    assert bad.status_code == 422 and "Objectif total « beaucoup » invalide" in bad.get_data(as_text=True)


def test_invitation_sheet(client, login, world, session, campaign):
    from survey_app.models import InvitationCode

    login(world.coordinator_email)
    bad = client.post(f"/espace/campagnes/{world.slug}/collecte/reglages/invitations", data={"count": "dix"})
    assert bad.status_code == 422
    reply = client.post(f"/espace/campagnes/{world.slug}/collecte/reglages/invitations", data={"count": "3"})
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r'<span class="code">', reply.get_data(as_text=True))) == 3
    assert len(session.scalars(select(InvitationCode).where(InvitationCode.campaign_id == campaign.id)).all()) == 3
    page = client.get(f"/espace/campagnes/{world.slug}/collecte/reglages").get_data(as_text=True)
    assert "3 codes créés, 0 utilisés" in page


def test_export_downloads_and_refusals(client, login, world):
    login(world.coordinator_email)
    base = f"/espace/campagnes/{world.slug}/exports/telecharger"
    reply = client.get(base + "?format=csv&libelles=1")
    assert reply.status_code == 200 and reply.data.startswith("\ufeff".encode())
    assert 'filename="demo-resident-libelles.csv"' in reply.headers["Content-Disposition"]
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    xlsx = client.get(base + "?format=xlsx")
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    codebook = client.get(f"/espace/campagnes/{world.slug}/exports/dictionnaire.csv?questionnaire=resident")
    assert codebook.status_code == 200 and codebook.headers["Content-Type"] == "text/csv; charset=utf-8"
    unknown = client.get(base + "?format=ods")
    assert unknown.status_code == 400 and "Format d&#39;export inconnu : « ods »" in unknown.get_data(as_text=True)
    empty = client.get("/espace/campagnes/vide/exports/telecharger?format=xlsx")
    assert empty.status_code == 422 and "Rien à exporter" in empty.get_data(as_text=True)
    dictionary = client.get(f"/espace/campagnes/{world.slug}/exports/dictionnaire?questionnaire=resident")
    assert dictionary.status_code == 200 and "response_id" in dictionary.get_data(as_text=True)


def test_export_page_and_dictionary_name_the_questionnaire(client, login, world):
    """The questionnaire select, the dictionary list and the dictionary's title give the questionnaire's
    title in the page's language, not its key."""
    login(world.coordinator_email)
    title = "Votre santé dans notre ville : questionnaire aux habitants"
    page = client.get(f"/espace/campagnes/{world.slug}/exports/").get_data(as_text=True)
    assert f'<option value="resident">{title}</option>' in page and ">resident<" not in page
    assert f"<li>{title} : <a" in page
    dictionary = client.get(f"/espace/campagnes/{world.slug}/exports/dictionnaire?questionnaire=resident")
    heading = re.search(r"<h1>(.*?)</h1>", dictionary.get_data(as_text=True)).group(1)
    assert title in heading and "resident" not in heading
    client.get("/langue/en?next=/")
    english = client.get(f"/espace/campagnes/{world.slug}/exports/").get_data(as_text=True)
    client.get("/langue/fr?next=/")
    assert "Your health in our town: residents&#39; questionnaire</option>" in english


def test_settings_name_the_languages(client, login, world):
    """The languages offered to residents are named (« Français », « English »), not given as codes."""
    login(world.coordinator_email)
    page = client.get(f"/espace/campagnes/{world.slug}/collecte/reglages").get_data(as_text=True)
    assert '<label for="lang-fr" lang="fr">Français</label>' in page
    assert '<label for="lang-en" lang="en">English</label>' in page
    assert not re.search(r'<label for="lang-\w+"[^>]*>(fr|en)</label>', page)
    assert re.findall(r'<label for="information_en">([^<]*)<', page) == ["Texte d'information et de consentement (English)"]


def test_create_campaign_page(client, login, world, session):
    from survey_app.models import Campaign

    login(world.coordinator_email)
    bad = client.post("/espace/nouvelle-campagne/", data={"slug": "Pas Bon", "name": "Essai"})
    assert bad.status_code == 422 and "Identifiant de campagne invalide" in bad.get_data(as_text=True)
    dates = client.post("/espace/nouvelle-campagne/", data={"slug": "essai", "name": "Essai", "opens_on": "2026-05-02",
                                                             "closes_on": "2026-05-01"})
    assert "La date de clôture précède la date d&#39;ouverture." in dates.get_data(as_text=True)
    assert session.scalar(select(Campaign).where(Campaign.slug == "essai")) is None
    ok = client.post("/espace/nouvelle-campagne/", data={"slug": "essai", "name": "Essai"})
    assert ok.status_code == 302
    assert client.get("/espace/campagnes/essai/collecte/reglages").status_code == 200


def test_a_response_reads_in_the_interface_language(client, login, world, session):
    """Questions, answers and the change log's words follow the interface; French stays the default."""
    import html

    from survey_app.campaigns.questionnaires import definition_of
    from survey_app.collection import responses
    from survey_app.models import Response

    login(world.coordinator_email)
    rid = world.ids[12]
    response = session.get(Response, rid)
    definition = definition_of(response.questionnaire_version)
    answers = response.answers_dict()
    question = next(q for q in definition.questions.values()
                    if q.type == "single" and q.id in answers and q.role is None
                    and q.label("en") != q.label("fr") and len(q.options) > 2)
    chosen = next(o for o in question.options if o.code == answers[question.id])
    other = next(o for o in question.options if o.code != chosen.code and not o.other)
    base = f"/espace/campagnes/{world.slug}/collecte/reponses/{rid}"
    token = responses.token_of(question, answers)
    assert client.post(f"{base}/corriger/{question.id}",
                       data={"value": other.code, "reason": "relu sur papier", "expected": token}).status_code == 302
    client.get(base)  # the French confirmation is shown once
    client.get("/langue/en?next=/")
    page = html.unescape(client.get(base).get_data(as_text=True))
    assert question.label("en") in page and other.label("en") in page and chosen.label("en") in page
    assert question.label("fr") not in page and other.label("fr") not in page
    form = html.unescape(client.get(f"{base}/corriger/{question.id}").get_data(as_text=True))
    assert question.label("en") in form and other.label("en") in form
    client.get("/langue/fr?next=/")
    page = html.unescape(client.get(base).get_data(as_text=True))
    assert question.label("fr") in page and other.label("fr") in page


def test_change_log_words_are_translated():
    from survey_app.collection.responses import cell_text
    from survey_app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context("/"):
        assert cell_text(None, {"kind": "illegible"}) == "illisible"
        assert cell_text(None, {"kind": "status", "status": "excluded"}) == "statut : excluded"
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        assert cell_text(None, {"kind": "illegible"}) == "illegible"
        assert cell_text(None, {"kind": "blank"}) == "left blank"
        assert cell_text(None, {"kind": "missing"}) == "(no answer)"


def test_dashboard_and_its_charts_in_english(client, login, world):
    login(world.coordinator_email)
    base = f"/espace/campagnes/{world.slug}/collecte"
    client.get("/langue/en?next=/")
    page = client.get(base + "/").get_data(as_text=True)
    assert "Paper" in page and "Papier" not in page
    svg = client.get(base + "/graphique-canaux.svg").get_data(as_text=True)
    assert "Complete responses by channel" in svg and "Réponses complètes" not in svg
    client.get("/langue/fr?next=/")
    svg = client.get(base + "/graphique-canaux.svg").get_data(as_text=True)
    assert "Réponses complètes par canal" in svg
