"""`quadriller snapshot`: a campaign's map at a moment, as ONE self-contained HTML file.

For a briefing or an email: the file opens from disk, offline, and makes no network request.
pydeck's `to_html(offline=True)` inlines deck.gl's JavaScript, but its page template still links
a Mapbox GL script and four stylesheets from CDNs (bootstrap, font-awesome, maplibre, deck.gl
widgets). None of them is needed without a base map, so they are taken out here, and the page is
refused if any external reference is left outside the inlined bundle.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

EXTERNAL_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*['"]?(?:https?:)?//[^>]*>\s*</script>\s*"""
    r"""|<link\b[^>]*\bhref\s*=\s*['"]?(?:https?:)?//[^>]*>\s*""",
    re.IGNORECASE,
)
EXTERNAL_REF = re.compile(r"""\b(?:src|href)\s*=\s*['"]?(?:https?:)?//""", re.IGNORECASE)


# pydeck puts its description box (our title and legend) in a zero-height overlay placed before
# the map's container, at the canvas's z-index, and caps the box at 94 % of that zero height: as
# is, the box shows as an empty strip under the canvas. Give the overlay the page's size above the
# canvas (clicks pass through it), and the box a width (pydeck's `width: 344` has no unit).
PAGE_CSS = (
    "html,body{background:%s}"
    ".deckgl-ui-elements-overlay{position:absolute;inset:0;z-index:2!important;pointer-events:none}"
    ".deck-json-description-box{width:330px!important;margin:12px!important;max-height:none!important;"
    "pointer-events:auto;border-radius:6px;box-shadow:0 2px 10px rgba(0,0,0,.5)}"
)


class NotSelfContained(RuntimeError):
    pass


def _bundle() -> str:
    from pydeck.io.html import cdn_picker

    return cdn_picker(offline=True)


def self_contained_html(deck, title: str) -> str:
    """The deck as one HTML page with deck.gl inlined and no external reference."""
    from server.exports.deck import BACKGROUND

    page = deck.to_html(as_string=True, offline=True, notebook_display=False, css_background_color=BACKGROUND)
    bundle = _bundle()
    head, sep, tail = page.partition(bundle)
    if not sep:
        raise NotSelfContained("pydeck's page does not inline its JavaScript bundle")
    # Only the template around the bundle is edited: the bundle's own text is left as it is.
    head, tail = EXTERNAL_TAG.sub("", head), EXTERNAL_TAG.sub("", tail)
    head = head.replace("<title>pydeck</title>", f"<title>{html.escape(title)}</title>", 1)
    head = head.replace(
        "<head>",
        '<head>\n    <meta name="viewport" content="width=device-width, initial-scale=1" />'
        f'\n    <meta name="referrer" content="no-referrer" />\n    <style>{PAGE_CSS % BACKGROUND}</style>',
        1,
    )
    left = EXTERNAL_REF.findall(head) + EXTERNAL_REF.findall(tail)
    if left:
        raise NotSelfContained(f"the page still references external resources: {left}")
    return head + bundle + tail


def write_snapshot(deck, out: Path, title: str) -> int:
    text = self_contained_html(deck, title)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)  # never a half-written file at `out`
    return len(text.encode())


async def cmd_snapshot(args, settings) -> None:
    from server.commandline import print_json, with_conn
    from server.exports.deck import campaign_deck_async, parse_time

    at = parse_time(args.at)  # bad input is reported before any connection is made
    since = parse_time(args.since) if args.since else None

    async def work(conn):
        return await campaign_deck_async(conn, args.campaign, at, since, settings.live_stale_after_s)

    deck, data = await with_conn(settings, work)
    title = f"{data.campaign.get('name') or data.campaign['slug']} — {data.at:%Y-%m-%d %H:%M} UTC"
    size = write_snapshot(deck, args.out, title)
    print_json({"out": str(args.out), "bytes": size, **data.summary()})


def add_commands(sub) -> None:
    s = sub.add_parser("snapshot", help="write a self-contained HTML map of a campaign at a moment (no network)")
    s.add_argument("--campaign", required=True)
    s.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    s.add_argument("--at", help="ISO 8601 time (naive = UTC); default now")
    s.add_argument("--since", help="coverage from this time (default 00:00 UTC of the day of --at)")
    s.set_defaults(func=cmd_snapshot)
