"""A campaign's state at a moment, as a pydeck.Deck: for snapshots (HTML) and for notebooks.

    from server.exports import campaign_deck
    deck = campaign_deck("paris", at="2026-11-26T14:00:00Z")   # or at=None: now
    deck.to_html("paris.html", offline=True)

Layers, bottom to top:
- `stations`: polling stations coloured by turnout of the latest election (the HQ map's viridis
  ramp over the min..max of the campaign's stations, grey where there is no figure);
- `districts`: district outlines;
- `coverage`: H3 res-9 hexagons of the pings from `since` (default: 00:00 UTC of the day of `at`)
  to `at`, aggregated per res-11 cell in SQL and rolled up with h3, shaded by ping count;
- `volunteers`: each volunteer's latest position in the stale window (at − live_stale_after_s, at],
  coloured by team as on the HQ map.
No base map: the deck draws on a plain dark background and needs no tile or style request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import h3
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from server.campaigns.queries import campaign_by_slug
from server.errors import InvalidInput
from server.exports import queries

COVERAGE_RES = 9
BACKGROUND = "#0d1017"  # the HQ map's --bg
# The HQ map's palettes (web/src/layers/metrics.ts and volunteers.ts), so that a snapshot reads
# like the live map.
RAMP = [
    (68, 1, 84),
    (72, 40, 120),
    (62, 73, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (180, 222, 44),
    (253, 231, 37),
]
NO_DATA = [90, 90, 100, 110]
FILL_ALPHA = 200
PALETTE = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
]
NO_TEAM = [255, 255, 255, 255]
COVERAGE_RGB = (255, 120, 40)
VIEW_W, VIEW_H = 1200, 800  # the viewport the initial view is fitted to


def parse_time(value: datetime | str | None) -> datetime:
    """An aware UTC datetime from a datetime, an ISO 8601 string ("…Z", an offset, or naive =
    UTC), "now", or None (now)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "now"):
        return datetime.now(UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{value!r} is not an ISO 8601 time (e.g. 2026-11-26T14:30:00Z)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def ramp_color(t01: float, alpha: int = FILL_ALPHA) -> list[int]:
    x = min(1.0, max(0.0, t01)) * (len(RAMP) - 1)
    i = min(len(RAMP) - 2, int(math.floor(x)))
    f = x - i
    a, b = RAMP[i], RAMP[i + 1]
    return [round(a[k] + (b[k] - a[k]) * f) for k in range(3)] + [alpha]


def team_color(team: int | None) -> list[int]:
    if team is None:
        return list(NO_TEAM)
    return [*PALETTE[abs(int(team)) % len(PALETTE)], 255]


def roll_up(cells, res: int = COVERAGE_RES) -> list[dict]:
    """Res-11 rows (cell bigint, pings, volunteers: [id…]) → one dict per res-`res` hexagon, with
    pings summed and volunteers counted once."""
    hexes: dict[str, list] = {}
    for row in cells:
        parent = h3.cell_to_parent(h3.int_to_str(row["cell"]), res)
        entry = hexes.setdefault(parent, [0, set()])
        entry[0] += row["pings"]
        entry[1].update(row["volunteers"])
    return [{"hex": h, "pings": n, "volunteers": len(vs)} for h, (n, vs) in sorted(hexes.items())]


def fit_view(
    bounds: tuple[float, float, float, float] | None, width: int = VIEW_W, height: int = VIEW_H, padding: int = 40
) -> pdk.ViewState:
    """Web-Mercator zoom that fits the bounds in a width × height viewport."""
    if bounds is None:
        return pdk.ViewState(longitude=0, latitude=20, zoom=1.5)
    west, south, east, north = bounds

    def merc_y(lat: float) -> float:
        lat = max(-85.0, min(85.0, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(east - west, 1e-6) / 360.0
    dy = max(merc_y(north) - merc_y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2((width - 2 * padding) / 512 / dx), math.log2((height - 2 * padding) / 512 / dy))
    mid_y = (merc_y(north) + merc_y(south)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return pdk.ViewState(longitude=(west + east) / 2, latitude=latitude, zoom=round(min(zoom, 17), 2))


class Deck(pdk.Deck):
    """pydeck.Deck whose JSON is compact and safe inside a <script> element.

    pydeck indents its JSON (about 40 % of a snapshot's data bytes) and leaves "</script>" in a
    string able to end the page's script early: an area name is imported data, not trusted.
    Escaping <, > and & as \\u00XX keeps the same JSON value.
    """

    def to_json(self) -> str:
        text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        return (
            text.replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )


@dataclass
class CampaignExport:
    """Everything a campaign deck shows, as plain data (no pydeck): what the tests check."""

    campaign: dict
    at: datetime
    since: datetime
    stale_after_s: float
    election: str | None
    stations: dict
    districts: dict
    volunteers: list[dict] = field(default_factory=list)
    hexes: list[dict] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None
    turnout: tuple[float, float] | None = None  # min, max over the stations

    def summary(self) -> dict:
        return {
            "campaign": self.campaign["slug"],
            "at": self.at.isoformat(),
            "since": self.since.isoformat(),
            "election": self.election,
            "polling_stations": len(self.stations["features"]),
            "districts": len(self.districts["features"]),
            "volunteers": len(self.volunteers),
            "coverage_hexes": len(self.hexes),
            "coverage_res": COVERAGE_RES,
            "coverage_pings": sum(h["pings"] for h in self.hexes),
        }


async def load_export(
    conn: asyncpg.Connection,
    slug: str,
    at: datetime | str | None = None,
    since: datetime | str | None = None,
    stale_after_s: float = 300.0,
) -> CampaignExport:
    campaign = dict(await campaign_by_slug(conn, slug))
    at = parse_time(at)
    since = parse_time(since) if since is not None else at.replace(hour=0, minute=0, second=0, microsecond=0)
    if since > at:
        raise InvalidInput(f"--since ({since.isoformat()}) is after --at ({at.isoformat()})")
    stations, districts, election = await queries.area_layers(conn, campaign["id"])
    rows = await queries.volunteers_at(conn, campaign["id"], at, stale_after_s)
    cells = await queries.coverage_cells(conn, campaign["id"], since, at)
    out = CampaignExport(
        campaign=campaign,
        at=at,
        since=since,
        stale_after_s=stale_after_s,
        election=election,
        stations=stations,
        districts=districts,
        hexes=roll_up(cells),
        bounds=await queries.extent(conn, campaign["id"]),
    )
    for r in rows:
        out.volunteers.append(
            {
                "v": r["volunteer_id"],
                "lon": round(r["lon"], 6),
                "lat": round(r["lat"], 6),
                "t": r["t"],
                "age_s": round((at.timestamp() - r["t"]), 1),
                "acc": r["acc"],
                "low_acc": r["low_accuracy"],
                "ps": r["polling_station"],
                "team": r["team"],
                "team_name": r["team_name"],
            }
        )
    turnouts = [f["properties"]["turnout"] for f in stations["features"] if f["properties"].get("turnout") is not None]
    out.turnout = (min(turnouts), max(turnouts)) if turnouts else None
    if out.bounds is None and out.volunteers:
        lons, lats = [v["lon"] for v in out.volunteers], [v["lat"] for v in out.volunteers]
        out.bounds = (min(lons), min(lats), max(lons), max(lats))
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f} %"


def _hhmm(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _decorate(data: CampaignExport) -> None:
    """Colours and tooltip text, computed here so that the HTML carries plain values (no
    JavaScript accessors to evaluate)."""
    lo, hi = data.turnout or (0.0, 0.0)
    for f in data.stations["features"]:
        p = f["properties"]
        p.pop("lists", None)  # every list's share: 38 per station in Paris, most of the file
        t = p.get("turnout")
        p["fill"] = (
            NO_DATA if t is None or data.turnout is None else ramp_color((t - lo) / (hi - lo) if hi > lo else 0.5)
        )
        f["tip"] = (
            f"<b>{html.escape(str(p['code']))}</b> {html.escape(p.get('name') or '')}"
            f"<br/>turnout {_pct(t)} · {p.get('registered') or 0} registered"
        )
    for f in data.districts["features"]:
        p = f["properties"]
        p.pop("lists", None)
        f["tip"] = f"<b>{html.escape(p.get('name') or str(p['code']))}</b><br/>turnout {_pct(p.get('turnout'))}"
    top = max((h["pings"] for h in data.hexes), default=1)
    for h in data.hexes:
        strength = math.log1p(h["pings"]) / math.log1p(top) if top > 0 else 1.0
        h["color"] = [*COVERAGE_RGB, round(40 + 110 * strength)]
        h["tip"] = f"{h['pings']} pings · {h['volunteers']} volunteers"
    for v in data.volunteers:
        v["color"] = team_color(v["team"])
        team = html.escape(v["team_name"] or (f"team {v['team']}" if v["team"] is not None else "no team"))
        v["tip"] = (
            f"volunteer #{v['v']} · {team}<br/>last fix {int(v['age_s'] // 60)} min "
            f"{int(v['age_s'] % 60)} s before · {html.escape(v['ps'] or 'outside every station')}"
        )


def legend_html(data: CampaignExport) -> str:
    """Title and legend, shown by pydeck's description box (plain HTML, system fonts)."""
    name = html.escape(data.campaign.get("name") or data.campaign["slug"])
    stops = ", ".join(f"rgb{c}" for c in RAMP)
    lo, hi = data.turnout or (None, None)
    election = html.escape(data.election or "no results imported")
    swatch = "display:inline-block;width:11px;height:11px;border-radius:50%;vertical-align:middle;margin-right:6px"
    hexsw = (
        f"display:inline-block;width:12px;height:11px;vertical-align:middle;margin-right:6px;"
        f"background:rgba{(*COVERAGE_RGB, 0.7)};clip-path:polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)"
    )
    return (
        "<div style=\"font:13px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#151a24\">"
        f'<div style="font-size:16px;font-weight:700">{name}</div>'
        f'<div style="color:#555;margin-bottom:8px">state at {_hhmm(data.at)}</div>'
        f"<div>Turnout, {election}</div>"
        f'<div style="height:10px;margin:3px 0;background:linear-gradient(to right,{stops})"></div>'
        f'<div style="display:flex;justify-content:space-between;color:#555"><span>{_pct(lo)}</span>'
        f"<span>{_pct(hi)}</span></div>"
        f'<div style="margin-top:6px"><span style="{swatch};background:#fff;border:1px solid #333"></span>'
        f"{len(data.volunteers)} volunteers active (a fix in the last {round(data.stale_after_s / 60)} min), "
        "coloured by team</div>"
        f'<div><span style="{hexsw}"></span>{len(data.hexes)} hexagons walked since {data.since:%H:%M} UTC '
        f"({sum(h['pings'] for h in data.hexes)} pings)</div>"
        f'<div><span style="display:inline-block;width:12px;height:0;border-top:2px solid rgb(150,200,255);'
        f'vertical-align:middle;margin-right:6px"></span>districts</div>'
        "</div>"
    )


def build_deck(data: CampaignExport) -> pdk.Deck:
    """Pure: a CampaignExport → the pydeck.Deck (layer ids: stations, districts, coverage, volunteers)."""
    _decorate(data)
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            id="stations",
            data=data.stations,
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=[20, 22, 30, 200],
            get_line_width=1,
            line_width_units="'pixels'",
        ),
        pdk.Layer(
            "GeoJsonLayer",
            id="districts",
            data=data.districts,
            pickable=False,
            stroked=True,
            filled=False,
            get_line_color=[150, 200, 255, 220],
            get_line_width=2,
            line_width_units="'pixels'",
        ),
        pdk.Layer(
            "H3HexagonLayer",
            id="coverage",
            data=data.hexes,
            pickable=True,
            extruded=False,
            filled=True,
            stroked=True,
            get_hexagon="hex",
            get_fill_color="color",
            get_line_color=[255, 200, 150, 200],
            get_line_width=1,
            line_width_units="'pixels'",
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="volunteers",
            data=data.volunteers,
            pickable=True,
            get_position="[lon, lat]",
            get_fill_color="color",
            get_radius=6,
            radius_units="'pixels'",
            stroked=True,
            get_line_color=[13, 16, 23, 255],
            get_line_width=1.5,
            line_width_units="'pixels'",
        ),
    ]
    return Deck(
        layers=layers,
        initial_view_state=fit_view(data.bounds),
        views=[pdk.View(type="MapView", controller=True)],
        map_provider=None,
        map_style=None,
        description=legend_html(data),
        tooltip={
            "html": "{tip}",
            "style": {
                "backgroundColor": "#151a24",
                "color": "#e8ecf3",
                "fontSize": "12px",
                "fontFamily": "system-ui, sans-serif",
            },
        },
        height=700,
    )


async def campaign_deck_async(
    conn: asyncpg.Connection,
    slug: str,
    at: datetime | str | None = None,
    since: datetime | str | None = None,
    stale_after_s: float = 300.0,
) -> tuple[pdk.Deck, CampaignExport]:
    data = await load_export(conn, slug, at, since, stale_after_s)
    return build_deck(data), data


def campaign_deck(
    slug: str,
    at: datetime | str | None = None,
    database_url: str | None = None,
    *,
    since: datetime | str | None = None,
    stale_after_s: float | None = None,
) -> pdk.Deck:
    """A campaign's layers at `at` (default now) as a pydeck.Deck, for notebooks and scripts.

    `database_url` defaults to QUADRILLER_DATABASE_URL; `stale_after_s` to
    QUADRILLER_LIVE_STALE_AFTER_S (300). Works inside Jupyter, whose event loop is already running:
    the query then runs on its own loop in a worker thread.
    """
    from server.db import connect, translated_errors
    from server.settings import Settings

    settings = Settings()
    url = database_url or settings.database_url
    stale = settings.live_stale_after_s if stale_after_s is None else stale_after_s

    async def run() -> pdk.Deck:
        conn = await connect(url)
        try:
            async with translated_errors():
                deck, _ = await campaign_deck_async(conn, slug, at, since, stale)
                return deck
        finally:
            await conn.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(run())).result()


__all__ = [
    "CampaignExport",
    "build_deck",
    "campaign_deck",
    "campaign_deck_async",
    "load_export",
    "parse_time",
    "roll_up",
]
