"""The end-of-day report on the real Paris campaign: a day with a team out, a tour report and a
dispatch decision, written by the CLI as CSV tables and one HTML page."""

from __future__ import annotations

import json

from tests.helpers.dayreport import STATION, a_day_out, read, write
from server.cli import main as cli_main


async def test_day_report_tables(client, pool, paris, tmp_path, capsys):
    day = await a_day_out(client, pool, paris)
    await write(paris, tmp_path)
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["files"]) >= {"index.html", "volunteers.csv", "teams.csv", "stations.csv", "decisions.csv"}
    vol = next(r for r in read(tmp_path / "volunteers.csv") if r["volunteer"] == str(day["volunteer"]["id"]))
    assert (vol["doors_knocked"], vol["doors_opened"], vol["contacts"], vol["shifts"]) == ("12", "5", "2", "1")
    assert STATION in vol["stations"].split() and vol["team"] == day["team"]["name"]
    team = next(r for r in read(tmp_path / "teams.csv") if r["team"] == day["team"]["name"])
    assert (team["doors_knocked"], team["suggestions_rejected"], team["suggestions_accepted"]) == ("12", "1", "0")
    st = next(r for r in read(tmp_path / "stations.csv") if r["station"] == STATION)
    assert int(st["doors_knocked_today"]) >= 12 and float(st["coverage_after"]) > float(st["coverage_before"])
    assert st["priority_rank"] != ""
    mine = [r for r in read(tmp_path / "decisions.csv") if r["team"] == day["team"]["name"]]
    assert [(r["decision"], r["suggested"], r["by"]) for r in mine] == [("rejected", STATION, "Day lead")]


def test_bad_date_exits_2_with_one_line(paris, tmp_path, capsys):
    assert cli_main(["report", "day", "--campaign", paris["slug"], "--date", "07/12/2026", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--date" in err[0]
    assert cli_main(["report", "day", "--campaign", "no-such", "--date", "2026-12-07", "--out", str(tmp_path)]) == 2
