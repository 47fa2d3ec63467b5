"""Simulated volunteers: realistic walks through a campaign's polling stations, sent as pings.

`quadriller simulate --campaign SLUG --volunteers N --interval S [--seconds T]` creates (or
reuses) N volunteer accounts named `sim-…` in the campaign and drives each one through the real
websocket protocol on its own connection (simulate.client.VolunteerClient), one asyncio loop for
all of them.

A walk (pure, seeded, no I/O) starts at a random polling station's interior point and walks to a
neighbouring station's interior point, then another, never straight back unless it must. Legs
follow two street-like straight segments (an L, as in a street grid) at 1.2–1.5 m/s. Along the
way the volunteer stops at doors for 30–120 s. Positions carry GPS noise of a few metres, with
an occasional bad fix (large `acc`). Nothing assumes a city: the stations come from the
campaign's areas in PostGIS (the finest level present).
"""

from __future__ import annotations

import asyncio
import math
import random
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np
import orjson

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0

# Walk parameters: defaults that the tests check against.
SPEED_MIN_MS, SPEED_MAX_MS = 1.2, 1.5
STOP_MIN_S, STOP_MAX_S = 30.0, 120.0
DOOR_EVERY_M = (40.0, 220.0)  # distance walked between two doors
GOOD_ACC_M = (3.0, 12.0)  # accuracy of an ordinary fix
BAD_FIX_PROBABILITY = 0.03
BAD_ACC_M = (40.0, 250.0)  # accuracy of a bad fix (indoors, urban canyon)
NEIGHBOURS_K = 6  # fallback when areas have no touching neighbour


@dataclass(frozen=True)
class Station:
    code: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Fix:
    """One GPS fix: the true position, the reported (noisy) one, and what a phone reports."""

    t: float
    true_lon: float
    true_lat: float
    lon: float
    lat: float
    acc: float
    spd: float
    hdg: float | None
    stopped: bool
    station: str  # the station the volunteer last passed through


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: exact enough below a few kilometres."""
    k = math.cos(math.radians((lat1 + lat2) / 2.0))
    dx = (lon2 - lon1) * k * M_PER_DEG_LAT
    dy = (lat2 - lat1) * M_PER_DEG_LAT
    return math.hypot(dx, dy)


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return (lon + east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat))), lat + north_m / M_PER_DEG_LAT)


def heading(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = math.cos(math.radians((lat1 + lat2) / 2.0))
    return math.degrees(math.atan2((lon2 - lon1) * k, lat2 - lat1)) % 360.0


def nearest_neighbours(stations: list[Station], k: int = NEIGHBOURS_K) -> dict[str, list[str]]:
    """k nearest stations by interior point: adjacency when polygons don't touch."""
    xy = np.array([(s.lon, s.lat) for s in stations])
    if len(stations) < 2:
        return {s.code: [] for s in stations}
    k = min(k, len(stations) - 1)
    scale = np.array([math.cos(math.radians(float(xy[:, 1].mean()))), 1.0])
    out = {}
    for i, s in enumerate(stations):
        d = (((xy - xy[i]) * scale) ** 2).sum(axis=1)
        d[i] = np.inf
        out[s.code] = [stations[j].code for j in np.argpartition(d, k - 1)[:k]] if k else []
    return out


