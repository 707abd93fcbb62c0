"""A respondent's response and its answers."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, enum_column


class Channel(str, enum.Enum):
    WEB = "web"
    PAPER = "paper"
    IMPORT = "import"


class ResponseStatus(str, enum.Enum):
    DRAFT = "draft"
    COMPLETE = "complete"
    VALIDATED = "validated"
    EXCLUDED = "excluded"


class Response(db.Model):
    """One respondent's answers to one questionnaire version.

    Anonymous by design: no IP address, no user agent, and only the day (not the time)
    of creation and submission.
    """

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("campaign_id", "paper_serial"),
        Index("ix_response_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "response_channel"))
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus, "response_status"), default=ResponseStatus.DRAFT
    )
    #: Why a coordinator excluded the response (duplicate, incoherent...).
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    #: Day only, never the time: enough for follow-up, not enough to identify.
    created_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Language the respondent answered in.
    language: Mapped[str] = mapped_column(String(10), default="fr")
    #: SHA-256 of the random resume token of a web draft; the token itself is never stored.
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Section the respondent reached (for resuming).
    current_section: Mapped[str | None] = mapped_column(String(100))
    #: Number written on a paper questionnaire, unique within the campaign.
    paper_serial: Mapped[str | None] = mapped_column(String(40))
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )
    questionnaire_version: Mapped["QuestionnaireVersion"] = relationship()

    def answers_dict(self) -> dict:
        """Return ``{question_id: typed value}``."""
        return {answer.question_id: answer.value for answer in self.answers}


class Answer(db.Model):
    """The answer to one question; the value sits in the column that fits its type."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    #: Question id in the definition (``q_medecin_traitant``, ``q_autre__autre``...).
    question_id: Mapped[str] = mapped_column(String(100), index=True)
    #: Option codes, free text, dates (ISO).
    value_text: Mapped[str | None] = mapped_column(Text)
    #: Integers, decimals, scale points.
    value_number: Mapped[float | None]
    #: Lists (multiple choice, ranking) and mappings (matrix).
    value_json: Mapped[list | dict | None] = mapped_column(JSONType)
    #: ``int`` when the number is an integer, so it is read back as one.
    value_kind: Mapped[str] = mapped_column(String(10), default="text")

    response: Mapped[Response] = relationship(back_populates="answers")

    @property
    def value(self):
        """Return the typed value."""
        if self.value_kind == "json":
            return self.value_json
        if self.value_kind == "int":
            return int(self.value_number)
        if self.value_kind == "float":
            return self.value_number
        return self.value_text

    @value.setter
    def value(self, value) -> None:
        for column, stored in encode_value(value).items():
            setattr(self, column, stored)


def encode_value(value) -> dict:
    """Return the column values that store ``value`` in an :class:`Answer` row."""
    columns = {"value_text": None, "value_number": None, "value_json": None}
    if isinstance(value, bool):
        raise TypeError("booleans are stored as option codes")
    if isinstance(value, (list, dict)):
        columns.update(value_kind="json", value_json=value)
    elif isinstance(value, int):
        columns.update(value_kind="int", value_number=float(value))
    elif isinstance(value, float):
        columns.update(value_kind="float", value_number=value)
    else:
        columns.update(value_kind="text", value_text=str(value))
    return columns


from .questionnaire import QuestionnaireVersion  # noqa: E402
