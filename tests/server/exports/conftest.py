"""A field day in the shared Paris campaign: a few volunteers' pings on a day of their own.

Paris's areas are shared read-only (the `paris` fixture); the pings below belong to volunteers
created for the test and fall on a past day no other test writes to, so each test owns its data:
nothing else shows at that day's --at, and these pings never show at "now".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import h3
import pytest

from server.sql import sql
from tests.conftest import add_user
from tests.web.conftest import browser  # noqa: F401 - the session's Chromium, for the browser test

_days = itertools.count()
STALE_AFTER_S = 300.0


@dataclass
class Ping:
    v: int
    ts: datetime
    lon: float
    lat: float
    low: bool = False


@dataclass
class FieldDay:
    slug: str
    campaign_id: int
    at: datetime
    day_start: datetime
    volunteers: dict[str, int]
    teams: dict[str, int]
    pings: list[Ping] = field(default_factory=list)

    def latest_before_at(self) -> dict[int, Ping]:
        """Each volunteer's newest ping in (at - stale window, at]."""
        out: dict[int, Ping] = {}
        for p in sorted(self.pings, key=lambda p: p.ts):
            if self.at - timedelta(seconds=STALE_AFTER_S) < p.ts <= self.at:
                out[p.v] = p
        return out

    def coverage(self, res: int = 9) -> dict[str, int]:
        """Res-`res` hexagon → pings, from 00:00 UTC of the day to at, low-accuracy left out."""
        out: dict[str, int] = {}
        for p in self.pings:
            if self.day_start <= p.ts <= self.at and not p.low:
                # Through the stored res-11 cell, as the export does: H3 does not nest exactly,
                # so a point near an edge may have a res-9 parent other than its own res-9 cell.
                hx = h3.cell_to_parent(h3.latlng_to_cell(p.lat, p.lon, 11), res)
                out[hx] = out.get(hx, 0) + 1
        return out


def _walk(
    v: int, start: datetime, end: datetime, every_s: int, lon: float, lat: float, dlon: float = 0.0, dlat: float = 0.0
) -> list[Ping]:
    out, t, i = [], start, 0
    while t <= end:
        out.append(Ping(v, t, round(lon + i * dlon, 6), round(lat + i * dlat, 6)))
        t += timedelta(seconds=every_s)
        i += 1
    return out


async def insert_pings(conn, campaign_id: int, pings: list[Ping]) -> None:
    """Through the ingest writer's own statement (server/sql/pings/insert_many.sql)."""
    days = sorted({p.ts.date() for p in pings})
    await conn.execute(sql("pings/ensure_partitions"), days[0], days[-1])
    cols = list(
        zip(
            *[
                (
                    campaign_id,
                    p.v,
                    "ws",
                    i,
                    p.ts.timestamp(),
                    p.ts.timestamp() * 1000 + 150,
                    p.lon,
                    p.lat,
                    150.0 if p.low else 6.0,
                    None,
                    1.2,
                    90.0,
                    0.8,
                    h3.str_to_int(h3.latlng_to_cell(p.lat, p.lon, 11)),
                    None,
                    None,
                    None,
                    p.low,
                )
                for i, p in enumerate(pings)
            ]
        )
    )
    await conn.execute(sql("pings/insert_many"), *[list(c) for c in cols])


@pytest.fixture
async def field_day(paris, pool) -> FieldDay:
    day = date(2025, 3, 2) + timedelta(days=next(_days))
    at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    start = at.replace(hour=0)
    vols = {}
    for name in "ABCDE":
        user = await add_user(pool, paris["slug"], "volunteer", f"Export {name}")
        async with pool.acquire() as c:
            vols[name] = await c.fetchval("SELECT id FROM users WHERE login = $1", user["login"])
    teams = {}
    async with pool.acquire() as c:
        for name, member in (("north", "A"), ("south", "B")):
            teams[name] = await c.fetchval(
                "INSERT INTO teams (campaign_id, name) VALUES ($1, $2) RETURNING id",
                paris["id"],
                f"{name}-{day.isoformat()}",
            )
            await c.execute("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)", teams[name], vols[member])
    A, B, C, D, E = (vols[n] for n in "ABCDE")
    h = lambda hh, mm=0: at.replace(hour=hh, minute=mm)  # noqa: E731
    pings = [
        # A walks east along the Seine, a fix every 2 min until 09:58 (shown, team north)...
        *_walk(A, h(8), h(9, 58), 120, 2.3300, 48.8580, dlon=0.0005),
        # ...and one low-accuracy fix at 09:30, left out of the coverage.
        Ping(A, h(9, 30) + timedelta(seconds=7), 2.2900, 48.8330, low=True),
        # B walks north in the 15th from 09:00 to 09:56 (shown, team south).
        *_walk(B, h(9), h(9, 56), 60, 2.3000, 48.8400, dlat=0.0003),
        # C stopped at 09:50: stale at 10:00, not shown, but its walk counts as coverage.
        *_walk(C, h(9), h(9, 50), 60, 2.3600, 48.8800, dlon=-0.0004),
        # D: a fix at 09:59 (shown there), and one at 10:02, after --at (ignored).
        Ping(D, h(9, 59), 2.3700, 48.8530),
        Ping(D, h(10, 2), 2.3850, 48.8530),
        # E walked the evening before: neither shown nor in the day's coverage.
        *_walk(E, h(9) - timedelta(hours=10), h(9) - timedelta(hours=9, minutes=30), 60, 2.3400, 48.8700, dlat=0.0004),
    ]
    async with pool.acquire() as c:
        await insert_pings(c, paris["id"], pings)
    return FieldDay(paris["slug"], paris["id"], at, start, vols, teams, pings)
