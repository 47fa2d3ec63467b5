from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

from server.doors.plan import Outcome


class NewOutcome(BaseModel):
    address: int = Field(description="the door: an address id of the walk list")
    outcome: Outcome
    client_id: uuid.UUID = Field(description="the phone's id for this outcome: a resend from the outbox is stored once")
    at: dt.datetime | None = Field(
        default=None,
        description="when the door was knocked (the phone's clock); "
        "default: now. Sent later from the outbox, it "
        "keeps the visit's time",
    )
    model_config = {"extra": "forbid"}


class DoorOutcome(BaseModel):
    id: int
    address: int | None
    label: str | None
    station: str | None
    volunteer: int
    team: int | None
    shift: int | None
    outcome: Outcome
    visited_at: dt.datetime


class OutcomeCreated(BaseModel):
    outcome: DoorOutcome
    created: bool = Field(description="false: this client_id was already stored, this is that outcome")
    live_notified: bool = True


class OutcomeList(BaseModel):
    since: dt.datetime
    until: dt.datetime
    outcomes: list[DoorOutcome]


class Tally(BaseModel):
    doors_knocked: int
    doors_opened: int
    contacts: int


class StationCoverage(BaseModel):
    station: str | None
    doors: int | None = Field(description="address points in the station (None: outcomes with no station)")
    knocked: int = Field(description="distinct doors with at least one outcome in the window")
    opened: int = Field(description="distinct doors where someone came to the door")
    refused: int
    contacts: int
    share_knocked: float | None


class Coverage(BaseModel):
    since: dt.datetime
    until: dt.datetime
    stations: list[StationCoverage]
