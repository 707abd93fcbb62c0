"""The figures of the residents' public results page, frozen from a report build.

The page is public and light: it is rendered from these plain values, stored with the
campaign when the coordinator publishes it, without any computation per visit. Every
figure comes from the report's published (suppressed) values: a district of fewer
than 11 respondents shows « < 11 », never a number.
"""
from __future__ import annotations

#: Indicators on the page (the largest needs of the town).
KEY_INDICATORS = 6
KEY_THEMES = 5


def _share(figure) -> dict:
    return {"pct": figure.pct, "ci": figure.ci, "shown": figure.shown}


def public_summary(data, campaign) -> dict:
    """Return the JSON-ready content of the public page from a :class:`ReportData`."""
    items = [i for axis in data.axes for i in axis["indicators"] if i["town"].shown]
    items.sort(key=lambda i: -i["town"].estimate)
    indicators = []
    for item in items[:KEY_INDICATORS]:
        districts = sorted(item["groups"].get("district", []), key=lambda g: g[0])
        indicators.append({
            "name": item["name"], "label": item["label"], "labels": item.get("labels") or {"fr": item["label"]},
            "town": _share(item["town"]),
            "districts": [{"name": name, **_share(figure)} for name, figure in districts],
            "worse": [g["group"] for g in item["gaps"] if g["direction"] == "worse"],
        })
    themes = sorted((t for axis in data.axes for t in axis["themes"] if t["share"].shown),
                    key=lambda t: -t["share"].estimate)
    kept = [{"label": c["label"], "axis": c["axis_label"]} for c in data.priorities.get("kept_items", [])]
    return {
        "town": data.campaign["town"], "name": data.campaign["name"],
        "opens_on": data.campaign["opens_on"], "closes_on": data.campaign["closes_on"],
        "data_date": data.campaign["data_date"], "responses": data.campaign["responses"],
        "weighted": bool(data.weighted), "weighting_note": data.weighting_note,
        "indicators": indicators, "themes": [{"label": t["label"], **_share(t["share"])} for t in themes[:KEY_THEMES]], "kept": kept,
        "small_districts": list(data.campaign.get("small_districts", [])),
    }
