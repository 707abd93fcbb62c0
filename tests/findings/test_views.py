"""Result pages: access, figures as the library computes them, nothing from a small cell
in the HTML, the CSV or the XLSX, bad cross-tables answered in French."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest

from .conftest import THIN

THIN_NAME = "L'Îlot"


def url(campaign, path: str) -> str:
    return f"/espace/campagnes/{campaign.slug}/resultats/{path}"


def _computed(client, login, weighted):
    login(weighted.coordinator)
    reply = client.post(url(weighted.campaign, "indicateurs/calculer"))
    assert reply.status_code == 302
    return client.get(url(weighted.campaign, "indicateurs"))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _rows_of(page: str, name: str) -> list[str]:
    """Text of every table row and chart label line naming ``name``."""
    rows = [_text(r) for r in re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S) if name in html.unescape(r)]
    return rows


def pct(value: float) -> str:
    return f"{100 * value:.1f}".replace(".", ",") + "\xa0%"


ENDPOINTS = ["indicateurs", "indicateurs.csv", "indicateurs.xlsx", "croisements", "croisements.csv?ligne=quartier&colonne=sexe",
             "quartiers", "quartiers.csv"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_only_coordinators_of_the_campaign_reach_the_pages(client, login, weighted, create_user, create_campaign, path):
    assert client.get(url(weighted.campaign, path)).status_code == 302  # to the login page
    agent = create_user("agent")
    from survey_app.campaigns import services as campaigns

    campaigns.add_member(client.application.extensions["sqlalchemy"].session, weighted.campaign, agent)
    client.application.extensions["sqlalchemy"].session.commit()
    login(agent)
    assert client.get(url(weighted.campaign, path)).status_code == 403
    client.post("/deconnexion")
    outsider = create_user("coordinator")
    create_campaign("autre-ville", members=[outsider])
    login(outsider)
    assert client.get(url(weighted.campaign, path)).status_code == 404
    assert client.post(url(weighted.campaign, "indicateurs/calculer")).status_code == 404


def test_the_campaign_page_links_to_the_results(client, login, weighted):
    login(weighted.coordinator)
    page = client.get(f"/espace/campagnes/{weighted.campaign.slug}").get_data(as_text=True)
    assert f'href="{url(weighted.campaign, "indicateurs")}"' in page


def test_indicators_page_shows_the_library_figures_and_blanks_the_thin_district(client, login, weighted, db_session):
    from survey_app.findings import tables

    before = client.get(url(weighted.campaign, "indicateurs"))
    reply = _computed(client, login, weighted)
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "Règle de publication" in page and tables.publication_rule() in html.unescape(page)
    assert "Tableaux calculés le" in page and "Périmé" not in page
    result = tables.indicator_state(db_session, weighted.campaign).result
    expected = tables.compute_indicators(db_session, weighted.campaign)
    for mine, again in zip(result["rows"], expected["rows"]):
        assert mine["estimate"] == pytest.approx(again["estimate"]) if again["estimate"] is not None else mine["estimate"] is None
    shown = 0
    for row in result["rows"]:
        if row["variable"] != "district" or row["suppressed"]:
            continue
        section = re.search(rf'<section class="indicator" id="ind-{row["indicator"]}".*?</section>', page, flags=re.S).group(0)
        line = next(r for r in _rows_of(section, row["group_label"]))
        assert pct(row["estimate"]) in line and pct(row["ci_low"]) in line and pct(row["ci_high"]) in line
        assert (str(row["n"]) if row["n"] is not None else "n.p.") in line
        if row["flag"]:
            assert ("plus élevé" if row["flag"] == "higher" else "moins élevé") in line
        shown += 1
    assert shown > 20
    thin = _rows_of(page, THIN_NAME)
    assert len(thin) == len(result["indicators"])
    for line in thin:
        assert "n.p." in line and not re.search(r"\d", line), line
    labels = re.findall(r"<text[^>]*>L&#39;Îlot</text>\s*<text[^>]*>([^<]*)</text>", page)
    assert labels and set(labels) == {"n.p."}
    assert 'style="' not in page and "<script>" not in page


def test_indicators_can_be_filtered_and_sorted_without_javascript(client, login, weighted, db_session):
    from survey_app.findings import tables

    _computed(client, login, weighted)
    result = tables.indicator_state(db_session, weighted.campaign).result
    axis = result["indicators"][0]["axis"]
    page = client.get(url(weighted.campaign, f"indicateurs?axe={axis}&tri=libelle&ordre=desc")).get_data(as_text=True)
    wanted = sorted((i for i in result["indicators"] if i["axis"] == axis), key=lambda i: i["label"].casefold(), reverse=True)
    found = re.findall(r'<section class="indicator" id="ind-([a-z0-9_]+)"', page)
    assert found == [i["name"] for i in wanted]
    assert f'<option selected value="{axis}">' in page or f'value="{axis}" selected' in page
    odd = client.get(url(weighted.campaign, "indicateurs?axe=<b>&tri=nimporte&ordre=x"))
    assert odd.status_code == 200 and "<b>" not in odd.get_data(as_text=True).split("</nav>", 2)[-1]


def test_indicator_downloads_have_the_same_suppression(client, login, weighted, db_session):
    from openpyxl import load_workbook

    from survey_app.findings import tables

    _computed(client, login, weighted)
    result = tables.indicator_state(db_session, weighted.campaign).result
    reply = client.get(url(weighted.campaign, "indicateurs.csv"))
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert reply.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig")), delimiter=";"))
    header, rows = lines[1], lines[2:]
    assert header[:6] == ["indicateur", "libellé", "axe", "niveau", "groupe", "part (%)"]
    assert len(rows) == len(result["rows"])
    thin = [r for r in rows if r[4] == THIN_NAME]
    assert len(thin) == len(result["indicators"])
    for row in thin:
        assert row[5:11] == [""] * 6 and row[13:16] == ["", "", ""] and row[12] == "oui"
    town = next(r for r in result["rows"] if r["variable"] == "town")
    first = next(r for r in rows if r[0] == town["indicator"] and r[3] == "Ensemble")
    assert float(first[5].replace(",", ".")) == pytest.approx(100 * town["estimate"], abs=1e-4)
    book = load_workbook(io.BytesIO(client.get(url(weighted.campaign, "indicateurs.xlsx")).data))
    sheet = list(book.active.iter_rows(values_only=True))
    assert list(sheet[1][:5]) == header[:5]
    thin = [r for r in sheet[2:] if r[4] == THIN_NAME]
    assert len(thin) == len(result["indicators"])
    assert all(all(v is None for v in r[5:11]) and r[13] is None for r in thin)
    assert isinstance(next(r for r in sheet[2:] if r[3] == "Ensemble")[5], float)


def test_downloads_before_any_computation_say_so(client, login, weighted):
    login(weighted.coordinator)
    reply = client.get(url(weighted.campaign, "indicateurs.csv"))
    assert reply.status_code == 409 and "pas encore été calculés" in reply.get_data(as_text=True)


def test_recomputed_weights_make_the_tables_stale(client, login, weighted, db_session):
    from survey_app.findings import weights

    _computed(client, login, weighted)
    weights.store_weights(db_session, weighted.campaign, weights.weight_sample(db_session, weighted.campaign))
    db_session.commit()
    page = client.get(url(weighted.campaign, "indicateurs")).get_data(as_text=True)
    assert "Périmé" in page and "les poids ont été recalculés" in page


def test_cross_table_page_shows_shares_test_and_blanks_small_cells(client, login, weighted, db_session):
    from survey_app.findings import tables

    login(weighted.coordinator)
    empty = client.get(url(weighted.campaign, "croisements"))
    assert empty.status_code == 200 and 'for="ligne"' in empty.get_data(as_text=True)
    # every question can be told from the others, two worded alike by their first answers
    chooser = empty.get_data(as_text=True).split('id="ligne"', 1)[1].split("</select>", 1)[0]
    shown = re.findall(r"<option[^>]*>([^<]*)</option>", chooser)
    assert len(shown) > 10 and len(shown) == len(set(shown))
    assert "Vous êtes : (Une femme, Un homme, Autre ou je préfère ne pas répondre)" in shown
    reply = client.get(url(weighted.campaign, "croisements?ligne=quartier&colonne=medecin_traitant&parts=row&test=F"))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    result = tables.cross_table(db_session, weighted.campaign, "quartier", "medecin_traitant")
    assert "Second ordre : F = " + f"{result['test']['statistic']:.3f}".replace(".", ",") in page
    for row, cells in zip(result["rows"], result["cells"]):
        line = _rows_of(page.split("<tbody>", 1)[1], row["label"])[0]
        for cell in cells:
            if cell and not cell["suppressed"]:
                assert pct(cell["estimate"]) in line
    thin = _rows_of(page, THIN_NAME)
    assert thin and all(not re.search(r"\d", line) for line in thin)
    first_order = client.get(url(weighted.campaign, "croisements?ligne=quartier&colonne=medecin_traitant&test=Chisq"))
    chisq = tables.cross_table(db_session, weighted.campaign, "quartier", "medecin_traitant", statistic="Chisq")["test"]
    assert f"khi-deux corrigé = {chisq['adjusted']:.3f}".replace(".", ",") in first_order.get_data(as_text=True)
    download = client.get(url(weighted.campaign, "croisements.csv?ligne=quartier&colonne=medecin_traitant"))
    lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    thin_lines = [r for r in lines[2:] if r and r[0] == THIN_NAME]
    assert thin_lines and all(r[2:7] == [""] * 5 for r in thin_lines)
    xlsx = client.get(url(weighted.campaign, "croisements.xlsx?ligne=quartier&colonne=medecin_traitant&parts=column"))
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize("p, shown", [(3.292e-16, "p &lt; 0,001"), (0.000999, "p &lt; 0,001"), (0.001, "p = 0,001"),
                                      (0.04567, "p = 0,046"), (0.5, "p = 0,500"), (None, "p = –")])
def test_p_values_read_below_a_thousandth_or_with_three_decimals(app, p, shown):
    """« p < 0,001 » for tiny p-values (never « 3,292e-16 »), else three decimals with a comma."""
    with app.test_request_context():
        macros = app.jinja_env.get_template("findings/_macros.html").module
        assert "p " + str(macros.p_text(p)) == shown


def test_cross_table_page_gives_the_p_value_in_words(client, login, weighted, db_session):
    from survey_app.findings import tables

    login(weighted.coordinator)
    for statistic in ("F", "Chisq"):
        page = client.get(url(weighted.campaign, f"croisements?ligne=quartier&colonne=medecin_traitant&test={statistic}"))
        text = page.get_data(as_text=True)
        p = tables.cross_table(db_session, weighted.campaign, "quartier", "medecin_traitant",
                               statistic=statistic)["test"]["p_value"]
        expected = "p &lt; 0,001" if p < 0.001 else "p = " + f"{p:.3f}".replace(".", ",")
        assert expected in text, statistic
        assert not re.search(r"p = [\d,]+e-?\d", text) and "p = &lt;" not in text, statistic


@pytest.mark.parametrize("query, message", [
    ("ligne=quartier&colonne=quartier", "deux questions différentes"),
    ("ligne=quartier&colonne=problemes_quartier", "réponse libre"),
    ("ligne=%3Cscript%3E&colonne=quartier", "n&#39;est pas une question de ce questionnaire"),
    ("ligne=quartier&colonne=", "Choisissez la question à mettre en colonnes"),
    ("ligne=quartier&colonne=sexe&parts=diagonale", "en ligne ou en colonne"),
])
def test_bad_cross_tables_get_a_french_message(client, login, weighted, query, message):
    login(weighted.coordinator)
    reply = client.get(url(weighted.campaign, f"croisements?{query}"))
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert 'role="alert"' in page and message in page and "<script>" not in page
    download = client.get(url(weighted.campaign, f"croisements.csv?{query}"))
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_themes_page_sets_indicators_beside_the_themes(client, login, weighted, db_session):
    from survey_app.findings import tables

    _computed(client, login, weighted)
    reply = client.get(url(weighted.campaign, "quartiers"))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    result = tables.indicator_state(db_session, weighted.campaign).result
    assert "Ce que disent les données : indicateurs" in page and "Ce que les habitants ont écrit : thèmes" in page
    town = next(r for r in result["rows"] if r["variable"] == "town" and r["estimate"] is not None)
    assert pct(town["estimate"]) in html.unescape(page)
    assert '<th scope="col">L&#39;Îlot</th>' in page
    download = client.get(url(weighted.campaign, "quartiers.csv"))
    lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    column = lines[1].index(f"{THIN_NAME} (%)")
    assert all(r[column] == "" for r in lines[2:] if r and r[0] in ("thème", "indicateur"))


def test_professionals_indicators_are_shown_unweighted_and_said_so(client, login, professionals, db_session):
    """The professionals' questionnaire has its own indicator page: unweighted shares (no census
    margins describe professionals), stated on the page; the residents' page is not touched."""
    import numpy as np

    from survey_app.findings import frame, indicators

    campaign = professionals.campaign
    login(professionals.coordinator)
    page = client.get(url(campaign, "indicateurs?questionnaire=professionnel"))
    assert page.status_code == 404  # only known questionnaires
    before = client.get(url(campaign, "indicateurs?questionnaire=professional")).get_data(as_text=True)
    assert "pas encore été calculés" in before and "Parts non pondérées." in before
    assert 'name="questionnaire" value="professional"' in before
    # no weighting run is needed for the professionals' tables
    reply = client.post(url(campaign, "indicateurs/calculer"), data={"questionnaire": "professional"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("indicateurs?questionnaire=professional")
    shown = client.get(url(campaign, "indicateurs?questionnaire=professional")).get_data(as_text=True)
    assert "Parts non pondérées." in shown and "non pondérées." in shown and "pas encore été calculés" not in shown
    assert 'aria-current="page">Professionnels<' in shown
    # the figures are the plain shares of the professionals who answered
    table, definition = frame.tidy_responses(db_session, campaign, "professional")
    specs = indicators.indicator_columns(table, definition)
    labels = {i.name: i.label("fr") for i in definition.indicators()}
    checked = 0
    for name, column, need in specs:
        answered = table[column].notna()
        has = table.loc[answered, column].astype(str).isin(need)
        if min(has.sum(), (~has).sum()) < 11:
            continue  # blanked by the publication rule
        section = re.search(rf'<section class="indicator" id="ind-{name}".*?</section>', shown, flags=re.S).group(0)
        town = _rows_of(section, "Ensemble de la ville")
        assert town and pct(float(np.mean(has))) in town[0], (name, town)
        checked += 1
    assert checked >= 2
    # the residents' page has no table yet: the professionals' job is its own
    resident = client.get(url(campaign, "indicateurs")).get_data(as_text=True)
    assert "pas encore été calculés" in resident and "Parts non pondérées." not in resident
    download = client.get(url(campaign, "indicateurs.csv?questionnaire=professional"))
    assert download.status_code == 200 and "indicateurs-professional" in download.headers["Content-Disposition"]
    assert labels[specs[0][0]] in download.get_data(as_text=True)


def test_professionals_indicators_service_is_unweighted(professionals, db_session):
    from analysis.estimation import survey_proportion
    from analysis.weighting import Design

    from survey_app.findings import frame, indicator_tables, indicators

    result = indicator_tables.compute_indicators(db_session, professionals.campaign, "professional")
    assert result["weighted"] is False and result["weighting"] is None and result["questionnaire"] == "professional"
    table, definition = frame.tidy_responses(db_session, professionals.campaign, "professional")
    assert result["respondents"] == len(table) == 160
    specs = indicators.indicator_columns(table, definition)
    name, column, need = specs[0]
    expected = survey_proportion(table, Design.from_frame(table), column, need=list(need))
    town = next(r for r in result["rows"] if r["indicator"] == name and r["variable"] == "town")
    if not town["suppressed"]:
        assert abs(town["estimate"] - float(expected["estimate"].iloc[0])) < 1e-12
        assert abs(town["se"] - float(expected["se"].iloc[0])) < 1e-12
    state = indicator_tables.indicator_state(db_session, professionals.campaign, "professional")
    assert state.result is None and not state.stale  # not stored: only the job keeps results


def test_pages_in_english_name_indicators_groups_and_questions_in_english(client, login, weighted, db_session):
    """The interface's language is the tables' too; the downloads stay in French."""
    from survey_app.findings import tables

    _computed(client, login, weighted)
    client.get("/langue/en?next=/")
    page = html.unescape(client.get(url(weighted.campaign, "indicateurs")).get_data(as_text=True))
    assert "No top-up health insurance" in page and "Sans complémentaire santé" not in page
    assert "Access to care and rights" in page and "Whole town" in page and "A woman" in page
    assert "Une femme" not in page and "Ensemble de la ville" not in page
    # the figures are the job's, only the words change
    result = tables.indicator_state(db_session, weighted.campaign).result
    town = next(r for r in result["rows"] if r["indicator"] == "sans_complementaire" and r["variable"] == "town")
    assert pct(town["estimate"]) in page
    assert "Sans complémentaire santé" in client.get(url(weighted.campaign, "indicateurs.csv")).get_data(as_text=True)

    page = html.unescape(client.get(url(weighted.campaign, "croisements?ligne=quartier&colonne=sexe")).get_data(as_text=True))
    assert "You are:" in page and "A man" in page and "Un homme" not in page
    assert "Priority district (QPV) or not" in page
    assert "Un homme" in client.get(url(weighted.campaign, "croisements.csv?ligne=quartier&colonne=sexe")).get_data(as_text=True)

    page = html.unescape(client.get(url(weighted.campaign, "quartiers")).get_data(as_text=True))
    assert "No top-up health insurance" in page

    client.get("/langue/fr?next=/")
    page = html.unescape(client.get(url(weighted.campaign, "indicateurs")).get_data(as_text=True))
    assert "Sans complémentaire santé" in page and "Ensemble de la ville" in page and "No top-up" not in page
