from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from server.limits import MAX_LIST, Id


class Assignment(BaseModel):
    station: str
    name: str | None = None
    since: dt.datetime | None = None


class Team(BaseModel):
    id: int
    name: str
    members: list[int]
    assignment: Assignment | None


class NewTeam(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    members: list[Id] = Field(default_factory=list, max_length=MAX_LIST, description="user ids, members of the campaign")

    model_config = {"extra": "forbid"}


class Suggestion(BaseModel):
    team: int
    team_name: str
    station: str
    station_name: str | None
    score: float = Field(description="the station's priority score (see /priorities)")
    distance_m: float | None = Field(description="from the team's live position; null if none is live")
    live_members: int
    current: str | None = Field(description="the station the team is assigned to now")
    why: list[str]


class Suggestions(BaseModel):
    suggestions: list[Suggestion]
    teams_without_position: list[int] = Field(description="teams with no live member: no distance known")


class AssignRequest(BaseModel):
    team: Id
    station: str = Field(min_length=1, max_length=64, description="polling-station code")

    model_config = {"extra": "forbid"}


class AssignResult(BaseModel):
    team: int
    assignment: Assignment
    notified: bool = Field(description="pushed to the team's connected phones (false: Redis down)")
