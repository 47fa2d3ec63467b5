"""Teams and dispatch, HQ roles (admin, coordinator) only:

GET  /api/campaigns/{slug}/teams                    teams, members, current assignment
POST /api/campaigns/{slug}/teams                    create a team (or add to one of that name)
PUT  /api/campaigns/{slug}/teams/{id}/home          set (or clear) a team's home district
PUT  /api/campaigns/{slug}/teams/{id}/coordinator   set (or clear) the coordinator its alerts go to
GET  /api/campaigns/{slug}/members?role=coordinator,admin   members of those roles (a team's coordinator)
GET  /api/campaigns/{slug}/dispatch/suggestions     which team to send where, and why (optimal match)
GET  /api/campaigns/{slug}/dispatch/settings        the campaign's dispatch rules
PUT  /api/campaigns/{slug}/dispatch/settings        change them
POST /api/campaigns/{slug}/dispatch/decisions       accept, reject or change a suggestion (kept)
GET  /api/campaigns/{slug}/dispatch/decisions       the decisions in a time window
POST /api/campaigns/{slug}/dispatch/assignments     send a team: stored, then pushed to its phones
GET  /api/campaigns/{slug}/dispatch/mine            (any member) my team and where it is sent
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import orjson
from fastapi import APIRouter, Query, Response, status

from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.dispatch import live, queries
from server.doors import queries as door_queries
from server.dispatch.schemas import (
    AssignRequest,
    AssignResult,
    Assignment,
    CampaignMember,
    Decision,
    DecisionRequest,
    DispatchRules,
    NewTeam,
    Suggestions,
    Team,
    TeamCoordinator,
    TeamHome,
)
from server.dispatch.solver import Rules
from server.dispatch.suggest import TeamPosition, suggest
from server.dispatch.values import station_values
from server.errors import InvalidInput, NotFound
from server.limits import MAX_LIST
from server.timewindow import Since, Until, window
from server.events import volunteer_state_key

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["dispatch"])


@router.get("/teams", response_model=list[Team], summary="Teams, their members and current assignment")
async def list_teams(member: HQMember, conn: Conn) -> list[Team]:
    return await queries.teams(conn, member.campaign_id)


@router.post(
    "/teams",
    response_model=Team,
    status_code=status.HTTP_201_CREATED,
    summary="Create a team (or add members to the team of that name)",
)
async def create_team(body: NewTeam, member: HQMember, conn: Conn) -> Team:
    coordinator = await _coordinator_id(conn, member.campaign_id, body.coordinator)
    team_id, added = await queries.create_team(conn, member.campaign_id, body.name.strip(), body.members)
    if body.coordinator is not None:
        await queries.set_coordinator(conn, member.campaign_id, team_id, coordinator)
    missing = sorted(set(body.members) - set(added))
    if missing:
        # Added ones may have been members already: check against the team as it stands.
        team = next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)
        missing = [m for m in missing if m not in team.members]
        if missing:
            raise InvalidInput(f"not members of this campaign: {missing}", users=missing)
    return next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)


@router.put("/teams/{team_id}/home", response_model=Team, summary="Set or clear a team's home district")
async def set_home(team_id: int, body: TeamHome, member: HQMember, conn: Conn) -> Team:
    if not await queries.set_home(conn, member.campaign_id, team_id, body.district):
        raise InvalidInput(f"no team {team_id} or no district {body.district!r} in this campaign")
    return next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)


async def _coordinator_id(conn, campaign_id: int, login: str | None) -> int | None:
    if login is None:
        return None
    user_id = await queries.coordinator_id(conn, campaign_id, login)
    if user_id is None:
        raise InvalidInput(f"{login!r} is not a coordinator or admin of this campaign", coordinator=login)
    return user_id


@router.put("/teams/{team_id}/coordinator", response_model=Team, summary="Set or clear a team's coordinator")
async def set_coordinator(team_id: int, body: TeamCoordinator, member: HQMember, conn: Conn) -> Team:
    coordinator = await _coordinator_id(conn, member.campaign_id, body.coordinator)
    if not await queries.set_coordinator(conn, member.campaign_id, team_id, coordinator):
        raise NotFound(f"no team {team_id} in this campaign")
    return next(t for t in await queries.teams(conn, member.campaign_id) if t.id == team_id)


ROLES = ("admin", "coordinator", "volunteer")


@router.get(
    "/members",
    response_model=list[CampaignMember],
    summary="The campaign's members of the given roles (comma-separated), by name; at most 500",
)
async def list_members(
    member: HQMember, conn: Conn, role: str = Query("coordinator,admin", max_length=64)
) -> list[CampaignMember]:
    roles = sorted({r.strip() for r in role.split(",") if r.strip()})
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput(f"role must be among {', '.join(ROLES)}, comma-separated", role=role)
    rows = await queries.members(conn, member.campaign_id, roles, MAX_LIST)
    return [CampaignMember(**dict(r)) for r in rows]


async def _rules(conn, campaign_id: int) -> DispatchRules:
    row = await queries.rules_row(conn, campaign_id)
    return DispatchRules(**dict(row)) if row else DispatchRules()


@router.get("/dispatch/settings", response_model=DispatchRules, summary="The campaign's dispatch rules")
async def get_rules(member: HQMember, conn: Conn) -> DispatchRules:
    return await _rules(conn, member.campaign_id)


@router.put("/dispatch/settings", response_model=DispatchRules, summary="Change the campaign's dispatch rules")
async def put_rules(body: DispatchRules, member: HQMember, conn: Conn) -> DispatchRules:
    row = await queries.save_rules(conn, member.campaign_id, body)
    return DispatchRules(**dict(row))


@router.get(
    "/dispatch/suggestions",
    response_model=Suggestions,
    summary="Which team to send to which polling station, and why (the optimal match)",
)
async def suggestions(member: HQMember, conn: Conn, redis: Redis, settings: AppSettings) -> Suggestions:
    rules = await _rules(conn, member.campaign_id)
    teams = [t for t in await queries.teams(conn, member.campaign_id) if t.members]
    # a team whose turf has an outcome at every door is free: it no longer holds its place there
    finished = {
        r["team_id"]: f"turf {r['number']} of {r['station']}"
        for r in await door_queries.finished_turfs(conn, member.campaign_id)
    }
    taken = Counter(t.assignment.station for t in teams if t.assignment and t.id not in finished)
    targets = await station_values(conn, member.campaign_id, taken, rules.covered_at)
    live_states = await _live_positions(redis, member.campaign_id, settings.live_stale_after_s, settings.redis_prefix)
    positions = []
    for t in teams:
        pts = [live_states[m] for m in t.members if m in live_states]
        pos = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts else None
        positions.append(
            TeamPosition(
                t.id, t.name, t.assignment.station if t.assignment else None, pos, len(pts), t.home, finished.get(t.id)
            )
        )
    held_back = await queries.held_back(conn, member.campaign_id, rules.reject_hold_min)
    out = suggest(positions, targets, Rules(rules.walk_scale_m, rules.max_walk_m, rules.home_bonus), held_back)
    return Suggestions(
        suggestions=out,
        teams_without_position=[p.id for p in positions if p.position is None],
        targets=len(targets),
        optimal_total=round(sum(s.value for s in out), 2),
        computed_at=dt.datetime.now(dt.UTC),
        rules=rules,
    )


@router.post(
    "/dispatch/decisions",
    response_model=Decision,
    status_code=status.HTTP_201_CREATED,
    summary="Accept, reject or change a suggestion: kept, and the team sent unless rejected",
)
async def decide(body: DecisionRequest, member: HQMember, conn: Conn, redis: Redis, settings: AppSettings) -> Decision:
    if body.decision == "changed" and not body.station:
        raise InvalidInput("decision 'changed' needs the station the team is sent to instead")
    if body.decision == "accepted" and not body.suggested:
        raise InvalidInput("decision 'accepted' needs the suggested station")
    chosen = {"accepted": body.suggested, "changed": body.station, "rejected": None}[body.decision]
    codes = [c for c in (body.suggested, chosen) if c]
    missing = sorted(set(codes) - await queries.station_codes(conn, member.campaign_id, codes))
    if missing:
        raise InvalidInput(f"no polling station {missing[0]!r} in this campaign")
    sent = None
    if chosen:
        sent = await _send(conn, redis, settings.redis_prefix, member.campaign_id, body.team, chosen)
    elif not any(t.id == body.team for t in await queries.teams(conn, member.campaign_id)):
        raise NotFound(f"no team {body.team} in this campaign")
    row = await queries.insert_decision(
        conn, member.campaign_id, body.team, body.suggested, chosen, body.decision, member.user.id, body.suggestion
    )
    return Decision(
        id=row["id"],
        team=body.team,
        suggested=body.suggested,
        chosen=chosen,
        decision=body.decision,
        decided_by=member.user.id,
        decided_by_name=member.user.name,
        decided_at=row["decided_at"],
        suggestion=body.suggestion,
        assignment=sent,
    )


@router.get("/dispatch/decisions", response_model=list[Decision], summary="Decisions on suggestions, oldest first")
async def list_decisions(member: HQMember, conn: Conn, since: Since = None, until: Until = None) -> list[Decision]:
    lo, hi = window(since, until)
    return [
        Decision(
            id=r["id"],
            team=r["team_id"],
            team_name=r["team_name"],
            suggested=r["suggested"],
            chosen=r["chosen"],
            decision=r["decision"],
            decided_by=r["decided_by"],
            decided_by_name=r["decided_by_name"],
            decided_at=r["decided_at"],
            suggestion=r["suggestion"],
        )
        for r in await queries.decisions(conn, member.campaign_id, lo, hi)
    ]


@router.post("/dispatch/assignments", response_model=AssignResult, summary="Send a team to a polling station")
async def assign(
    body: AssignRequest, member: HQMember, conn: Conn, redis: Redis, settings: AppSettings, response: Response
) -> AssignResult:
    result = await _send(conn, redis, settings.redis_prefix, member.campaign_id, body.team, body.station, body.turf)
    response.status_code = status.HTTP_201_CREATED
    return result


async def _send(
    conn, redis, prefix: str, campaign_id: int, team_id: int, code: str, turf_id: int | None = None
) -> AssignResult:
    """Store the assignment, then push it to the team's phones."""
    if turf_id is not None:
        turf = await queries.turf(conn, campaign_id, turf_id)
        if turf is None or turf["station"] != code:
            raise InvalidInput(f"no turf {turf_id} of polling station {code!r} in this campaign")
    team = next((t for t in await queries.teams(conn, campaign_id) if t.id == team_id), None)
    if team is None:
        raise NotFound(f"no team {team_id} in this campaign")
    st = await queries.station(conn, campaign_id, code)
    if st is None:
        raise InvalidInput(f"no polling station {code!r} in this campaign")
    row = await queries.assign(conn, campaign_id, team.id, st["id"], turf_id)
    message = live.assignment_message(
        team.id, team.members, st["code"], st["name"], st["id"], st["lon"], st["lat"], row["created_at"].timestamp()
    )
    notified = await live.publish_assignment(redis, campaign_id, message, prefix)
    return AssignResult(
        team=team.id,
        notified=notified,
        assignment=Assignment(station=st["code"], name=st["name"], since=row["created_at"], turf=turf_id),
    )


@router.get(
    "/dispatch/mine",
    response_model=Team | None,
    summary="My team and its assignment (the most recently sent of my teams), or null",
)
async def my_team(member: AnyMember, conn: Conn) -> Team | None:
    mine = [t for t in await queries.teams(conn, member.campaign_id) if member.user.id in t.members]
    mine.sort(
        key=lambda t: (t.assignment is not None, t.assignment.since if t.assignment else None, -t.id), reverse=True
    )
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
