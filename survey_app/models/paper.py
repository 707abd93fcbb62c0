"""Paper questionnaires: serials issued, forms keyed, the entries of each keying, the
reconciliation of double entries and the change log of a response after completion.

Each keying of a paper form is kept as it was typed (:class:`PaperEntry`, never updated);
the response the analysis reads is a separate :class:`~.response.Response` that changes
only through a traced decision (:class:`ResponseChange`).
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, Timestamp, enum_column, utcnow


class DoubleEntry(str, enum.Enum):
    """Which paper forms of a campaign are keyed twice."""

    NONE = "none"
    ALL = "all"
    #: A random share, drawn when the first entry is saved.
    SAMPLE = "sample"


class FormState(str, enum.Enum):
    """Where a paper form stands."""

    #: Keyed once; no second entry asked (the response is complete).
    KEYED = "keyed"
    #: Saved as incomplete, with a reason (the response stays a draft).
    INCOMPLETE = "incomplete"
    AWAITING_SECOND = "awaiting_second"
    #: The two entries differ: a coordinator reads the paper.
    RECONCILING = "reconciling"
    VALIDATED = "validated"
    CANCELLED = "cancelled"


class PaperSettings(db.Model):
    """A campaign's paper-entry rules (a campaign without a row: single entry)."""

    __tablename__ = "paper_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    double_entry: Mapped[DoubleEntry] = mapped_column(
        enum_column(DoubleEntry, "paper_double_entry"), default=DoubleEntry.NONE
    )
    #: Share of forms keyed twice when ``double_entry`` is ``sample`` (1 to 100).
    sample_percent: Mapped[int] = mapped_column(default=10)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class PaperSerial(db.Model):
    """A serial printed on a pre-numbered copy of a questionnaire."""

    __tablename__ = "paper_serial"
    __table_args__ = (UniqueConstraint("campaign_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="CASCADE"), index=True
    )
    #: Normalised (upper case, no spaces nor dashes).
    serial: Mapped[str] = mapped_column(String(40))
    #: Running number within the campaign (the serial is built from it).
    number: Mapped[int]
    language: Mapped[str] = mapped_column(String(10), default="fr")
    issued_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class PaperForm(db.Model):
    """One paper questionnaire, identified by its serial, and the response built from it."""

    __tablename__ = "paper_form"
    __table_args__ = (
        UniqueConstraint("campaign_id", "serial"),
        Index("ix_paper_form_campaign_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: Normalised serial; emptied when the form is cancelled, so the number can be keyed again.
    serial: Mapped[str | None] = mapped_column(String(40))
    #: The serial as first keyed (kept after a cancellation).
    keyed_serial: Mapped[str] = mapped_column(String(40))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), index=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[FormState] = mapped_column(enum_column(FormState, "paper_form_state"))
    #: Drawn (or set) when the first entry is saved.
    needs_second: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    validated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    entries: Mapped[list["PaperEntry"]] = relationship(
        back_populates="form", cascade="all, delete-orphan", order_by="PaperEntry.round"
    )
    discrepancies: Mapped[list["PaperDiscrepancy"]] = relationship(
        back_populates="form", cascade="all, delete-orphan", order_by="PaperDiscrepancy.id"
    )
    response: Mapped["Response"] = relationship()
    questionnaire_version: Mapped["QuestionnaireVersion"] = relationship()

    def entry(self, round_: int) -> "PaperEntry | None":
        return next((e for e in self.entries if e.round == round_), None)


class PaperEntry(db.Model):
    """One keying of a paper form, as the agent typed it; never changed afterwards."""

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("form_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("paper_form.id", ondelete="CASCADE"))
    #: 1 for the first entry, 2 for the second (double entry).
    round: Mapped[int]
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    #: Typed answers ``{question id: value}`` (option codes, numbers, texts).
    answers: Mapped[dict] = mapped_column(JSONType)
    #: Questions the agent marked ``blank`` (« non renseigné ») or ``illegible``.
    markers: Mapped[dict] = mapped_column(JSONType)
    complete: Mapped[bool] = mapped_column(default=True)
    incomplete_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)

    form: Mapped[PaperForm] = relationship(back_populates="entries")
    agent: Mapped["User | None"] = relationship()


class PaperDiscrepancy(db.Model):
    """A question on which the two entries of a form differ, and what the paper says."""

    __tablename__ = "paper_discrepancy"
    __table_args__ = (UniqueConstraint("form_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("paper_form.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    #: ``{"kind": "value", "value": …}``, ``{"kind": "blank"}``, ``{"kind": "illegible"}``
    #: or ``{"kind": "missing"}``, for each entry.
    first: Mapped[dict] = mapped_column(JSONType)
    second: Mapped[dict] = mapped_column(JSONType)
    #: The value read on the paper questionnaire (same shape), once decided.
    paper: Mapped[dict | None] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)

    form: Mapped[PaperForm] = relationship(back_populates="discrepancies")
    decided_by: Mapped["User | None"] = relationship()


class ResponseChange(db.Model):
    """A change to a response after it was completed: who, when, old and new, why."""

    __tablename__ = "response_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: ``reconciliation``, ``correction``, ``cancel``, ``validate``, ``prune``…
    action: Mapped[str] = mapped_column(String(40))
    #: Question whose answer changed; empty for a change of the whole response.
    question_id: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[dict] = mapped_column(JSONType)
    new_value: Mapped[dict] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped["User | None"] = relationship()


from .questionnaire import QuestionnaireVersion  # noqa: E402
from .response import Response  # noqa: E402
from .user import User  # noqa: E402
