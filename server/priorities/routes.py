"""GET /api/campaigns/{slug}/priorities: polling stations ranked by where canvassing pays most
(server/priorities/ranking.py says how). HQ roles only."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.limits import Label
from server.areas.queries import latest_election
from server.deps import Conn, HQMember
from server.errors import InvalidInput
from server.timewindow import Since, Until, window
from server.priorities import queries
from server.priorities.schemas import Priorities

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["priorities"])


@router.get("/priorities", response_model=Priorities,
            summary="Polling stations ranked by mobilisation potential and canvassing so far")
async def priorities(
    member: HQMember, conn: Conn, since: Since = None, until: Until = None,
    list_name: Annotated[Label | None, Query(alias="list", description="weight by this list's share (as imported)")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
    unvisited: Annotated[bool, Query(description="only stations nobody canvassed in the window")] = False,
) -> Priorities:
    lo, hi = window(since, until)
    election = await latest_election(conn, member.campaign_id)
    if list_name is not None and (election is None or not await queries.list_exists(conn, member.campaign_id,
                                                                                    election, list_name)):
        raise InvalidInput(f"no list {list_name!r} in the campaign's results ({election or 'none imported'})")
    stations = await queries.ranked_stations(conn, member.campaign_id, election, lo, hi, list_name)
    if unvisited:
        stations = [s for s in stations if s.visits.volunteers == 0]
    return Priorities(election=election, list=list_name, since=lo, until=hi, stations=stations[:limit])
