"""The weighting page in English: its interface strings (the chart's caption and title
among them) in English; French stays the default, and the run stores the French."""
import html

from survey_app.weighting import services

URL = "/espace/campagnes/demo/ponderation/"
CAPTION_FR = "Poids de chaque répondant ; trait pointillé : poids moyen."
CAPTION_EN = "Weight of each respondent; dotted line: mean weight."


def _weighted(client, login, coordinator):
    login(coordinator)
    response = client.post(URL + "calcul", data={"method": "rake", "trim_upper": "", "min_respondents": ""})
    assert response.status_code == 302


def _chart_url(page: str) -> str:
    start = page.index('src="' + URL + "poids-") + len('src="')
    return html.unescape(page[start:page.index('"', start)])


def test_weighting_page_and_chart_in_english_french_by_default(client, login, coordinator, demo, db_session):
    _weighted(client, login, coordinator)
    run = services.current_weighting(db_session, demo).run
    assert run.diagnostics["distribution"]["caption"] == CAPTION_FR  # stored in French

    page = html.unescape(client.get(URL).get_data(as_text=True))
    assert CAPTION_FR in page and CAPTION_EN not in page
    assert " à " in page.split("Poids calculés le", 1)[1].split(" par ", 1)[0]
    assert _chart_url(page) == f"{URL}poids-{run.id}.svg"
    chart = client.get(_chart_url(page)).get_data(as_text=True)
    assert "Distribution des poids après pondération" in chart and "Distribution of the weights" not in chart

    client.get("/langue/en?next=/")
    page = html.unescape(client.get(URL).get_data(as_text=True))
    assert CAPTION_EN in page and CAPTION_FR not in page
    computed = page.split("Weights computed on", 1)[1].split(" by ", 1)[0]
    assert " at " in computed and " à " not in computed
    chart_url = _chart_url(page)
    assert chart_url != f"{URL}poids-{run.id}.svg"  # not the French drawing a browser may have kept
    chart = client.get(chart_url)
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    svg = chart.get_data(as_text=True)
    assert "Distribution of the weights after weighting" in svg
    assert "Distribution des poids après pondération" not in svg