class Walk:
    """A volunteer's walk as a function of time; query it with increasing `t` (seconds)."""

    def __init__(
        self,
        stations: dict[str, Station],
        neighbours: dict[str, list[str]],
        rng: random.Random,
        t0: float = 0.0,
        start: str | None = None,
    ) -> None:
        self.stations = stations
        self.neighbours = neighbours
        self.rng = rng
        self.speed = rng.uniform(SPEED_MIN_MS, SPEED_MAX_MS)
        self.battery = rng.uniform(0.55, 1.0)
        self.route: list[str] = []  # stations passed through, in order
        code = start if start is not None else rng.choice(sorted(stations))
        self._previous: str | None = None
        self._arrive(code)
        s = stations[code]
        self._lon, self._lat = s.lon, s.lat
        self._t = t0
        # The plan: a queue of ("walk", lon, lat, station|None) and ("stop", seconds) steps.
        self._steps: list[tuple] = []
        self._stop_until = t0 + rng.uniform(0, STOP_MAX_S) if rng.random() < 0.5 else t0
        self._hdg: float | None = None
        self._to_door = rng.uniform(*DOOR_EVERY_M)

    @property
    def station(self) -> str:
        return self.route[-1]

    def _arrive(self, code: str) -> None:
        self._previous = self.route[-1] if self.route else None
        self.route.append(code)

    def _plan_leg(self) -> None:
        here = self.station
        options = [c for c in self.neighbours.get(here, ()) if c in self.stations]
        if len(options) > 1 and self._previous in options:
            options.remove(self._previous)  # no immediate U-turn when there is a choice
        if not options:  # an isolated station: jump to any other
            options = [c for c in self.stations if c != here] or [here]
        target = self.rng.choice(options)
        dest = self.stations[target]
        # An L-shaped leg, like a street grid: first east-west or north-south, then the other.
        if self.rng.random() < 0.5:
            corner = (dest.lon, self._lat)
        else:
            corner = (self._lon, dest.lat)
        self._steps.append(("walk", corner[0], corner[1], None))
        self._steps.append(("walk", dest.lon, dest.lat, target))

    def advance(self, t: float) -> tuple[float, float, float, bool]:
        """Move the true position to time t; returns (lon, lat, speed m/s, stopped)."""
        cur = self._t
        if t < cur:
            raise ValueError("time must not go backwards")
        self._t = t
        self.battery = max(0.05, self.battery - (t - cur) * 0.15 / 3600.0)
        while cur < t:
            if self._stop_until > cur:  # standing at a door
                cur = min(t, self._stop_until)
                continue
            if not self._steps:
                self._plan_leg()
            _, lon, lat, arrives = self._steps[0]
            remaining = metres_between(self._lon, self._lat, lon, lat)
            budget = self.speed * (t - cur)
            step = min(budget, remaining, self._to_door)
            if remaining > 0:
                self._hdg = heading(self._lon, self._lat, lon, lat)
                f = step / remaining
                self._lon += (lon - self._lon) * f
                self._lat += (lat - self._lat) * f
            cur = t if step >= budget else cur + step / self.speed
            self._to_door -= step
            if step >= remaining - 1e-6:
                self._lon, self._lat = lon, lat
                self._steps.pop(0)
                if arrives is not None:
                    self._arrive(arrives)
            if self._to_door <= 1e-6:
                # A door: knock, talk, note the outcome.
                self._to_door = self.rng.uniform(*DOOR_EVERY_M)
                self._stop_until = cur + self.rng.uniform(STOP_MIN_S, STOP_MAX_S)
        stopped = self._stop_until > t
        return self._lon, self._lat, (0.0 if stopped else self.speed), stopped

    def fix(self, t: float) -> Fix:
        """The position at time t as a phone would report it: noisy, with an accuracy radius."""
        lon, lat, spd, stopped = self.advance(t)
        if self.rng.random() < BAD_FIX_PROBABILITY:
            acc = self.rng.uniform(*BAD_ACC_M)
        else:
            acc = self.rng.uniform(*GOOD_ACC_M)
        acc = round(acc, 1)  # as reported: the error is clipped to what the phone says
        # Error within the reported accuracy: half-normal distance, clipped to acc.
        dist = min(abs(self.rng.gauss(0.0, acc / 2.0)), acc)
        angle = self.rng.uniform(0.0, 2.0 * math.pi)
        nlon, nlat = offset(lon, lat, dist * math.sin(angle), dist * math.cos(angle))
        reported_spd = 0.0 if stopped else max(0.0, spd + self.rng.gauss(0.0, 0.1))
        return Fix(
            t=t,
            true_lon=lon,
            true_lat=lat,
            lon=nlon,
            lat=nlat,
            acc=acc,
            spd=round(reported_spd, 2),
            hdg=None if stopped or self._hdg is None else round(self._hdg, 1),
            stopped=stopped,
            station=self.station,
        )


# -- database: stations and volunteer accounts ------------------------------------------------

STATIONS_SQL = """
WITH finest AS (
    SELECT level FROM areas WHERE campaign_id = $1
    ORDER BY CASE level WHEN 'polling_station' THEN 0 WHEN 'neighbourhood' THEN 1 ELSE 2 END
    LIMIT 1
), pts AS (
    SELECT a.id, a.code, a.geom, ST_PointOnSurface(a.geom) AS p
    FROM areas a JOIN finest f ON f.level = a.level
    WHERE a.campaign_id = $1
      -- placeholders (a 1 m² polygon) are not somewhere to walk to
      AND ST_Area(a.geom::geography) >= 100
)
SELECT code, ST_X(p) AS lon, ST_Y(p) AS lat FROM pts ORDER BY code
"""

