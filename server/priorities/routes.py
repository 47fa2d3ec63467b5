"""GET /api/campaigns/{slug}/priorities: polling stations ranked by where canvassing pays most.
Without a camp, the one-line default of server/priorities/ranking.py; with a camp, the
targeting score of server/targeting (mode, factors, share-beyond columns). HQ roles only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import ValidationError

from server.limits import Label
from server.areas.queries import latest_election
from server.deps import Conn, HQMember
from server.errors import InvalidInput
from server.timewindow import Since, Until, window
from server.priorities import queries
from server.priorities.schemas import Priorities
from server.targeting import queries as targeting
from server.targeting.schemas import Target, TargetedPriorities, TargetedStation, parse_factor

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["priorities"])
CsvList = Annotated[str | None, Query(description="comma-separated")]
Specs = Annotated[list[str] | None, Query(description="LAYER:METRES[>=SHARE], repeatable")]


@router.get(
    "/priorities",
    response_model=Priorities | TargetedPriorities,
    summary="Polling stations ranked by mobilisation potential and canvassing so far, or by a target",
)
async def priorities(
    member: HQMember,
    conn: Conn,
    since: Since = None,
    until: Until = None,
    list_name: Annotated[
        Label | None, Query(alias="list", description="weight by this list's share (as imported)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
    unvisited: Annotated[bool, Query(description="only stations nobody canvassed in the window")] = False,
    camp: CsvList = None,
    mode: Literal["mobilisation", "persuasion", "model"] | None = None,
    near: CsvList = None,
    factor: Specs = None,
    beyond: Specs = None,
    election: str | None = None,
    model_target: str | None = None,
    households_layer: str | None = None,
    chosen: Annotated[bool, Query(description="rank by the campaign's chosen target (PUT …/target)")] = False,
) -> Priorities | TargetedPriorities:
    if camp or chosen:
        return await _targeted(
            member,
            conn,
            since,
            until,
            limit,
            camp,
            mode,
            near,
            factor,
            beyond,
            election,
            model_target,
            households_layer,
            chosen,
        )
    lo, hi = window(since, until)
    election = await latest_election(conn, member.campaign_id)
    if list_name is not None and (
        election is None or not await queries.list_exists(conn, member.campaign_id, election, list_name)
    ):
        raise InvalidInput(f"no list {list_name!r} in the campaign's results ({election or 'none imported'})")
    stations = await queries.ranked_stations(conn, member.campaign_id, election, lo, hi, list_name)
    if unvisited:
        stations = [s for s in stations if s.visits.volunteers == 0]
    return Priorities(election=election, list=list_name, since=lo, until=hi, stations=stations[:limit])


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


async def _targeted(
    member,
    conn,
    since,
    until,
    limit,
    camp,
    mode,
    near,
    factor,
    beyond,
    election,
    model_target,
    households_layer,
    chosen,
) -> TargetedPriorities:
    if chosen:
        target = await targeting.stored_target(conn, member.campaign_id)
        if target is None:
            raise InvalidInput("the campaign has chosen no target (PUT …/target)")
    else:
        try:
            target = Target(
                election=election,
                camp=_split(camp),
                mode=mode or "mobilisation",
                near=_split(near),
                factors=[parse_factor(f) for f in factor or []],
                model_target=model_target,
                households_layer=households_layer,
            )
        except ValidationError as exc:
            raise InvalidInput(f"invalid target: {exc.errors()[0]['msg']}") from None
    elect, rows = await targeting.score_stations(
        conn, member.campaign_id, target, since, until, [parse_factor(b) for b in beyond or []]
    )
    fixed = ("code", "name", "score", "rank", "reasons", "explanation", "lon", "lat")
    stations = [
        TargetedStation(**{k: r[k] for k in fixed}, components={k: v for k, v in r.items() if k not in fixed})
        for r in rows[:limit]
    ]
    return TargetedPriorities(election=elect, target=target, stations=stations)
