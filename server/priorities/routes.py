"""GET /api/campaigns/{slug}/priorities: polling stations ranked by where canvassing pays most.
Without a camp, the one-line default of server/priorities/ranking.py; with a camp, the
targeting score of server/targeting (mode, factors, share-beyond columns). HQ roles only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
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


class TargetQuery:
    """The query parameters that rank by a target (server/targeting) rather than by the default
    ranking: a camp, or the campaign's chosen target."""

    def __init__(
        self,
        camp: CsvList = None,
        mode: Literal["mobilisation", "persuasion", "model"] | None = None,
        near: CsvList = None,
        factor: Specs = None,
        beyond: Specs = None,
        election: str | None = None,
        model_target: str | None = None,
        households_layer: str | None = None,
        chosen: Annotated[bool, Query(description="rank by the campaign's chosen target (PUT …/target)")] = False,
    ) -> None:
        self.camp, self.mode, self.near, self.election = camp, mode, near, election
        self.factor, self.beyond = factor or [], beyond or []
        self.model_target, self.households_layer, self.chosen = model_target, households_layer, chosen

    @property
    def wanted(self) -> bool:
        return bool(self.camp) or self.chosen

    async def target(self, conn, campaign_id: int) -> Target:
        if self.chosen:
            stored = await targeting.stored_target(conn, campaign_id)
            if stored is None:
                raise InvalidInput("the campaign has chosen no target (PUT …/target)")
            return stored
        try:
            return Target(
                election=self.election,
                camp=_split(self.camp),
                mode=self.mode or "mobilisation",
                near=_split(self.near),
                factors=[parse_factor(f) for f in self.factor],
                model_target=self.model_target,
                households_layer=self.households_layer,
            )
        except ValidationError as exc:
            raise InvalidInput(f"invalid target: {exc.errors()[0]['msg']}") from None


@router.get(
    "/priorities",
    response_model=Priorities | TargetedPriorities,
    summary="Polling stations ranked by mobilisation potential and canvassing so far, or by a target",
)
async def priorities(
    member: HQMember,
    conn: Conn,
    query: Annotated[TargetQuery, Depends()],
    since: Since = None,
    until: Until = None,
    list_name: Annotated[
        Label | None, Query(alias="list", description="weight by this list's share (as imported)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
    unvisited: Annotated[bool, Query(description="only stations nobody canvassed in the window")] = False,
) -> Priorities | TargetedPriorities:
    if query.wanted:
        return await _targeted(member, conn, query, since, until, limit)
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


async def _targeted(member, conn, query: TargetQuery, since, until, limit: int) -> TargetedPriorities:
    target = await query.target(conn, member.campaign_id)
    elect, rows = await targeting.score_stations(
        conn, member.campaign_id, target, since, until, [parse_factor(b) for b in query.beyond]
    )
    fixed = ("code", "name", "score", "rank", "reasons", "explanation", "lon", "lat")
    stations = [
        TargetedStation(**{k: r[k] for k in fixed}, components={k: v for k, v in r.items() if k not in fixed})
        for r in rows[:limit]
    ]
    return TargetedPriorities(election=elect, target=target, stations=stations)