NEIGHBOURS_SQL = """
SELECT a.code, b.code AS neighbour
FROM areas a
JOIN areas b ON b.campaign_id = a.campaign_id AND b.level = a.level AND b.id <> a.id
            AND ST_DWithin(a.geom, b.geom, 0.00002)
WHERE a.campaign_id = $1 AND a.level = (
    SELECT level FROM areas WHERE campaign_id = $1
    ORDER BY CASE level WHEN 'polling_station' THEN 0 WHEN 'neighbourhood' THEN 1 ELSE 2 END
    LIMIT 1)
"""


async def load_stations(conn, campaign_id: int) -> tuple[dict[str, Station], dict[str, list[str]]]:
    """The campaign's finest areas as walkable stations, and which ones touch which."""
    rows = await conn.fetch(STATIONS_SQL, campaign_id)
    stations = {r["code"]: Station(r["code"], r["lon"], r["lat"]) for r in rows}
    neighbours: dict[str, list[str]] = {code: [] for code in stations}
    for r in await conn.fetch(NEIGHBOURS_SQL, campaign_id):
        if r["code"] in stations and r["neighbour"] in stations:
            neighbours[r["code"]].append(r["neighbour"])
    nearest = nearest_neighbours(list(stations.values()))
    for code, found in neighbours.items():
        if not found:
            neighbours[code] = nearest[code]
    return stations, neighbours


async def ensure_volunteers(conn, campaign_slug: str, n: int, prefix: str = "sim") -> list[tuple[int, str]]:
    """N volunteer accounts `<prefix>-<slug>-<i>` in the campaign, in bulk, with fresh tokens,
    each agreeing to the current location-sharing text (shifts start only then).

    Accounts are reused across runs (same logins); tokens are only ever stored hashed, so each run
    issues new ones, which ends any older run's sessions at their next reconnect.
    Returns [(user id, token)] in order.
    """
    from server.auth.queries import ensure_users
    from server.campaigns.queries import campaign_by_slug
    from server.consent.queries import agree_many
    from server.consent.texts import current_version

    campaign = await campaign_by_slug(conn, campaign_slug)
    logins = [f"{prefix}-{campaign_slug}-{i:05d}" for i in range(n)]
    names = [f"{prefix}-{i:05d}" for i in range(n)]
    accounts = await ensure_users(conn, campaign["id"], logins, names, "volunteer")
    # No shift starts without consent to the current location text, for stand-ins too: the
    # operator running the simulation agrees for the accounts it made up.
    await agree_many(conn, campaign["id"], [uid for uid, _ in accounts], current_version("location"))
    return accounts


async def next_seq(conn, volunteer_ids: list[int]) -> int:
    """A seq above every stored one for these volunteers (pings are idempotent on volunteer+seq)."""
    if not await conn.fetchval("SELECT to_regclass('public.pings') IS NOT NULL"):
        return 1
    top = await conn.fetchval("SELECT max(seq) FROM pings WHERE volunteer_id = ANY($1::bigint[])", volunteer_ids)
    return (top or 0) + 1


# -- the simulate command ----------------------------------------------------------------------


