"""A day out on the real Paris campaign (a team on shift, a tour report, a rejected suggestion)
and the day report written by the CLI, for the day-report tests (CLI and browser)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt

from server.cli import main as cli_main
from tests.conftest import add_user, bearer, start_shift
from tests.helpers.teams import make_team, volunteers

STATION = "11-14"


def read(path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


async def a_day_out(client, pool, paris) -> dict:
    """A volunteer in a team, on shift, who reported a tour of STATION; a suggestion rejected."""
    slug = paris["slug"]
    hq = bearer((await add_user(pool, slug, "coordinator", "Day lead"))["token"])
    vols = await volunteers(pool, slug, 1, "Day")
    team = await make_team(client, slug, hq, f"Day {vols[0]['login']}", vols)
    await start_shift(pool, paris["id"], vols[0]["id"])
    r = await client.post(
        f"/api/campaigns/{slug}/reports",
        headers=bearer(vols[0]["token"]),
        json={"doors_knocked": 12, "doors_opened": 5, "contacts": 2, "station": STATION},
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/campaigns/{slug}/dispatch/decisions",
        headers=hq,
        json={
            "team": team["id"],
            "suggested": STATION,
            "decision": "rejected",
            "suggestion": {"summary": f"{team['name']} → {STATION}: rank 1 of 902"},
        },
    )
    assert r.status_code == 201, r.text
    return {"team": team, "volunteer": vols[0]}


async def write(paris, out) -> dict:
    """The CLI, in a thread (it runs its own event loop), for today."""
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    args = ["report", "day", "--campaign", paris["slug"], "--date", today, "--out", str(out)]
    assert await asyncio.to_thread(cli_main, args) == 0
    return {"date": today}
