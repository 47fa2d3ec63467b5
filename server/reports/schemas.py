from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator
from typing import Annotated

from server.tags.vocabulary import MAX_TAGS

MAX_DOORS = 5000  # a tour of a day is a few hundred doors; more is a typo

StationSource = Literal["given", "assignment", "pings"]


class NewReport(BaseModel):
    doors_knocked: int = Field(ge=0, le=MAX_DOORS)
    doors_opened: int = Field(ge=0, le=MAX_DOORS, description="at most doors_knocked")
    contacts: int = Field(ge=0, le=MAX_DOORS, description="new contacts (people who left their details)")
    tags: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description="topics that came up at the doors: keys of the campaign's closed vocabulary (GET /tags); "
        "anything else is refused (422 naming the tag)",
    )
    station: str | None = Field(
        default=None,
        max_length=64,
        description="the polling station canvassed; default: where the shift's pings fell, else the team's assignment",
    )
    client_id: uuid.UUID | None = Field(
        default=None, description="the phone's id for this report: a resend with the same id is stored once"
    )

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _opened_within_knocked(self) -> NewReport:
        if self.doors_opened > self.doors_knocked:
            raise ValueError(f"doors_opened ({self.doors_opened}) cannot exceed doors_knocked ({self.doors_knocked})")
        return self


class Report(BaseModel):
    id: int
    volunteer: int
    name: str
    shift: int | None
    team: int | None
    station: str | None
    station_name: str | None
    station_source: StationSource | None = Field(description="how the station was chosen")
    doors_knocked: int
    doors_opened: int
    contacts: int
    tags: list[str]
    created_at: dt.datetime


class ReportCreated(BaseModel):
    report: Report
    created: bool = Field(description="false: this client_id was already stored, this is that report")
    live_notified: bool = Field(True, description="HQ's live feed was told; false when Redis is down")


class ReportList(BaseModel):
    since: dt.datetime
    until: dt.datetime
    reports: list[Report]


class StationTotals(BaseModel):
    station: str | None
    reports: int
    volunteers: int
    doors_knocked: int
    doors_opened: int
    contacts: int


class Totals(BaseModel):
    since: dt.datetime
    until: dt.datetime
    all: StationTotals = Field(description="the whole campaign (station: null)")
    stations: list[StationTotals] = Field(description="per polling station; station null: reports without one")
