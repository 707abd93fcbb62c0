"""Routes of the URL map turned into requests, for the security inventories.

Nothing here lists routes by hand: a route added tomorrow is requested by every
inventory test the day it lands. URL arguments are filled from their names: ``slug``
is the campaign under test, an integer ``<x>_id`` is the id of an object of that
campaign when a model with a ``campaign_id`` is named ``x`` (else 1), and a few
strings have usual values.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role

MINI = Path(__file__).resolve().parents[1] / "data" / "survey_mini.yaml"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")
STRING_VALUES = {"lang": "fr", "filename": "style.css", "key": "mini", "section_id": "un", "fmt": "svg"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def campaign_model(argument: str):
    """Return the model with a ``campaign_id`` that an argument ``<x>_id`` names, or ``None``."""
    if not argument.endswith("_id"):
        return None
    stem = argument[: -len("_id")]
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        table = getattr(cls, "__table__", None)
        if table is None or "campaign_id" not in table.columns:
            continue
        names = {table.name, _snake(cls.__name__)}
        if stem in names or any(name.endswith("_" + stem) for name in names):
            return cls
    return None


def object_of(campaign, argument: str):
    """Return the id of an object of ``campaign`` that ``argument`` names, or ``None``."""
    model = campaign_model(argument)
    if model is None:
        return None
    return db.session.scalar(select(model.id).where(model.campaign_id == campaign.id).order_by(model.id).limit(1))


def arguments(rule):
    """Yield ``(name, converter, options)`` of each argument of ``rule``."""
    for match in _ARGUMENT.finditer(rule.rule):
        yield match["name"], match["converter"] or "default", match["options"]


def build_url(rule, world, campaign, *, objects_of=None) -> str:
    """Return a URL of ``rule`` for ``campaign``; integer ids from ``objects_of`` (default: the same campaign)."""
    objects_of = objects_of or campaign

    def value(match):
        name, converter, options = match["name"], match["converter"], match["options"]
        if converter == "any":
            return sorted(item.strip().strip("'\"") for item in options.split(","))[0]
        if name == "slug":
            return campaign.slug
        if converter == "int":
            if name == "user_id":
                return str(world["users"][Role.AGENT].id)
            found = object_of(objects_of, name)
            return str(found if found is not None else 1)
        if converter == "path":
            return STRING_VALUES.get(name, "style.css")
        return STRING_VALUES.get(name, "x")

    return _ARGUMENT.sub(value, rule.rule)


def _add_response(session, campaign):
    from survey_app.models import Answer, Channel, QuestionnaireVersion, Response, ResponseStatus

    version = session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.campaign_id == campaign.id))
    response = Response(
        campaign_id=campaign.id,
        questionnaire_version_id=version.id,
        channel=Channel.WEB,
        status=ResponseStatus.COMPLETE,
        created_on=dt.date.today(),
        submitted_on=dt.date.today(),
        language="fr",
    )
    session.add(response)
    session.flush()
    session.add(Answer(response_id=response.id, question_id="idees", value_text="Plus de bancs", value_kind="text"))
    return response


def _add_campaign_objects(session, campaign, response):
    """One object of each kind a staff URL names by id: a job, a weighting run, a paper form."""
    from survey_app.models import Channel, FormState, Job, JobState, PaperForm, Response, ResponseStatus, WeightingRun

    session.add(Job(campaign_id=campaign.id, kind="indicators", state=JobState.DONE, params={}, result={}))
    # not current: the weighting page shows only a run made by the service
    from survey_app.findings.weights import set_run_weights

    run = WeightingRun(campaign_id=campaign.id, method="raking", diagnostics={}, is_current=False)
    set_run_weights(run, [response.id], [1.0])
    session.add(run)
    session.flush()
    paper = Response(
        campaign_id=campaign.id, questionnaire_version_id=response.questionnaire_version_id, channel=Channel.PAPER,
        status=ResponseStatus.COMPLETE, created_on=dt.date.today(), submitted_on=dt.date.today(), language="fr",
    )
    session.add(paper)
    session.flush()
    session.add(PaperForm(
        campaign_id=campaign.id, keyed_serial=f"{campaign.slug[-1].upper()}-0001",
        questionnaire_version_id=response.questionnaire_version_id, response_id=paper.id, state=FormState.KEYED,
    ))


def fixture_world(db_session, create_user, create_campaign):
    """Two campaigns: A (one account of each role works on it) and B (another coordinator's)."""
    from survey_app.campaigns import questionnaires

    users = {role: create_user(role.value) for role in Role}
    other = create_user("coordinator", email="autre.coordination@ville.test")
    campaign_a = create_campaign("campagne-a", members=list(users.values()))
    campaign_b = create_campaign("campagne-b", members=[other])
    for campaign in (campaign_a, campaign_b):
        questionnaires.load_file(db_session, campaign, MINI)
        db_session.flush()
        _add_campaign_objects(db_session, campaign, _add_response(db_session, campaign))
    db_session.commit()
    return {"users": users, "other_coordinator": other, "campaign_a": campaign_a, "campaign_b": campaign_b}


def login_as(login, world, role: str):
    login(world["users"][Role(role)])
