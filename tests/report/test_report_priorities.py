"""The report's candidate priorities are the priorities workspace's: same list, ranks, scores, evidence."""
from __future__ import annotations

import html as html_lib
import re

from .conftest import QUESTIONNAIRES


def _summary(ranked) -> list[tuple]:
    """What both lists must agree on, per candidate: the workspace's ranking read as plain values."""
    from analysis.priorities import format_number_fr

    out = []
    for item in ranked.all:
        c, score = item.candidate, item.score
        lead = c.lead
        out.append((c.key, item.rank, c.label, score.status,
                     {k: format_number_fr(v) for k, v in score.parts().items()},
                     format_number_fr(score.total) if not score.thin else "–",
                     lead[0] if lead else "", round(lead[1].estimate, 9) if lead and lead[1].estimate is not None
                     else None, tuple(c.verbatims)))
    return out


def test_report_and_workspace_show_the_same_candidates(client, db_session, create_user, login):
    from survey_app.campaigns import demo
    from survey_app.campaigns import services as campaigns
    from survey_app.priorities import evidence, services, stored
    from survey_app.report.gather import gather_report

    evidence.forget()
    made = demo.setup_demo(db_session, questionnaires_dir=QUESTIONNAIRES, responses=150, seed=11)
    campaign = made.campaign
    coordinator = create_user("coordinator")
    campaigns.add_member(db_session, campaign, coordinator)
    db_session.commit()
    job = stored.start_build(db_session, campaign, coordinator)  # immediate mode: built when it returns
    db_session.commit()
    assert job.error is None
    # the coordinator's decisions: a merge, a rename, an assessment, a candidate kept
    first = services.ranked_priorities(db_session, campaign)
    keys = [item.key for item in first.ranked]
    assert len(keys) >= 4
    services.merge(db_session, campaign, coordinator, keys[3], keys[2])
    services.update_decision(db_session, campaign, coordinator, keys[1], label="Accès aux soins — renommé",
                             status="kept", seriousness="9", effectiveness="2", note="Vu en comité")
    db_session.commit()

    work = services.workspace(db_session, campaign)
    data = gather_report(db_session, campaign)
    items = data.priorities["items"]

    expected = _summary(work.ranking)
    got = [(i["key"], i["rank"], i["label"], i["status"], i["parts"], i["total"], i["lead"],
            round(i["figure"].estimate, 9) if i["figure"].shown else None, tuple(i["quotes"])) for i in items]
    # a lead figure the report hides (under 11) is compared as hidden
    expected = [e[:7] + ((e[7] if g[7] is not None else None),) + e[8:] for e, g in zip(expected, got)]
    assert got == expected
    assert keys[3] not in [i["key"] for i in items]          # merged away, as on the page
    renamed = next(i for i in items if i["key"] == keys[1])
    assert renamed["label"] == "Accès aux soins — renommé" and renamed["kept"] and renamed["note"] == "Vu en comité"
    assert renamed["parts"]["B"] == "9" and renamed["parts"]["C"] == "2"
    assert data.priorities["kept"] == [keys[1]]
    assert [i["label"] for i in data.priorities["kept_items"]] == ["Accès aux soins — renommé"]
    for item, ranked in zip(items, work.ranking.all):
        assert item["districts"] == [work.evidence.group_label(g.variable, g.group)
                                     for g in ranked.candidate.worse_districts if g.variable == "district"]
        assert item["axis_label"] == work.axis_label(ranked.candidate.axis)
    # the residents' ranking table is the evidence's (options as the page lists them)
    assert [row[0] for row in data.priorities["ranking"].rows] == \
        [r.label for r in sorted(work.evidence.ranking, key=lambda r: -(r.top.estimate if r.top.publishable else -1))]
    # the same list on the workspace page: its table of the ranking, row by row (rank, key, label)
    login(coordinator)
    body = client.get(f"/espace/campagnes/{campaign.slug}/priorites").get_data(as_text=True)
    rows = re.findall(r'<td>([^<]*)</td>\s*<th scope="row"><a href="#cand-([^"]+)">([^<]*)</a></th>', body)
    assert [(rank, key, html_lib.unescape(label)) for rank, key, label in rows] == \
        [(str(i["rank"] or "–"), i["key"], i["label"]) for i in items]

    # after a change of data the report says its list is stale, still showing the stored one
    from survey_app.findings import weights

    weights.store_weights(db_session, campaign, weights.weight_sample(db_session, campaign, "resident"))
    db_session.commit()
    again = gather_report(db_session, campaign)
    assert [i["key"] for i in again.priorities["items"]] == [i["key"] for i in items]
    assert any("construite avant les derniers changements" in limit for limit in again.limits)
    evidence.forget()