async def simulate(
    campaign: str,
    volunteers: int,
    interval: float,
    ingest_url: str,
    seconds: float | None,
    database_url: str,
    seed: int | None = None,
    team_size: int = 0,
) -> dict:
    from server.campaigns.queries import campaign_by_slug
    from server.db import connect
    from server.dispatch.queries import ensure_teams
    from server.errors import InvalidInput

    from simulate.client import VolunteerClient

    if volunteers < 1 or interval <= 0:
        raise InvalidInput("--volunteers must be ≥ 1 and --interval > 0")
    conn = await connect(database_url)
    try:
        row = await campaign_by_slug(conn, campaign)
        stations, neighbours = await load_stations(conn, row["id"])
        if not stations:
            raise InvalidInput(f"campaign {campaign!r} has no areas to walk through: import some first")
        accounts = await ensure_volunteers(conn, campaign, volunteers, "sim")
        if team_size > 0:  # walkers in teams, as canvassers go: the demo has teams to dispatch
            await ensure_teams(conn, row["id"], [vid for vid, _ in accounts], team_size, "sim team")
        seq_start = await next_seq(conn, [vid for vid, _ in accounts])
    finally:
        await conn.close()

    rng = random.Random(seed)
    now = time.time()
    codes = sorted(stations)
    walks = [Walk(stations, neighbours, random.Random(rng.random()), t0=now, start=rng.choice(codes)) for _ in accounts]
    clients = [VolunteerClient(ingest_url, token, seq_start=seq_start) for _, token in accounts]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    print(
        f"simulating {volunteers} volunteers in {campaign!r} through {len(stations)} stations "
        f"→ {ingest_url}, one ping every {interval}s",
        file=sys.stderr,
        flush=True,
    )

    # Connect gradually (a few hundred handshakes at once is a burst a phone fleet never makes).
    for i, client in enumerate(clients):
        await client.start()
        if i % 50 == 49:
            await asyncio.sleep(0.05)

    async def drive(walk: Walk, client: VolunteerClient) -> None:
        # Spread volunteers over the interval, then keep an absolute schedule (no drift).
        next_at = time.monotonic() + rng.uniform(0, interval)
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    return
                except TimeoutError:
                    pass
            next_at += interval
            fix = walk.fix(time.time())
            client.add(
                lat=round(fix.lat, 7),
                lon=round(fix.lon, 7),
                acc=fix.acc,
                t=round(fix.t, 3),
                spd=fix.spd,
                hdg=fix.hdg,
                bat=round(walk.battery, 3),
            )

    drivers = [asyncio.create_task(drive(w, c)) for w, c in zip(walks, clients)]
    started = time.monotonic()
    try:
        if seconds is not None:
            try:
                await asyncio.wait_for(stop.wait(), seconds)
            except TimeoutError:
                pass
        else:
            await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*drivers, return_exceptions=True)
        # Give the last pings a moment to be acked, end the shifts (off shift, nobody is on
        # HQ's map or counted as on shift), then hang up.
        await asyncio.gather(*(c.end_shift(timeout=5) for c in clients), return_exceptions=True)
        await asyncio.gather(*(c.close() for c in clients))
    elapsed = time.monotonic() - started
    totals: dict[str, int] = {}
    for c in clients:
        for k, v in c.counters.items():
            if isinstance(v, int):
                totals[k] = totals.get(k, 0) + v
    lat = (
        np.array([x for c in clients for x in c.ack_latencies_ms]) if any(c.ack_latencies_ms for c in clients) else None
    )
    return {
        "campaign": campaign,
        "volunteers": volunteers,
        "interval_s": interval,
        "seconds": round(elapsed, 1),
        "stations": len(stations),
        "connected": sum(c.connected or c.stats.connects > 0 for c in clients),
        "auth_failed": sum(c.fatal is not None for c in clients),
        **totals,
        "ack_p50_ms": round(float(np.percentile(lat, 50)), 1) if lat is not None else None,
        "ack_p99_ms": round(float(np.percentile(lat, 99)), 1) if lat is not None else None,
    }


def add_commands(sub) -> None:
    """Register `quadriller simulate` (the `quadriller.commands` entry point, pyproject.toml)."""
    p = sub.add_parser(
        "simulate", help="simulated volunteers walking through the polling stations, over the real protocol"
    )
    p.add_argument("--campaign", required=True)
    p.add_argument("--volunteers", type=int, default=300)
    p.add_argument("--interval", type=float, default=2.0, help="seconds between two pings of one volunteer")
    p.add_argument("--ingest-url", default=None, help="default: ws://<ingest host>:<ingest port>/ws/pings")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--team-size", type=int, default=3, help="walkers per team (0: no teams)")
    p.set_defaults(func=_cmd_simulate)


async def _cmd_simulate(args, settings) -> None:
    url = args.ingest_url or f"ws://{settings.ingest_host}:{settings.ingest_port}/ws/pings"
    report = await simulate(
        args.campaign,
        args.volunteers,
        args.interval,
        url,
        args.seconds,
        settings.database_url,
        args.seed,
        args.team_size,
    )
    sys.stdout.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")
