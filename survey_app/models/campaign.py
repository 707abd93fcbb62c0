"""A campaign: one diagnostic survey wave with its districts, targets and margins."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import JSONType, Timestamp, enum_column, utcnow


class CampaignStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


def open_on(status, opens_on: dt.date | None, closes_on: dt.date | None, day: dt.date) -> bool:
    """Tell whether a campaign with this status and these dates takes answers on ``day``."""
    if status != CampaignStatus.OPEN:
        return False
    if opens_on and day < opens_on:
        return False
    return not (closes_on and day > closes_on)


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short identifier used in URLs and on the command line.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Town or territory running the survey, shown to residents.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Languages offered to residents, French first.
    languages: Mapped[list] = mapped_column(JSONType, default=lambda: ["fr", "en"])
    #: CLS axes: {key: {"fr": label, "en": label}}; empty means the default set.
    axes: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: Texts of the information page (who, why, contact, RGPD rights), per language.
    information: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    #: When the coordinator published the residents' results page (None: not published).
    results_published_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    #: The figures of the public results page, frozen when it was published (plain values).
    results_page: Mapped[dict | None] = mapped_column(JSONType)
    #: After this day the raw responses may be deleted (aggregates and the report remain).
    retention_until: Mapped[dt.date | None] = mapped_column(Date)

    districts: Mapped[list["District"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="District.position"
    )
    margins: Mapped[list["Margin"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )
    members: Mapped[list["CampaignMember"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )

    def is_open_on(self, day: dt.date) -> bool:
        """Tell whether residents may answer on ``day``."""
        return open_on(self.status, self.opens_on, self.closes_on, day)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class District(db.Model):
    """A district (quartier) of the campaign, optionally a quartier prioritaire (QPV)."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: Stable code keyed from paper forms and carried by exports.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    qpv: Mapped[bool] = mapped_column(default=False)
    #: Number of complete responses wanted from this district.
    target: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="districts")


class Margin(db.Model):
    """A census count used for weighting: ``variable`` = ``category`` has ``count`` people.

    Joint cells for post-stratification use a variable such as
    ``district*age_band*sex`` and a category ``centre|30-44|F``.
    """

    __tablename__ = "margin"
    __table_args__ = (UniqueConstraint("campaign_id", "variable", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    variable: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(200))
    count: Mapped[float]
    #: Where the figure comes from (e.g. « INSEE RP 2021 »).
    source: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship(back_populates="margins")


from .user import CampaignMember  # noqa: E402  (relationship target)
