from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class CutRequest(BaseModel):
    doors: int = Field(ge=5, le=5000, description="about this many doors (households, cut by households) per turf")
    households: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9_]{0,62}$",
        description="cut by households from this layer (H3 cells weighted by its values) even if the station has "
        "addresses; without addresses the layer 'households' is used",
    )

    model_config = {"extra": "forbid"}


class TurfOut(BaseModel):
    id: int
    number: int
    doors: int
    route_m: float = Field(description="length of the turf's route (street-side walk improved by 2-opt)")
    walk_m: float = Field(description="length of the same doors in street-side order")
    streets: list[str]
    households: float | None = Field(None, description="households estimated in it (a turf cut by households)")
    cells: list[str] = Field(default_factory=list, description="its H3 cells in route order (cut by households)")
    team: str | None = Field(None, description="the team walking it now")
    created_at: dt.datetime | None = None
    knocked: int = Field(0, description="distinct doors of the turf with at least one outcome in the window")
    opened: int = Field(0, description="distinct doors of the turf where someone came to the door")
    refused: int = 0
    contacts: int = 0
    share_knocked: float | None = Field(None, description="knocked / doors")


class StationTurfs(BaseModel):
    station: str
    since: dt.datetime | None = Field(None, description="the coverage window (default: today, UTC)")
    until: dt.datetime | None = None
    turfs: list[TurfOut]


class RoutePoint(BaseModel):
    id: int
    number: str
    street: str
    lon: float
    lat: float


class TurfRoute(BaseModel):
    turf: int
    number: int
    station: str
    route_m: float = Field(description="the route's length (street-side walk improved by 2-opt)")
    walk_m: float = Field(description="the same doors in street-side order")
    stops: list[RoutePoint]
