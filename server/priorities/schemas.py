from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class Visits(BaseModel):
    volunteers: int = Field(
        description="distinct volunteers who pinged inside the station, or reported a tour of it, in the window"
    )
    pings: int
    doors_knocked: int = Field(0, description="doors knocked there, as tour reports say")
    reports: int = Field(0, description="tour reports for the station")
    last: dt.datetime | None


class StationPriority(BaseModel):
    rank: int
    code: str
    name: str | None
    registered: int | None
    abstentions: int | None
    abstention_rate: float | None
    list_share: float | None = Field(description="share of valid votes of the chosen list, if any")
    potential: float | None = Field(description="abstainers, times the list's share when a list is chosen")
    visits: Visits
    score: float | None = Field(description="potential / (1 + volunteers who already canvassed it)")
    reasons: list[str] = Field(description="why it ranks here, in plain words (English)")
    lon: float
    lat: float


class Priorities(BaseModel):
    election: str | None
    list: str | None
    since: dt.datetime
    until: dt.datetime
    stations: list[StationPriority]
