"""Turfs of a polling station, HQ roles to cut them, any member to read their route and walk list:

POST /api/campaigns/{slug}/stations/{code}/turfs       cut into turfs of about N doors (replaces), or of
                                                       about N households (H3 cells) without addresses
GET  /api/campaigns/{slug}/stations/{code}/turfs       the station's turfs, lengths, teams on them,
                                                       and each turf's coverage (doors knocked,
                                                       opened, refused, contacts; ?since&until,
                                                       default today UTC)
GET  /api/campaigns/{slug}/turfs/{id}/route            a turf's doors in route order (HQ map, phone)
GET  /api/campaigns/{slug}/turfs/{id}/walklist.csv     the walk list as CSV
GET  /api/campaigns/{slug}/turfs/{id}/walklist.pdf     the walk list, printable, with a small map
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server.deps import AnyMember, Conn, HQMember
from server.timewindow import Since, Until, window
from server.turfs import queries, walklist
from server.turfs.schemas import CutRequest, RoutePoint, StationTurfs, TurfOut, TurfRoute

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["turfs"])


async def _station_turfs(conn, campaign_id: int, code: str, since=None, until=None) -> StationTurfs:
    lo, hi = window(since, until)
    rows = await queries.station_turfs(conn, campaign_id, code, lo, hi)
    return StationTurfs(
        station=code,
        since=lo,
        until=hi,
        turfs=[
            TurfOut(
                **{**dict(r), "streets": r["streets"] or []},
                share_knocked=round(r["knocked"] / r["doors"], 4) if r["doors"] else None,
            )
            for r in rows
        ],
    )


@router.post(
    "/stations/{code}/turfs",
    response_model=StationTurfs,
    status_code=status.HTTP_201_CREATED,
    summary="Cut a polling station into turfs of about N doors, each with its route",
)
async def cut_turfs(code: str, body: CutRequest, member: HQMember, conn: Conn) -> StationTurfs:
    await queries.cut_station(conn, member.campaign_id, code, body.doors, body.households)
    return await _station_turfs(conn, member.campaign_id, code)


@router.get(
    "/stations/{code}/turfs", response_model=StationTurfs, summary="A polling station's turfs, with their coverage"
)
async def list_turfs(code: str, member: HQMember, conn: Conn, since: Since = None, until: Until = None) -> StationTurfs:
    return await _station_turfs(conn, member.campaign_id, code, since, until)


@router.get("/turfs/{turf_id}/route", response_model=TurfRoute, summary="A turf's doors in route order")
async def turf_route(turf_id: int, member: AnyMember, conn: Conn) -> TurfRoute:
    rows = await queries.turf_doors(conn, member.campaign_id, turf_id)
    return TurfRoute(
        turf=turf_id,
        number=rows[0]["turf"],
        station=rows[0]["station"],
        route_m=rows[0]["route_m"],
        walk_m=rows[0]["walk_m"],
        stops=[
            RoutePoint(id=r["id"], number=r["number"], street=r["street"], lon=r["lon"], lat=r["lat"]) for r in rows
        ],
    )


def _filename(rows, ext: str) -> str:
    return f"walklist-{rows[0]['station']}-turf{rows[0]['turf']}.{ext}"


@router.get("/turfs/{turf_id}/walklist.csv", summary="A turf's walk list as CSV (route order)")
async def walklist_csv(turf_id: int, member: AnyMember, conn: Conn) -> Response:
    rows = await queries.turf_doors(conn, member.campaign_id, turf_id)
    return Response(
        walklist.csv_bytes(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(rows, "csv")}"'},
    )


@router.get("/turfs/{turf_id}/walklist.pdf", summary="A turf's walk list, printable, with a small map")
async def walklist_pdf(turf_id: int, member: AnyMember, conn: Conn) -> Response:
    rows = await queries.turf_doors(conn, member.campaign_id, turf_id)
    title = f"Station {rows[0]['station']}, turf {rows[0]['turf']}"
    return Response(
        walklist.pdf_bytes(rows, title),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(rows, "pdf")}"'},
    )
