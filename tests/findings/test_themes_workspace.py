"""The themes workspace: find the themes of the free text (a job), rename, merge and split
them, read each theme's answers (escaped), only as a coordinator of the campaign."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

SCRIPT = "<script>alert('theme')</script> pas de médecin le soir, les urgences débordées"


def url(campaign, path: str) -> str:
    return f"/espace/campagnes/{campaign.slug}/resultats/{path}"


def _session(client):
    return client.application.extensions["sqlalchemy"].session


@pytest.fixture()
def with_script(weighted, db_session):
    """One resident wrote HTML in a free-text answer."""
    from survey_app.models import Answer, Response

    answer = db_session.scalars(
        select(Answer).join(Response).where(Response.campaign_id == weighted.campaign.id,
                                            Answer.question_id == "problemes_quartier",
                                            Answer.value_text.is_not(None)).order_by(Answer.id)
    ).first()
    answer.value_text = SCRIPT
    db_session.commit()
    return weighted


def _result(client, campaign):
    from survey_app.findings import themes

    session = _session(client)
    session.expire_all()
    state = themes.theme_state(session, campaign)
    return state.job.result if state.job is not None else None


def _themes(client, campaign, name="toutes"):
    return {t["theme_id"]: t for t in _result(client, campaign)["analyses"][name]["themes"]}


def _computed(client, login, weighted, k=5):
    login(weighted.coordinator)
    reply = client.post(url(weighted.campaign, "themes/calculer"), data={"methode": "vectors", "nombre": k, "graine": 0})
    assert reply.status_code == 302
    result = _result(client, weighted.campaign)
    assert result is not None and result["analyses"]["toutes"]["status"] == "ok"
    return result


ROUTES = [("get", "themes", None), ("post", "themes/calculer", {"methode": "vectors"}),
          ("post", "themes/renommer", {"t1-theme": "1", "t1-libelle": "x"}),
          ("post", "themes/fusionner", {"theme": "1", "autre": "2"}),
          ("post", "themes/scinder", {"theme": "1", "parts": "2"})]


@pytest.mark.parametrize("method, path, data", ROUTES)
def test_only_coordinators_of_the_campaign_reach_the_workspace(client, login, weighted, create_user, create_campaign,
                                                               method, path, data):
    call = getattr(client, method)
    kwargs = {"data": data} if data else {}
    assert call(url(weighted.campaign, path), **kwargs).status_code == 302  # to the login page
    from survey_app.campaigns import services as campaigns

    agent = create_user("agent")
    campaigns.add_member(_session(client), weighted.campaign, agent)
    _session(client).commit()
    login(agent)
    assert call(url(weighted.campaign, path), **kwargs).status_code == 403
    client.post("/deconnexion")
    outsider = create_user("coordinator")
    create_campaign("autre-ville", members=[outsider])
    login(outsider)
    assert call(url(weighted.campaign, path), **kwargs).status_code == 404
    assert _result(client, weighted.campaign) is None  # nothing was computed by anyone refused


def test_themes_are_found_and_shown_with_their_answers_escaped(client, login, with_script):
    result = _computed(client, login, with_script)
    snapshot = result["analyses"]["toutes"]
    assert 2 <= len(snapshot["themes"]) <= 5
    assert set(result["order"]) >= {"toutes", "problemes_quartier"}
    page = client.get(url(with_script.campaign, "themes")).get_data(as_text=True)
    for theme in snapshot["themes"]:
        assert html.escape(theme["label"], quote=False) in page
    # the answer with HTML is quoted in its theme, escaped
    holder = next(a["theme_id"] for a in snapshot["answers"] if a["text"].startswith("<script>"))
    full = client.get(url(with_script.campaign, f"themes?analyse=toutes&theme={holder}")).get_data(as_text=True)
    assert "<script>alert(" not in full
    assert "&lt;script&gt;alert(" in full
    section = re.search(rf'id="theme-{holder}".*?</section>', full, flags=re.S).group(0)
    quoted = re.findall(r"<li>« (.*?) »</li>", section, flags=re.S)
    assert len(quoted) == len({a["text"] for a in snapshot["answers"] if a["theme_id"] == holder})


def test_rename_merge_split_are_kept(client, login, weighted):
    _computed(client, login, weighted)
    before = _themes(client, weighted.campaign)
    first, second = sorted(before, key=lambda t: -before[t]["n_answers"])[:2]

    reply = client.post(url(weighted.campaign, "themes/renommer"),
                        data={f"t{first}-analyse": "toutes", f"t{first}-theme": str(first),
                              f"t{first}-libelle": "Accès au médecin <b>"})
    assert reply.status_code == 302
    assert _themes(client, weighted.campaign)[first]["label"] == "Accès au médecin <b>"
    page = client.get(url(weighted.campaign, "themes")).get_data(as_text=True)
    assert "Accès au médecin &lt;b&gt;" in page and "Accès au médecin <b>" not in page

    reply = client.post(url(weighted.campaign, "themes/fusionner"),
                        data={"analyse": "toutes", "theme": str(first), "autre": str(second)})
    assert reply.status_code == 302
    merged = _themes(client, weighted.campaign)
    assert second not in merged and len(merged) == len(before) - 1
    assert merged[first]["n_answers"] == before[first]["n_answers"] + before[second]["n_answers"]
    assert merged[first]["label"] == "Accès au médecin <b>"  # the coordinator's name stays

    reply = client.post(url(weighted.campaign, "themes/scinder"),
                        data={"analyse": "toutes", "theme": str(first), "parts": "2"})
    assert reply.status_code == 302
    split = _themes(client, weighted.campaign)
    assert first not in split and len(split) == len(before)
    new = set(split) - set(merged)
    assert len(new) == 2 and all(i > max(before) for i in new)
    assert sum(split[i]["n_answers"] for i in new) == merged[first]["n_answers"]
    assert all(split[i]["label"] and split[i]["terms"] for i in new)
    # every answer still has exactly one theme that exists
    snapshot = _result(client, weighted.campaign)["analyses"]["toutes"]
    assert {a["theme_id"] for a in snapshot["answers"]} == set(split)
    assert _result(client, weighted.campaign)["edits"] == 3

    from survey_app.models import AuditEvent

    actions = _session(client).scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "theme_result")
                                       .order_by(AuditEvent.id)).all()
    assert actions == ["themes.rename", "themes.merge", "themes.split"]


def test_refusals_are_explained_and_change_nothing(client, login, weighted):
    _computed(client, login, weighted)
    before = _themes(client, weighted.campaign)
    first = next(iter(before))
    reply = client.post(url(weighted.campaign, "themes/fusionner"),
                        data={"analyse": "toutes", "theme": str(first), "autre": str(first)}, follow_redirects=True)
    assert "deux thèmes différents" in html.unescape(reply.get_data(as_text=True))
    reply = client.post(url(weighted.campaign, "themes/renommer"),
                        data={f"t{first}-analyse": "toutes", f"t{first}-theme": "999", f"t{first}-libelle": "x"},
                        follow_redirects=True)
    assert "n'existe pas" in html.unescape(reply.get_data(as_text=True))
    for path in ("themes/fusionner", "themes/scinder"):  # fields left out: a message, not a 500
        reply = client.post(url(weighted.campaign, path), data={"analyse": "toutes"}, follow_redirects=True)
        assert reply.status_code == 200
        assert "Le formulaire est incomplet" in html.unescape(reply.get_data(as_text=True))
    assert _themes(client, weighted.campaign) == before
    assert _result(client, weighted.campaign)["edits"] == 0


def test_an_uninformative_choice_of_k_is_said_on_the_page(client, login, weighted, monkeypatch):
    from analysis.topics import _fit

    real = _fit._score_k
    monkeypatch.setattr(_fit, "_score_k", lambda *a, **kw: {**real(*a, **kw), "coherence": -0.2, "score": 0.0})
    login(weighted.coordinator)
    client.post(url(weighted.campaign, "themes/calculer"), data={"methode": "vectors", "graine": 0})
    snapshot = _result(client, weighted.campaign)["analyses"]["toutes"]
    assert snapshot["k_informative"] is False
    page = html.unescape(client.get(url(weighted.campaign, "themes")).get_data(as_text=True))
    assert 'data-k-uninformative="true"' in page
    assert "Le choix du nombre de thèmes n'est pas informatif ici" in page


def test_guided_themes_follow_the_campaigns_own_codebook(client, login, weighted, db_session):
    """The default method is guided by the campaign's codebook (the one its coding screen
    edits): replaced by a codebook that recognises none of the answers, it is not trusted
    and the themes are found from the words alone, which the result says."""
    from analysis.coding._codebook import DEFAULT_CODEBOOK_PATH, load_codebook
    from survey_app.coding.codebook import save_codebook
    from survey_app.findings import theme_forms, themes

    assert theme_forms.StartThemesForm.methode.kwargs["default"] == "guided"
    run = themes.campaign_themes(db_session, weighted.campaign, k=4)
    assert run.analysis.together.method == "guided"
    unrelated = load_codebook(DEFAULT_CODEBOOK_PATH).to_dict()
    first = dict(unrelated["themes"][0], terms=["xylophone", "dirigeable"], key="instruments")
    first.pop("population_terms", None)
    first.pop("exclusions", None)
    unrelated["themes"] = [first]
    save_codebook(db_session, weighted.campaign, unrelated, weighted.coordinator)
    db_session.commit()
    run = themes.campaign_themes(db_session, weighted.campaign, k=4)
    assert run.analysis.together.method == "vectors"
    assert any("grille" in note for note in run.analysis.together.notes)


def _intro(page: str) -> str:
    return html.unescape(re.search(r'<p class="muted" data-method="[^"]*">(.*?)</p>', page, re.S).group(1))


def test_the_intro_says_which_method_found_the_themes(client, login, weighted):
    """The page's first lines say what was done: guided by the codebook (the default) or without it."""
    login(weighted.coordinator)
    before = _intro(client.get(url(weighted.campaign, "themes")).get_data(as_text=True))
    assert "selon la méthode choisie" in before and "trouvés sans grille" not in before
    reply = client.post(url(weighted.campaign, "themes/calculer"), data={"methode": "guided", "nombre": 4, "graine": 0})
    assert reply.status_code == 302
    ran = _result(client, weighted.campaign)["analyses"]["toutes"]["method"]
    page = client.get(url(weighted.campaign, "themes")).get_data(as_text=True)
    assert ran == "guided" and 'data-method="guided"' in page  # the campaign's codebook was followed
    assert "guidés par la grille de codage de la campagne" in _intro(page) and "sans grille" not in _intro(page)
    _computed(client, login, weighted, k=4)  # the "vectors" method: no codebook
    words = _intro(client.get(url(weighted.campaign, "themes")).get_data(as_text=True))
    assert "sans grille de codage" in words and "vecteurs de mots" in words and "guidés" not in words
