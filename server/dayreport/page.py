"""Writing the day report: one CSV per table, and one HTML page that opens offline.

Plots are drawn with matplotlib (Agg, no display) and inlined as PNG data URIs; the map of the
day is the offline pydeck snapshot (server/exports/snapshot.py, deck.gl bundled), inlined in an
iframe's srcdoc so that the report stays one file. Nothing on the page loads from the network.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def doors_by_team_plot(teams: list[dict]) -> str | None:
    if not teams:
        return None
    top = sorted(teams, key=lambda t: -t["doors_knocked"])[:25]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(top) + 1.2))
    names = [t["team"] for t in top][::-1]
    ax.barh(names, [t["doors_knocked"] for t in top][::-1], color="#ffb020", label="knocked")
    ax.barh(names, [t["doors_opened"] for t in top][::-1], color="#2b8a3e", label="opened")
    ax.set_xlabel("doors")
    ax.legend(loc="lower right")
    return _png(fig)


def coverage_plot(stations: list[dict]) -> str | None:
    moved = [s for s in stations if s["doors_knocked_today"] and s["coverage_after"] != "" and s["priority_rank"] != ""]
    if not moved:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for s in moved:
        ax.plot([s["priority_rank"]] * 2, [s["coverage_before"] * 100, s["coverage_after"] * 100], color="#ffb020")
    ax.scatter(
        [s["priority_rank"] for s in moved],
        [s["coverage_after"] * 100 for s in moved],
        color="#d9480f",
        s=12,
        label="after the day",
    )
    ax.set_xlabel("priority rank (1 = where canvassing pays most)")
    ax.set_ylabel("doors knocked (% of the station's doors)")
    ax.legend()
    return _png(fig)


def _table(rows: list[dict], fields: list[str], limit: int | None = None) -> str:
    head = "".join(f"<th>{html.escape(f)}</th>" for f in fields)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(f, '')))}</td>" for f in fields) + "</tr>"
        for r in (rows if limit is None else rows[:limit])
    )
    more = f"<p class=note>{len(rows) - limit} more rows in the CSV.</p>" if limit and len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def html_page(
    title: str,
    summary: dict,
    tables: dict[str, tuple[list[dict], list[str]]],
    plots: dict[str, str | None],
    map_html: str | None,
) -> str:
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        "<ul class=summary>"
        + "".join(f"<li><b>{html.escape(str(v))}</b> {html.escape(k)}</li>" for k, v in summary.items())
        + "</ul>",
    ]
    if map_html:
        parts.append(
            "<h2>Map of the day</h2>"
            f'<iframe id=map title="map of the day" srcdoc="{html.escape(map_html, quote=True)}"></iframe>'
        )
    for name, uri in plots.items():
        if uri:
            parts.append(f'<h2>{html.escape(name)}</h2><img alt="{html.escape(name)}" src="{uri}">')
    for name, (rows, fields) in tables.items():
        stations = name == "Stations"
        shown = sorted(rows, key=lambda r: (r["priority_rank"] == "", r["priority_rank"])) if stations else rows
        parts.append(f"<h2>{html.escape(name)} ({len(rows)})</h2>" + _table(shown, fields, 60 if stations else None))
    style = (
        "body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;"
        "margin:8px 0 20px}td,th{border:1px solid #ccd;padding:3px 6px;font-size:12px}th{background:#eef}"
        "iframe{width:100%;height:520px;border:1px solid #ccd}.summary{display:flex;gap:18px;list-style:none;"
        "padding:0}.note{color:#667}"
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )
