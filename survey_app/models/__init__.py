"""SQLAlchemy models, one module per aggregate."""
from .audit import AuditEvent
from .campaign import Campaign, CampaignStatus, District, Margin
from .questionnaire import QuestionnaireVersion
from .response import Answer, Channel, Response, ResponseStatus
from .user import CampaignMember, Role, User

__all__ = [
    "Answer",
    "AuditEvent",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "Channel",
    "District",
    "Margin",
    "QuestionnaireVersion",
    "Response",
    "ResponseStatus",
    "Role",
    "User",
]
