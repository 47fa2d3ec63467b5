"""`quadriller privacy export|erase --campaign SLUG (--login LOGIN | --contact ID)`."""

from __future__ import annotations

from pathlib import Path

from server.commandline import print_json, with_conn
from server.settings import Settings


def _person(p) -> None:
    p.add_argument("--campaign", required=True)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--login", help="a volunteer (any member) of the campaign")
    who.add_argument("--contact", type=int, help="a contact's id")


async def _run(args, settings: Settings, work) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.redis import create_redis

    redis = create_redis(settings.redis_url)
    try:

        async def in_campaign(conn):
            return await work(conn, redis, (await campaign_by_slug(conn, args.campaign))["id"])

        print_json(await with_conn(settings, in_campaign))
    finally:
        await redis.aclose()


async def cmd_privacy_export(args, settings: Settings) -> None:
    from server.audit.queries import record_as
    from server.privacy import queries

    async def work(conn, redis, campaign_id):
        if args.contact is not None:
            doc = await queries.export_contact(conn, campaign_id, args.contact)
        else:
            uid = await queries.volunteer_id(conn, campaign_id, args.login)
            doc = await queries.export_volunteer(conn, redis, campaign_id, uid, args.pings_dir, settings.redis_prefix)
        await record_as(
            conn, campaign_id, None, "cli", "privacy_export", {"login": args.login, "contact": args.contact}
        )
        return doc

    await _run(args, settings, work)


async def cmd_privacy_erase(args, settings: Settings) -> None:
    from server.privacy import queries

    async def work(conn, redis, campaign_id):
        if args.contact is not None:
            return {"contact": args.contact, "removed": await queries.erase_contact(conn, campaign_id, args.contact)}
        uid = await queries.volunteer_id(conn, campaign_id, args.login)
        return {
            "login": args.login,
            "removed": await queries.erase_volunteer(
                conn, redis, campaign_id, uid, settings.shift_max_hours, settings.redis_prefix
            ),
        }

    await _run(args, settings, work)


def add_commands(sub) -> None:
    privacy = sub.add_parser(
        "privacy", help="a person's rights: export or erase what is held about them"
    ).add_subparsers(dest="action", required=True)
    e = privacy.add_parser("export", help="print one JSON document with everything held about the person")
    _person(e)
    e.add_argument(
        "--pings-dir",
        type=Path,
        default=Path("."),
        help="where a large ping history is written (gzipped JSON lines); default: here",
    )
    e.set_defaults(func=cmd_privacy_export)
    x = privacy.add_parser(
        "erase",
        help="remove the person's data (aggregated per-cell counts stay); prints what was removed, table by table",
    )
    _person(x)
    x.set_defaults(func=cmd_privacy_erase)
