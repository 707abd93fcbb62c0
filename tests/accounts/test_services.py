"""Account services: invitations, links, roles, campaigns, activation, activity."""
import datetime as dt

import pytest
from sqlalchemy import select

from survey_app.accounts import activity, links
from survey_app.accounts import services as users
from survey_app.domain import ServiceError
from survey_app.models import AccountLink, AuditEvent, LinkPurpose, Role, User
from survey_app.models._types import utcnow

NEW_PASSWORD = "cheval agrafe batterie"


def actions(session):
    return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_invitation_makes_a_closed_account_and_keeps_only_the_hash(db_session, create_user, create_campaign):
    admin = create_user("admin")
    campaign = create_campaign("ville-a")
    issued = links.invite(db_session, "Jeanne.Agent@Ville.test", "Jeanne", "agent", [campaign], actor=admin)
    db_session.commit()
    user = issued.user
    assert (user.email, user.role, user.active, user.invitation_pending) == ("jeanne.agent@ville.test", Role.AGENT, False, True)
    assert [m.campaign_id for m in user.memberships] == [campaign.id]
    stored = db_session.scalars(select(AccountLink)).all()
    assert len(stored) == 1 and stored[0].purpose is LinkPurpose.INVITATION
    assert stored[0].token_hash == links.token_hash(issued.token) and issued.token not in stored[0].token_hash
    assert len(issued.token) >= 40
    assert dt.timedelta(days=6, hours=23) < issued.expires_at - utcnow() <= dt.timedelta(days=7)
    # cannot log in before accepting, whatever the password
    assert users.sign_in(db_session, user.email, NEW_PASSWORD, key_secret="k").user is None
    assert {"user.invite", "campaign.member_add"} <= set(actions(db_session))


def test_accepting_opens_the_account_once(db_session, create_user):
    admin = create_user("admin")
    issued = links.invite(db_session, "nouveau@ville.test", "Nouveau", "coordinator", actor=admin)
    db_session.commit()
    generation = issued.user.session_generation
    user = links.use_link(db_session, issued.token, NEW_PASSWORD)
    db_session.commit()
    assert user.active and not user.invitation_pending and user.session_generation == generation + 1
    assert users.sign_in(db_session, user.email, NEW_PASSWORD, key_secret="k").user is user
    with pytest.raises(links.LinkRefused, match="déjà servi"):
        links.use_link(db_session, issued.token, "une autre phrase secrète")
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invitation_accept"))
    assert event.actor_id == user.id and event.entity_id == str(user.id)


def test_a_weak_password_does_not_spend_the_link(db_session, create_user):
    issued = links.invite(db_session, "faible@ville.test", "Faible", "agent", actor=create_user("admin"))
    db_session.commit()
    with pytest.raises(ServiceError, match="plus courants"):
        links.use_link(db_session, issued.token, "azertyuiop123")
    db_session.rollback()
    assert links.use_link(db_session, issued.token, NEW_PASSWORD).active


def test_expired_unknown_and_replaced_links_are_refused(db_session, create_user):
    admin = create_user("admin")
    issued = links.invite(db_session, "tard@ville.test", "Tard", "agent", actor=admin)
    db_session.commit()
    later = utcnow() + dt.timedelta(days=7, minutes=1)
    with pytest.raises(links.LinkRefused, match="a expiré le"):
        links.use_link(db_session, issued.token, NEW_PASSWORD, now=later)
    with pytest.raises(links.LinkRefused, match="pas valide"):
        links.find_link(db_session, issued.token + "x")
    again = links.new_link(db_session, issued.user, actor=admin)
    db_session.commit()
    assert again.purpose is LinkPurpose.INVITATION
    with pytest.raises(links.LinkRefused, match="remplacé"):
        links.find_link(db_session, issued.token)
    assert links.use_link(db_session, again.token, NEW_PASSWORD).active
    assert db_session.get(User, issued.user.id).invitation_pending is False


