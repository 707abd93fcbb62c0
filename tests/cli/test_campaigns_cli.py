"""``flask campaigns``: a town sets up its own campaign without touching code."""
from sqlalchemy import func, select

from survey_app.models import AuditEvent, Campaign, CampaignStatus, InvitationCode
from survey_app.survey import answering
from survey_app.campaigns import margins


def test_create_a_campaign_with_districts_margins_and_a_member(runner, db_session, create_user, tmp_path):
    districts = tmp_path / "quartiers.csv"
    districts.write_text("code;name;qpv;target\ncentre;Centre;non;100\nfosse;La Fosse;oui;80\n", encoding="utf-8")
    result = runner.invoke(args=["campaigns", "create", "kb-2027", "--name", "Diagnostic 2027", "--districts", str(districts), "--opens", "2027-03-01", "--closes", "2027-05-31"])
    assert result.exit_code == 0, result.output
    assert "2 quartier(s)" in result.output
    campaign = db_session.scalar(select(Campaign).where(Campaign.slug == "kb-2027"))
    assert [(d.code, d.qpv, d.target) for d in campaign.districts] == [("centre", False, 100), ("fosse", True, 80)]
    assert campaign.status is CampaignStatus.DRAFT

    census = tmp_path / "marges.csv"
    census.write_text("variable,category,count,source\ndistrict,centre,5200,INSEE RP 2021\ndistrict,fosse,3100,INSEE RP 2021\n", encoding="utf-8")
    assert runner.invoke(args=["campaigns", "margins", "kb-2027", str(census)]).exit_code == 0
    assert len(margins.margins_frame(db_session, campaign)) == 2

    user = create_user("coordinator")
    assert runner.invoke(args=["campaigns", "add-member", "kb-2027", user.email]).exit_code == 0
    assert runner.invoke(args=["campaigns", "status", "kb-2027", "open"]).exit_code == 0
    db_session.expire_all()
    assert db_session.get(Campaign, campaign.id).status is CampaignStatus.OPEN
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "campaign.status")) == 1


def test_bad_inputs_are_one_clear_line_and_write_nothing(runner, db_session, tmp_path):
    districts = tmp_path / "quartiers.csv"
    districts.write_text("code,name,target\ncentre,Centre,beaucoup\n", encoding="utf-8")
    result = runner.invoke(args=["campaigns", "create", "ville", "--name", "V", "--districts", str(districts)])
    assert result.exit_code == 1 and "objectif « beaucoup » invalide" in result.output
    result = runner.invoke(args=["campaigns", "create", "Pas Valide!", "--name", "V"])
    assert result.exit_code == 1 and "Identifiant de campagne invalide" in result.output
    result = runner.invoke(args=["campaigns", "create", "ville", "--name", "V", "--opens", "2027-05-01", "--closes", "2027-03-01"])
    assert result.exit_code == 1 and "précède" in result.output
    assert db_session.scalar(select(func.count()).select_from(Campaign)) == 0
    census = tmp_path / "marges.csv"
    census.write_text("variable,category,count\ndistrict,centre,-5\n", encoding="utf-8")
    assert runner.invoke(args=["campaigns", "margins", "absente", str(census)]).exit_code == 1


def test_invitation_codes_are_written_once_and_only_hashes_kept(runner, create_campaign, db_session, tmp_path):
    create_campaign("ville")
    out = tmp_path / "codes.csv"
    result = runner.invoke(args=["campaigns", "invitations", "ville", "--count", "25", "--out", str(out)])
    assert result.exit_code == 0, result.output
    codes = out.read_text(encoding="utf-8").split()[1:]
    assert len(set(codes)) == 25
    stored = set(db_session.scalars(select(InvitationCode.code_hash)))
    assert len(stored) == 25 and not any(code.replace("-", "") in stored for code in codes)
    assert {answering.hash_code(code) for code in codes} == stored
    again = runner.invoke(args=["campaigns", "invitations", "ville", "--count", "5", "--out", str(out)])
    assert again.exit_code == 1 and "existe déjà" in again.output
