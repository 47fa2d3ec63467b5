from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from server.limits import MAX_LIST, Id


class Assignment(BaseModel):
    station: str
    name: str | None = None
    since: dt.datetime | None = None
    turf: int | None = Field(None, description="the turf of the station the team walks (null: the whole station)")


class Team(BaseModel):
    id: int
    name: str
    members: list[int]
    assignment: Assignment | None
    home: str | None = Field(None, description="home district code: suggestions there are preferred")
    coordinator: str | None = Field(None, description="login of the coordinator the team's alerts go to")


Login = Annotated[str, Field(min_length=1, max_length=80)]


class NewTeam(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    members: list[Id] = Field(
        default_factory=list, max_length=MAX_LIST, description="user ids, members of the campaign"
    )
    coordinator: Login | None = Field(
        None, description="login of a coordinator or admin of the campaign: the team's alerts go to them too"
    )

    model_config = {"extra": "forbid"}


class Suggestion(BaseModel):
    team: int
    team_name: str
    station: str
    station_name: str | None
    score: float = Field(description="the station's remaining value (today its priority score, see /priorities)")
    value: float = Field(description="what sending this team there is worth: score discounted by the walk")
    rank: int = Field(description="the station's rank among the campaign's stations")
    covered: float | None = Field(None, description="share of the station's doors knocked (0..1), when known")
    distance_m: float | None = Field(description="from the team's live position; null if none is live")
    walk_min: int | None = None
    live_members: int
    current: str | None = Field(description="the station the team is assigned to now")
    summary: str = Field(description="one line: team → station, rank, coverage, distance, walk")
    why: list[str]
    lon: float = Field(description="a point inside the station (the arc's end on HQ's map)")
    lat: float
    team_lon: float | None = Field(None, description="the team's position (the arc's start), if live")
    team_lat: float | None = None


class DispatchRules(BaseModel):
    """A campaign's dispatch settings (defaults until an admin or coordinator sets them)."""

    walk_scale_m: float = Field(1000.0, gt=0, le=100_000, description="a station this far away is worth half")
    max_walk_m: float | None = Field(3000.0, gt=0, le=1_000_000, description="never suggest a longer walk")
    home_bonus: float = Field(1.25, ge=1, le=10, description="value factor in the team's home district")
    covered_at: float = Field(
        0.9,
        gt=0,
        le=1,
        description="share of doors knocked from which a station counts as covered and is no longer suggested",
    )
    refresh_s: float = Field(60.0, ge=5, le=3600, description="HQ refreshes suggestions this often")
    reject_hold_min: float = Field(
        30.0, ge=0, le=1440, description="a rejected (team, station) is not suggested again for this many minutes"
    )
    updated_at: dt.datetime | None = None


class Suggestions(BaseModel):
    suggestions: list[Suggestion]
    teams_without_position: list[int] = Field(description="teams with no live member: no distance known")
    targets: int = Field(0, description="stations considered (worth a visit, not covered)")
    optimal_total: float = Field(0.0, description="total value of these suggestions")
    computed_at: dt.datetime | None = None
    rules: DispatchRules = Field(default_factory=DispatchRules)


class DecisionRequest(BaseModel):
    team: int
    suggested: str | None = Field(None, description="the suggested station code (null: a free choice)")
    decision: Literal["accepted", "rejected", "changed"]
    station: str | None = Field(None, description="where the team is sent instead (decision 'changed')")
    suggestion: dict[str, Any] = Field(default_factory=dict, description="what was shown (summary, value, why…)")


class Decision(BaseModel):
    id: int
    team: int
    team_name: str | None = None
    suggested: str | None
    chosen: str | None
    decision: str
    decided_by: int | None
    decided_by_name: str | None = None
    decided_at: dt.datetime
    suggestion: dict[str, Any] = Field(default_factory=dict)
    assignment: AssignResult | None = None


class TeamHome(BaseModel):
    district: str | None = Field(None, description="district code, null to clear")


Role = Literal["admin", "coordinator", "volunteer"]


class CampaignMember(BaseModel):
    """A member as HQ's team forms list them (to pick a team's coordinator)."""

    login: str
    name: str
    role: Role


class TeamCoordinator(BaseModel):
    coordinator: Login | None = Field(None, description="a coordinator's or admin's login, null to clear")

    model_config = {"extra": "forbid"}


class AssignRequest(BaseModel):
    team: Id
    station: str = Field(min_length=1, max_length=64, description="polling-station code")
    turf: Id | None = Field(None, description="a turf of that station (see /stations/{code}/turfs)")

    model_config = {"extra": "forbid"}


class AssignResult(BaseModel):
    team: int
    assignment: Assignment
    notified: bool = Field(description="pushed to the team's connected phones (false: Redis down)")


Decision.model_rebuild()
