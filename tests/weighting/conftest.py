"""The demo campaign (resident questionnaire, 8 districts, margins, 400 responses) and its coordinator."""
import pytest
from sqlalchemy import select

from survey_app.models import Campaign


@pytest.fixture()
def demo(runner, db_session):
    result = runner.invoke(args=["demo", "setup", "--responses", "400", "--seed", "11"])
    assert result.exit_code == 0, result.output
    return db_session.scalar(select(Campaign).where(Campaign.slug == "demo"))


@pytest.fixture()
def coordinator(demo, create_user, db_session):
    from survey_app.campaigns import services as campaigns

    user = create_user("coordinator")
    campaigns.add_member(db_session, demo, user)
    db_session.commit()
    return user


def margins_csv(demo, db_session, *, changes=None, extra=(), drop=()):
    """The demo's own margins as a CSV text, with changes: {(variable, category): count}."""
    from survey_app.campaigns import margins

    frame = margins.margins_frame(db_session, demo)
    lines = ["variable;category;count"]
    for variable, category, count in frame.itertuples(index=False):
        if (variable, category) in drop:
            continue
        value = (changes or {}).get((variable, category), f"{count:.0f}")
        lines.append(f"{variable};{category};{value}")
    lines += [";".join(map(str, row)) for row in extra]
    return "\n".join(lines) + "\n"
