"""The day report's tables, from the rows the queries return. Pure.

Per volunteer: time on the ground (shift time within the day), doors knocked and opened and
contacts (today's tour reports; door outcomes per door are another issue's), stations covered.
Per team: the sum over its members, plus the stations and turfs it was sent to and what
coordinators did with its suggestions. Per station: coverage before and after the day (doors
knocked / doors, from tour reports) next to its priority rank.
"""

from __future__ import annotations


def volunteers(rows, team_names: dict[int, str]) -> list[dict]:
    return [
        {
            "volunteer": r["id"],
            "name": r["name"],
            "team": team_names.get(r["team_id"], ""),
            "shifts": r["shifts"],
            "hours_on_ground": round(r["seconds"] / 3600, 2),
            "reports": r["reports"],
            "doors_knocked": r["knocked"],
            "doors_opened": r["opened"],
            "contacts": r["contacts"],
            "stations": " ".join(r["stations"]),
        }
        for r in rows
    ]


def teams(team_rows, vols: list[dict]) -> list[dict]:
    out = []
    for t in team_rows:
        members = [v for v in vols if v["team"] == t["name"]]
        if not members and not t["assigned"] and not (t["accepted"] + t["rejected"] + t["changed"]):
            continue  # not out today
        stations = sorted({s for v in members for s in v["stations"].split()} | set(t["assigned"]))
        out.append(
            {
                "team": t["name"],
                "volunteers": len(members),
                "hours_on_ground": round(sum(v["hours_on_ground"] for v in members), 2),
                "doors_knocked": sum(v["doors_knocked"] for v in members),
                "doors_opened": sum(v["doors_opened"] for v in members),
                "contacts": sum(v["contacts"] for v in members),
                "stations": " ".join(stations),
                "turfs_assigned": t["turfs"],
                "suggestions_accepted": t["accepted"],
                "suggestions_rejected": t["rejected"],
                "suggestions_changed": t["changed"],
            }
        )
    return out


def stations(rows, ranks: dict[str, int]) -> list[dict]:
    out = []
    for r in rows:
        doors = r["doors"]
        before = min(1.0, r["knocked_before"] / doors) if doors else None
        after = min(1.0, (r["knocked_before"] + r["knocked_day"]) / doors) if doors else None
        out.append(
            {
                "station": r["code"],
                "name": r["name"] or "",
                "priority_rank": ranks.get(r["code"], ""),
                "doors": doors,
                "doors_knocked_before": r["knocked_before"],
                "doors_knocked_today": r["knocked_day"],
                "volunteers_today": r["volunteers_day"],
                "coverage_before": "" if before is None else round(before, 4),
                "coverage_after": "" if after is None else round(after, 4),
            }
        )
    return out


def decisions(rows) -> list[dict]:
    return [
        {
            "decided_at": r["decided_at"].isoformat(),
            "team": r["team_name"],
            "suggested": r["suggested"] or "",
            "decision": r["decision"],
            "chosen": r["chosen"] or "",
            "by": r["decided_by_name"] or "",
            "summary": (r["suggestion"] or {}).get("summary", ""),
        }
        for r in rows
    ]