def test_a_reset_link_sets_a_new_password_once_and_ends_sessions(db_session, create_user):
    admin = create_user("admin")
    agent = create_user("agent")
    issued = links.new_link(db_session, agent, actor=admin)
    db_session.commit()
    assert issued.purpose is LinkPurpose.RESET
    # the current password works until the link is used
    assert users.sign_in(db_session, agent.email, "mot-de-passe-de-test", key_secret="k").user is agent
    generation = agent.session_generation
    links.use_link(db_session, issued.token, NEW_PASSWORD)
    db_session.commit()
    assert agent.session_generation == generation + 1
    assert users.sign_in(db_session, agent.email, "mot-de-passe-de-test", key_secret="k").user is None
    assert users.sign_in(db_session, agent.email, NEW_PASSWORD, key_secret="k").user is agent
    with pytest.raises(links.LinkRefused, match="déjà servi"):
        links.use_link(db_session, issued.token, "encore une autre phrase")
    assert {"user.reset_link", "user.password_reset"} <= set(actions(db_session))
    # nothing of a password in the trail
    for event in db_session.scalars(select(AuditEvent)):
        assert NEW_PASSWORD not in repr((event.old_value, event.new_value))


def test_deactivation_cancels_links_and_refuses_new_ones(db_session, create_user):
    admin = create_user("admin")
    agent = create_user("agent")
    issued = links.new_link(db_session, agent, actor=admin)
    users.set_active(db_session, agent, False, actor=admin)
    db_session.commit()
    with pytest.raises(links.LinkRefused):
        links.use_link(db_session, issued.token, NEW_PASSWORD)
    with pytest.raises(ServiceError, match="désactivé"):
        links.new_link(db_session, agent, actor=admin)
    assert users.sign_in(db_session, agent.email, "mot-de-passe-de-test", key_secret="k").user is None


def test_cancelling_an_invitation_closes_it(db_session, create_user):
    admin = create_user("admin")
    issued = links.invite(db_session, "annule@ville.test", "Annulé", "agent", actor=admin)
    users.set_active(db_session, issued.user, False, actor=admin)
    db_session.commit()
    assert issued.user.invitation_pending is False
    with pytest.raises(links.LinkRefused):
        links.find_link(db_session, issued.token)


def test_an_invitation_refuses_a_known_address_and_a_bad_role(db_session, create_user):
    admin = create_user("admin")
    agent = create_user("agent")
    with pytest.raises(ServiceError, match="existe déjà"):
        links.invite(db_session, agent.email.upper(), "Double", "agent", actor=admin)
    with pytest.raises(ServiceError, match="Rôle inconnu"):
        links.invite(db_session, "x@ville.test", "X", "chef", actor=admin)
    with pytest.raises(ServiceError, match="invalide"):
        links.invite(db_session, "pas-une-adresse", "X", "agent", actor=admin)


def test_the_last_administrator_stays(db_session, create_user):
    admin = create_user("admin")
    with pytest.raises(ServiceError, match="dernier compte d'administration"):
        users.set_role(db_session, admin, "coordinator", actor=admin)
    with pytest.raises(ServiceError, match="propre compte"):
        users.set_active(db_session, admin, False, actor=admin)
    with pytest.raises(ServiceError, match="dernier compte d'administration"):
        users.set_active(db_session, admin, False, actor=None)  # e.g. ``flask users deactivate``
    assert admin.role is Role.ADMIN and admin.active
    other = create_user("admin")
    users.set_role(db_session, admin, "coordinator", actor=admin)  # another administrator remains
    db_session.commit()
    assert admin.role is Role.COORDINATOR
    with pytest.raises(ServiceError, match="dernier compte d'administration"):
        users.set_role(db_session, other, "agent", actor=other)
    # an inactive administrator does not count
    users.set_role(db_session, admin, "admin", actor=other)
    users.set_active(db_session, admin, False, actor=other)
    with pytest.raises(ServiceError, match="dernier compte d'administration"):
        users.set_role(db_session, other, "agent", actor=other)


def test_role_and_campaigns_are_set_and_audited(db_session, create_user, create_campaign):
    admin = create_user("admin")
    agent = create_user("agent")
    a, b = create_campaign("ville-a", members=[agent]), create_campaign("ville-b")
    users.set_role(db_session, agent, "coordinator", actor=admin)
    users.set_campaigns(db_session, agent, [b], actor=admin)
    db_session.commit()
    db_session.expire_all()
    agent = db_session.get(User, agent.id)
    assert agent.role is Role.COORDINATOR
    assert [m.campaign_id for m in agent.memberships] == [b.id]
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id) for e in events] == [
        ("user.role", str(agent.id)), ("campaign.member_remove", str(a.id)), ("campaign.member_add", str(b.id)),
    ]
    assert (events[0].old_value, events[0].new_value) == ("agent", "coordinator")


