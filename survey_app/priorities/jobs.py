"""The job "priorities": build a campaign's evidence for its candidate priorities off the request.

The first build in a process codes the free text and loads the French language model
(about 40 s), later ones take seconds: too long for a page (gunicorn's worker timeout
is 30 s). The job gathers the evidence (:func:`.evidence.gather_evidence`) and returns
it as plain values with the stamp of the data it rests on (:mod:`.stored`); the
workspace renders from that and the coordinator's decisions.

Light module (the views import it to register the kind): the analysis stack is
imported inside the job's function only.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..jobs import job_kind

JOB_KIND = "priorities"


@job_kind(JOB_KIND, label=_l("Construction de la liste des priorités candidates"), page="priorities.workspace")
def build_priorities(session, job, campaign_id: int, **params) -> dict:
    """Gather the campaign's evidence; return it as JSON values with the data's stamp."""
    from ..domain import ServiceError
    from ..jobs.i18n import _
    from ..models import Campaign
    from ..models._types import utcnow
    from . import evidence, stored

    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ServiceError(_("Cette campagne n'existe plus."))
    job.progress(0.02, _("Lecture des réponses…"))
    before = stored.data_stamp(session, campaign)
    found = evidence.gather_evidence(session, campaign, progress=job.progress)
    job.progress(0.97, _("Enregistrement de la liste…"))
    stamp = stored.settle_stamp(before, stored.data_stamp(session, campaign))
    evidence.EVIDENCE.put(stored.data_key(session, campaign), found)
    return {"format": stored.FORMAT, "computed_at": utcnow().isoformat(), "stamp": stamp,
            "evidence": stored.to_plain(found)}
