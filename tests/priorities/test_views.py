"""The priorities workspace in the browser's place: page, decisions, errors, downloads, access."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.models import AuditEvent, PriorityDecision

KEY = "sans_medecin_traitant"


def url(world, path: str = "") -> str:
    return f"/espace/campagnes/{world.slug}/priorites{path}"


def test_the_campaign_page_links_to_the_workspace_which_shows_the_list_and_the_formula(client, login, world):
    login(world.coordinator_email)
    page = client.get(f"/espace/campagnes/{world.slug}").get_data(as_text=True)
    assert f'href="{url(world)}"' in page
    reply = client.get(url(world))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    text = html.unescape(page)
    assert "<h1>Priorités candidates</h1>" in page
    assert "Score de priorité = (A + B + I + D) × C / 3" in text and "Critères PEARL" in text
    assert "Résultats pondérés par calage" in text
    assert f'id="cand-{KEY}"' in page and "Axe : Accès aux soins et aux droits" in text
    article = page[page.index(f'id="cand-{KEY}"'):]
    article = article[:article.index("</article>")]
    for part in ("A — taille du problème", "B — gravité", "C — efficacité des interventions",
                 "I — inégalités territoriales", "D — demande exprimée"):
        assert part in html.unescape(article)
    assert "[" in article and "IC 95" in html.unescape(article)  # a figure with its interval
    assert f'<label for="{KEY}-effectiveness">' in page and f'name="{KEY}-status"' in page
    assert 'id="historique"' in page and "Aucune modification pour l'instant." in text
    assert "<script" not in page and 'style="' not in page
    # evidence is tied to a need by a word of its label; by its axis alone it scores no demand
    assert "rattaché par un mot de son intitulé" in text
    if "rattaché par l'axe du CLS seulement" in text:
        assert "ne compte pas dans la demande exprimée (D)" in text


def test_a_c_out_of_range_is_refused_in_french_keeping_what_was_typed_then_a_good_one_is_stored(
        client, login, world, session):
    login(world.coordinator_email)
    form = {f"{KEY}-status": "kept", f"{KEY}-effectiveness": "12", f"{KEY}-seriousness": "6",
            f"{KEY}-note": "<script>alert('note')</script> à revoir", f"{KEY}-legality": "oui"}
    reply = client.post(url(world, f"/{KEY}/decision"), data=form)
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert 'role="alert"' in page and "Rien n'a été enregistré" in html.unescape(page)
    assert "C doit être comprise entre 0 et 10" in page
    assert f'href="#{KEY}-effectiveness"' in page and 'aria-invalid="true"' in page
    assert f'name="{KEY}-effectiveness" type="text" value="12"' in page  # nothing lost
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; à revoir</textarea>" in page
    assert session.scalar(select(func.count()).select_from(PriorityDecision)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "priorities")) == 0

    form[f"{KEY}-effectiveness"] = "7,5"
    reply = client.post(url(world, f"/{KEY}/decision"), data=form)
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"#cand-{KEY}")
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "décision enregistrée" in page
    article = page[page.index(f'id="cand-{KEY}"'):]
    article = article[:article.index("</article>")]
    assert "<th scope=\"row\">C — efficacité des interventions</th><td>7,5</td><td>saisie par la coordination</td>" in article
    assert "retenue par le comité" in article and "&lt;script&gt;alert(&#39;note&#39;)" in article
    assert "<script>alert" not in page
    history = page[page.index('id="historique"'):]
    assert "Camille Coordination" in history and "efficacité (C)" in history and "7,5" in history


def test_the_grid_and_merges_change_the_list_and_refuse_bad_input(client, login, world):
    login(world.coordinator_email)
    reply = client.post(url(world, "/grille"), data={"variant": "double_b", "inequity_weight": "-2", "demand_weight": "1"})
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert "Indiquez un poids entre 0 et 10" in page and 'value="-2"' in page
    assert "Score de priorité = (A + B + I + D)" in html.unescape(page)
    reply = client.post(url(world, "/grille"), data={"variant": "double_b", "inequity_weight": "0", "demand_weight": "1"})
    assert reply.status_code == 302
    page = html.unescape(client.get(url(world)).get_data(as_text=True))
    assert "Score de priorité = (A + 2B + D) × C / 3" in page

    reply = client.post(url(world, "/barriere_langue/regrouper"), data={"regrouper-barriere_langue-into": "barriere_langue"})
    assert reply.status_code == 400
    assert "Choisissez la priorité candidate avec laquelle regrouper celle-ci." in html.unescape(reply.get_data(as_text=True))
    reply = client.post(url(world, "/barriere_langue/regrouper"), data={"regrouper-barriere_langue-into": KEY})
    assert reply.status_code == 302
    page = client.get(url(world)).get_data(as_text=True)
    assert 'id="cand-barriere_langue"' not in page and "Regroupe aussi" in page
    reply = client.post(url(world, "/barriere_langue/separer"))
    assert reply.status_code == 302
    assert 'id="cand-barriere_langue"' in client.get(url(world)).get_data(as_text=True)
    assert client.post(url(world, "/inconnue/decision"), data={}).status_code == 404


def test_downloads_are_csv_with_bom_and_xlsx(client, login, world):
    login(world.coordinator_email)
    reply = client.get(url(world, "/priorites-candidates.csv"))
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert 'filename="demo-priorites-candidates.csv"' in reply.headers["Content-Disposition"]
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    lines = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig")), delimiter=";"))
    keys = [line[1] for line in lines if len(line) > 1]
    assert "clé" in keys and KEY in keys
    reply = client.get(url(world, "/priorites-candidates.xlsx"))
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.data)).active
    assert KEY in [row[1] for row in sheet.iter_rows(values_only=True) if len(row) > 1]


@pytest.mark.parametrize("method, path", [
    ("get", ""), ("post", f"/{KEY}/decision"), ("post", "/grille"), ("get", "/priorites-candidates.csv"),
])
def test_an_agent_gets_403_and_another_campaigns_coordinator_404(client, login, world, session, method, path):
    assert getattr(client, method)(url(world, path)).status_code == 302  # anonymous: to the login page
    login(world.agent_email)
    assert getattr(client, method)(url(world, path)).status_code == 403
    client.post("/deconnexion")
    login(world.stranger_email)
    assert getattr(client, method)(url(world, path)).status_code == 404
    assert session.scalar(select(func.count()).select_from(PriorityDecision)) == 0


def test_a_campaign_nobody_answered_says_so(client, login, world, session):
    from survey_app.models import Campaign

    login(world.coordinator_email)
    empty = session.get(Campaign, world.empty_id)
    reply = client.get(f"/espace/campagnes/{empty.slug}/priorites")
    assert reply.status_code == 200
    assert "Aucun habitant n'a encore complété le questionnaire" in html.unescape(reply.get_data(as_text=True))
    assert re.search(r"<h1>Priorités candidates indisponibles</h1>", reply.get_data(as_text=True))


def test_a_campaign_without_margins_free_text_or_professionals_shows_its_limits(client, login, world, session):
    from survey_app.models import Campaign

    login(world.coordinator_email)
    bare = session.get(Campaign, world.bare_id)
    reply = client.get(f"/espace/campagnes/{bare.slug}/priorites")
    assert reply.status_code == 200
    page = html.unescape(reply.get_data(as_text=True))
    assert 'class="notice unweighted"' in page and "Résultats non pondérés" in page
    assert "Moins de 11 répondants dans les quartiers Sud, Est" in page
    assert "Pas de thèmes tirés des réponses libres" in page and "Pas de questionnaire des professionnels" in page
    assert 'id="cand-sans_medecin_traitant"' in page
