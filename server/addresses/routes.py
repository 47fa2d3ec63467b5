"""GET /api/campaigns/{slug}/stations/{code}/walk: a polling station's doors in walking order
(server/addresses/walk.py says how), from where the team stands or from the station itself.

Any member may read it: addresses are open data (where doors are, not who lives there), and a
volunteer sent somewhere needs the list on their phone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.limits import Code
from server.addresses import queries
from server.addresses.schemas import WalkList, WalkStop
from server.addresses.walk import WALK_M_PER_MIN, walk
from server.deps import AnyMember, Conn
from server.dispatch import queries as dispatch_queries
from server.doors import queries as door_queries
from server.doors.plan import split_for_today
from server.timewindow import window
from server.errors import InvalidInput, NotFound

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["addresses"])


@router.get("/stations/{code}/walk", response_model=WalkList, summary="A polling station's doors in walking order")
async def walk_list(
    code: Code,
    member: AnyMember,
    conn: Conn,
    lon: Annotated[
        float | None, Query(ge=-180, le=180, description="start here (with lat): the team's position")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
) -> WalkList:
    if (lon is None) != (lat is None):
        raise InvalidInput("give both lon and lat, or neither")
    station = await dispatch_queries.station(conn, member.campaign_id, code)
    if station is None:
        raise NotFound(f"no polling station {code!r} in this campaign")
    start = (lon, lat) if lon is not None else (station["lon"], station["lat"])
    # Doors refused today are left out; "come back later" ones are walked last (server/doors/plan.py).
    today, _ = window(None, None)
    now, later = split_for_today(
        await queries.station_doors(conn, member.campaign_id, code),
        lambda d: d.id,
        await door_queries.latest_in_station(conn, member.campaign_id, code, today),
    )
    stops = walk(now, start)
    if later:
        stops += walk(later, (stops[-1].door.lon, stops[-1].door.lat) if stops else start)
    distance = sum(s.leg_m for s in stops)
    return WalkList(
        station=station["code"],
        station_name=station["name"],
        start=start,
        doors=len(stops),
        streets=len({s.door.street.casefold() for s in stops}),
        distance_m=round(distance),
        minutes=round(distance / WALK_M_PER_MIN),
        stops=[
            WalkStop(
                id=s.door.id,
                label=f"{s.door.number} {s.door.street}",
                number=s.door.number,
                street=s.door.street,
                side=s.side,
                lon=s.door.lon,
                lat=s.door.lat,
                leg_m=round(s.leg_m),
            )
            for s in stops
        ],
    )
