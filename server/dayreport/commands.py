"""`quadriller report day --campaign SLUG --date YYYY-MM-DD --out DIR`: the end-of-day report,
one CSV per table (volunteers, teams, stations, decisions) and index.html, which opens offline.
The day is the UTC day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

FIELDS = {
    "volunteers": [
        "volunteer",
        "name",
        "team",
        "shifts",
        "hours_on_ground",
        "reports",
        "doors_knocked",
        "doors_opened",
        "contacts",
        "stations",
    ],
    "teams": [
        "team",
        "volunteers",
        "hours_on_ground",
        "doors_knocked",
        "doors_opened",
        "contacts",
        "stations",
        "turfs_assigned",
        "suggestions_accepted",
        "suggestions_rejected",
        "suggestions_changed",
    ],
    "stations": [
        "station",
        "name",
        "priority_rank",
        "doors",
        "doors_knocked_before",
        "doors_knocked_today",
        "volunteers_today",
        "coverage_before",
        "coverage_after",
    ],
    "decisions": ["decided_at", "team", "suggested", "decision", "chosen", "by", "summary"],
}


def add_commands(sub) -> None:
    p = sub.add_parser("report", help="reports on the campaign")
    rsub = p.add_subparsers(dest="report_command", required=True)
    d = rsub.add_parser("day", help="the end-of-day report: a CSV per table and one offline HTML page")
    d.add_argument("--campaign", required=True)
    d.add_argument("--date", required=True, help="YYYY-MM-DD (the UTC day)")
    d.add_argument("--out", required=True, type=Path, help="the folder to write into (created if needed)")
    d.set_defaults(func=cmd_day)


def parse_day(text: str) -> tuple[dt.datetime, dt.datetime]:
    from server.errors import InvalidInput

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--date {text!r}: expected YYYY-MM-DD") from None
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


async def collect(conn, slug: str, lo: dt.datetime, hi: dt.datetime, stale_after_s: float) -> dict:
    from server.areas.queries import latest_election
    from server.campaigns.queries import campaign_by_slug
    from server.dayreport import tables
    from server.dispatch.queries import decisions
    from server.exports.deck import campaign_deck_async
    from server.exports.snapshot import self_contained_html
    from server.priorities.queries import ranked_stations
    from server.sql import sql

    campaign = await campaign_by_slug(conn, slug)
    cid = campaign["id"]
    team_rows = await conn.fetch(sql("dayreport/teams"), cid, lo, hi)
    names = {r["id"]: r["name"] for r in team_rows}
    vols = tables.volunteers(await conn.fetch(sql("dayreport/volunteers"), cid, lo, hi), names)
    ranked = await ranked_stations(conn, cid, await latest_election(conn, cid), lo, hi, None)
    at = min(hi, dt.datetime.now(dt.UTC))
    deck, _ = await campaign_deck_async(conn, slug, at, lo, stale_after_s)
    return {
        "campaign": campaign,
        "volunteers": vols,
        "teams": tables.teams(team_rows, vols),
        "stations": tables.stations(
            await conn.fetch(sql("dayreport/stations"), cid, lo, hi), {s.code: s.rank for s in ranked}
        ),
        "decisions": tables.decisions(await decisions(conn, cid, lo, hi)),
        "map_html": self_contained_html(deck, f"{campaign['name']} — {lo:%Y-%m-%d}"),
    }


def write_report(data: dict, out: Path, day: dt.datetime) -> dict:
    from server.dayreport import page

    out.mkdir(parents=True, exist_ok=True)
    for name, fields in FIELDS.items():
        page.write_csv(out / f"{name}.csv", data[name], fields)
    vols, teams = data["volunteers"], data["teams"]
    summary = {
        "volunteers out": len(vols),
        "teams out": len(teams),
        "hours on the ground": round(sum(v["hours_on_ground"] for v in vols), 1),
        "doors knocked": sum(v["doors_knocked"] for v in vols),
        "doors opened": sum(v["doors_opened"] for v in vols),
        "contacts": sum(v["contacts"] for v in vols),
        "suggestions decided": len(data["decisions"]),
    }
    title = f"{data['campaign']['name']}: the day of {day:%Y-%m-%d} (UTC)"
    text = page.html_page(
        title,
        summary,
        {
            "Teams": (teams, FIELDS["teams"]),
            "Volunteers": (vols, FIELDS["volunteers"]),
            "Stations": (data["stations"], FIELDS["stations"]),
            "Suggestions decided": (data["decisions"], FIELDS["decisions"]),
        },
        {
            "Doors by team": page.doors_by_team_plot(teams),
            "Coverage before and after the day, by priority": page.coverage_plot(data["stations"]),
        },
        data["map_html"],
    )
    (out / "index.html").write_text(text, encoding="utf-8")
    return {"out": str(out), "files": sorted(p.name for p in out.iterdir()), **summary}


async def cmd_day(args, settings) -> None:
    from server.commandline import print_json, with_conn

    lo, hi = parse_day(args.date)  # bad input is reported before any connection is made

    async def work(conn):
        return await collect(conn, args.campaign, lo, hi, settings.live_stale_after_s)

    data = await with_conn(settings, work)
    print_json({"campaign": args.campaign, "date": args.date, **write_report(data, args.out, lo)})
