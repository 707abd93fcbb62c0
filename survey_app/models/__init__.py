"""SQLAlchemy models, one module per aggregate."""
from .account_link import AccountLink, LinkPurpose
from .audit import AuditEvent
from .coding import AnswerCoding, Codebook
from .collection import RetentionPurge
from .campaign import Campaign, CampaignStatus, District, Margin
from .invitation import InvitationCode
from .job import Job, JobState
from .questionnaire import QuestionnaireVersion
from .report import ReportFile
from .priority import PRIORITY_STATUSES, PriorityDecision, PriorityGrid
from .paper import DoubleEntry, FormState, PaperDiscrepancy, PaperEntry, PaperForm, PaperSerial, PaperSettings, ResponseChange
from .response import Answer, Channel, Response, ResponseStatus
from .text_cache import LemmaCache
from .user import CampaignMember, LoginThrottle, Role, User
from .weighting import WeightingRun

__all__ = [
    "AccountLink",
    "AnswerCoding",
    "Codebook",
    "Answer",
    "AuditEvent",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "Channel",
    "District",
    "InvitationCode",
    "Job",
    "JobState",
    "LemmaCache",
    "LinkPurpose",
    "LoginThrottle",
    "Margin",
    "PriorityDecision",
    "PriorityGrid",
    "PRIORITY_STATUSES",
    "QuestionnaireVersion",
    "ReportFile",
    "Response",
    "ResponseStatus",
    "RetentionPurge",
    "Role",
    "User",
    "WeightingRun",
]
