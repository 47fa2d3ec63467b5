"""Teams and dispatch, HQ roles (admin, coordinator) only:

    GET  /api/campaigns/{slug}/teams                    teams, members, current assignment
    POST /api/campaigns/{slug}/teams                    create a team (or add to one of that name)
    GET  /api/campaigns/{slug}/dispatch/suggestions     which team to send where, and why
    POST /api/campaigns/{slug}/dispatch/assignments     send a team: stored, then pushed to its phones
    GET  /api/campaigns/{slug}/dispatch/mine            (any member) my team and where it is sent
"""
from __future__ import annotations

import time

import orjson
from fastapi import APIRouter, Response, status

from server.areas.queries import latest_election
from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.dispatch import live, queries
from server.dispatch.schemas import AssignRequest, AssignResult, Assignment, NewTeam, Suggestions, Team
from server.dispatch.suggest import TeamPosition, suggest
from server.errors import InvalidInput, NotFound
from server.timewindow import window
from server.priorities.queries import ranked_stations
from server.events import volunteer_state_key

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["dispatch"])


@router.get("/teams", response_model=list[Team], summary="Teams, their members and current assignment")
async def list_teams(member: HQMember, conn: Conn) -> list[Team]:
    return await queries.teams(conn, member.campaign_id)


@router.post("/teams", response_model=Team, status_code=status.HTTP_201_CREATED,
             summary="Create a team (or add members to the team of that name)")
async def create_team(body: NewTeam, member: HQMember, conn: Conn) -> Team:
    team_id, added = await queries.create_team(conn, member.campaign_id, body.name.strip(), body.members)
    missing = sorted(set(body.members) - set(added))
    if missing:
        # Added ones may have been members already: check against the team as it stands.
        team = next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)
        missing = [m for m in missing if m not in team.members]
        if missing:
            raise InvalidInput(f"not members of this campaign: {missing}", users=missing)
    return next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)


@router.get("/dispatch/suggestions", response_model=Suggestions,
            summary="Which team to send to which polling station, and why")
async def suggestions(member: HQMember, conn: Conn, redis: Redis, settings: AppSettings) -> Suggestions:
    lo, hi = window(None, None)  # canvassed today counts as visited
    teams = [t for t in await queries.teams(conn, member.campaign_id) if t.members]
    election = await latest_election(conn, member.campaign_id)
    stations = await ranked_stations(conn, member.campaign_id, election, lo, hi, None)
    live_states = await _live_positions(redis, member.campaign_id, settings.live_stale_after_s, settings.redis_prefix)
    positions = []
    for t in teams:
        pts = [live_states[m] for m in t.members if m in live_states]
        pos = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts else None
        positions.append(TeamPosition(t.id, t.name, t.assignment.station if t.assignment else None, pos, len(pts)))
    taken = {t.assignment.station for t in teams if t.assignment}
    return Suggestions(suggestions=suggest(positions, stations, taken),
                       teams_without_position=[p.id for p in positions if p.position is None])


@router.post("/dispatch/assignments", response_model=AssignResult, summary="Send a team to a polling station")
async def assign(body: AssignRequest, member: HQMember, conn: Conn, redis: Redis, settings: AppSettings,
                 response: Response) -> AssignResult:
    team = next((t for t in await queries.teams(conn, member.campaign_id) if t.id == body.team), None)
    if team is None:
        raise NotFound(f"no team {body.team} in this campaign")
    st = await queries.station(conn, member.campaign_id, body.station)
    if st is None:
        raise InvalidInput(f"no polling station {body.station!r} in this campaign")
    row = await queries.assign(conn, member.campaign_id, team.id, st["id"])
    message = live.assignment_message(team.id, team.members, st["code"], st["name"], st["id"], st["lon"], st["lat"],
                                      row["created_at"].timestamp())
    notified = await live.publish_assignment(redis, member.campaign_id, message, settings.redis_prefix)
    response.status_code = status.HTTP_201_CREATED
    return AssignResult(team=team.id, assignment=Assignment(station=st["code"], name=st["name"], since=row["created_at"]),
                        notified=notified)


@router.get("/dispatch/mine", response_model=Team | None,
            summary="My team and its assignment (the most recently sent of my teams), or null")
async def my_team(member: AnyMember, conn: Conn) -> Team | None:
    mine = [t for t in await queries.teams(conn, member.campaign_id) if member.user.id in t.members]
    mine.sort(key=lambda t: (t.assignment is not None, t.assignment.since if t.assignment else None, -t.id),
              reverse=True)
    return mine[0] if mine else None


async def _live_positions(redis, campaign_id: int, stale_after_s: float, prefix: str) -> dict[int, tuple[float, float]]:
    """Volunteer id -> (lon, lat) of those live now (not stale), from the Redis state hash."""
    cutoff = (time.time() - stale_after_s) * 1000
    out = {}
    for key, raw in (await redis.hgetall(volunteer_state_key(campaign_id, prefix))).items():
        try:
            st = orjson.loads(raw)
            if float(st.get("rt") or 0) >= cutoff:
                out[int(key)] = (float(st["lon"]), float(st["lat"]))
        except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
            continue
    return out
