"""`quadriller invite --campaign SLUG [--team TEAM] [--role volunteer] [--qr FILE]`."""

from __future__ import annotations

from pathlib import Path

from server.commandline import print_json, with_conn
from server.errors import InvalidInput
from server.settings import Settings


async def cmd_invite(args, settings: Settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.invites.links import invite_url, write_qr
    from server.invites.queries import create

    if not 1 <= args.hours <= 24 * 30:
        raise InvalidInput(f"--hours {args.hours}: from 1 to 720")
    if args.qr is not None and args.qr.suffix.lower() not in (".png", ".svg"):
        raise InvalidInput(f"--qr {args.qr}: a .png or .svg file")

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await create(conn, campaign["id"], args.role, args.team, args.hours, None)

    row, secret, team = await with_conn(settings, work)
    base = args.base_url or f"http://{settings.host}:{settings.port}"
    url = invite_url(base, secret)
    if args.qr is not None:
        write_qr(url, args.qr)
    print_json(
        {
            "campaign": args.campaign,
            "url": url,
            "role": row["role"],
            "team": team,
            "expires_at": row["expires_at"],
            "qr": str(args.qr.resolve()) if args.qr else None,
        }
    )


def add_commands(sub) -> None:
    i = sub.add_parser("invite", help="a one-time link that creates a volunteer's account on their phone")
    i.add_argument("--campaign", required=True)
    i.add_argument("--team", help="the team they join (by name)")
    i.add_argument("--role", default="volunteer", choices=("admin", "coordinator", "volunteer"))
    i.add_argument("--hours", type=int, default=72, help="the link works this long, once (default 72)")
    i.add_argument("--qr", type=Path, help="write the link's QR code here (.png or .svg)")
    i.add_argument("--base-url", help="the HQ server as phones reach it (default: http://HOST:PORT of the settings)")
    i.set_defaults(func=cmd_invite)