def test_activity_lists_who_what_when_and_the_campaign_without_answers(db_session, create_user, create_campaign):
    from survey_app import audit

    admin = create_user("admin")
    coordinator = create_user("coordinator")
    campaign = create_campaign("ville-a", members=[coordinator])
    audit.record(db_session, coordinator, "response.correct", "response", 999_999, field="idees",
                 old="Mon voisin est malade", new="Texte secret de santé")
    audit.record(db_session, coordinator, "campaign.status", "campaign", campaign.id, field="status", old="open", new="closed")
    users.set_role(db_session, coordinator, "agent", actor=admin)
    db_session.commit()
    page = activity.recent_activity(db_session)
    assert page.rows[0].action == "user.role" and page.rows[0].actor_name == "Admin Test"
    assert page.rows[0].subject == "Coordinator Test" and page.rows[0].values == ("coordinator", "agent")
    mine = activity.recent_activity(db_session, actor_id=coordinator.id)
    assert [r.action for r in mine.rows] == ["campaign.status", "response.correct"]
    assert mine.rows[0].campaign_slug == "ville-a" and mine.rows[0].values == ("open", "closed")
    assert mine.rows[1].values is None  # an answer's text is never given back
    assert "secret" not in repr(mine) and "malade" not in repr(mine)
    assert mine.rows[0].at.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))


def test_activity_is_paginated_newest_first(db_session, create_user):
    from survey_app import audit

    admin = create_user("admin")
    for number in range(7):
        audit.record(db_session, admin, "campaign.create", "campaign", number)
    db_session.commit()
    first = activity.recent_activity(db_session, actor_id=admin.id, per_page=3)
    last = activity.recent_activity(db_session, actor_id=admin.id, per_page=3, page=99)
    assert (first.total, first.pages, last.page) == (7, 3, 3)
    assert [r.entity_id for r in first.rows] == ["6", "5", "4"] and [r.entity_id for r in last.rows] == ["0"]


def test_a_pending_invitation_cannot_be_opened_without_its_link(db_session, create_user):
    issued = links.invite(db_session, "attente@ville.test", "Attente", "agent", actor=create_user("admin"))
    with pytest.raises(ServiceError, match="invitation soit acceptée"):
        users.set_active(db_session, issued.user, True)
    assert issued.user.active is False and issued.user.invitation_pending


@pytest.mark.usefixtures("committed_db")  # two sessions of their own, one in a thread
def test_two_administrators_demoting_each_other_at_once_leave_one(app, db_session, create_user):
    """PostgreSQL: the second demotion waits for the first, then is refused (SQLite writes one at a time)."""
    import threading

    from sqlalchemy.orm import Session

    from survey_app.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises the two transactions anyway")
    first_admin, second_admin = create_user("admin"), create_user("admin")
    one, two = Session(db.engine), Session(db.engine)
    outcome = {}
    try:
        users.set_role(one, one.get(User, second_admin.id), "coordinator", actor=one.get(User, first_admin.id))
        # not flushed: only the check's locks hold the administrators' rows

        def demote_the_other():
            try:
                users.set_role(two, two.get(User, first_admin.id), "coordinator", actor=two.get(User, second_admin.id))
                two.commit()
                outcome["second"] = "done"
            except ServiceError as error:
                two.rollback()
                outcome["second"] = str(error)

        racer = threading.Thread(target=demote_the_other)
        racer.start()
        racer.join(1.0)
        assert racer.is_alive()  # waiting for the first transaction's locks
        one.commit()
        racer.join(10)
    finally:
        one.close()
        two.close()
    assert "dernier compte d'administration" in outcome["second"]
    db_session.expire_all()
    assert [u.role for u in db_session.scalars(select(User).order_by(User.id))] == [Role.ADMIN, Role.COORDINATOR]
