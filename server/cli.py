"""The `quadriller` command. Its commands and options are a public interface: keep their names.

Every command prints JSON on stdout; errors print one line on stderr and exit non-zero
(2 for bad input, 3 when a service is unreachable), leaving the database unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib import import_module
from pathlib import Path

from server.commandline import print_json, with_conn
from server.errors import InvalidInput, QuadrillerError, ServiceUnavailable
from server.settings import Settings

LEVELS = ("district", "neighbourhood", "polling_station")

# Modules whose `add_commands(sub)` adds their subcommands: one line per domain.
DOMAIN_COMMANDS = [
    "server.demo",
    "server.exports.snapshot",
    "server.layers.commands",
    "server.targeting.commands",
    "server.turfs.commands",
    "server.dayreport.commands",
    "server.tags.commands",
    "server.privacy.commands",
    "server.audit.commands",
    "server.retention.commands",
    "server.invites.commands",
]


def alembic_config(database_url: str):
    """The project's alembic configuration, on `database_url`, wherever the command runs from."""
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "alembic"))
    cfg.attributes["database_url"] = database_url
    return cfg


def cmd_db_upgrade(args, settings: Settings) -> None:
    from alembic import command

    try:
        command.upgrade(alembic_config(settings.database_url), args.revision)
    except Exception as exc:  # sqlalchemy's OperationalError and friends: report, don't trace
        if "connect" in str(exc).lower():
            raise ServiceUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc
        raise
    print_json({"upgraded_to": args.revision})


async def cmd_campaign_create(args, settings: Settings) -> None:
    from server.campaigns.queries import create_campaign

    row = await with_conn(settings, lambda c: create_campaign(c, args.slug, args.name))
    print_json(dict(row))


async def cmd_areas_import(args, settings: Settings) -> None:
    from server.areas.geojson_reader import read_area_file
    from server.areas.loading import import_area_layer
    from server.campaigns.queries import campaign_by_slug

    area_file = read_area_file(args.file, args.code_field, args.name_field)

    async def work(conn):
        from server.areas.index_cache import store_index

        campaign = await campaign_by_slug(conn, args.campaign)
        report = await import_area_layer(conn, campaign["id"], args.level, area_file)
        await store_index(conn, campaign["id"])  # once here, not in every process at its first ping
        return report

    report = await with_conn(settings, work)
    for item in report.repaired:
        print(f"repaired {args.level} {item['code']}: {item['reason']}", file=sys.stderr)
    print_json(report.as_dict())


async def cmd_results_import(args, settings: Settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.results.csv_reader import read_results_csv
    from server.results.loading import import_results

    if bool(args.voters_field) == bool(args.abstention_field):
        raise InvalidInput("give exactly one of --voters-field and --abstention-field")
    lists = [f.strip() for f in args.list_fields.split(",") if f.strip()]
    result_file = read_results_csv(
        args.file,
        code_field=args.code_field,
        registered_field=args.registered_field,
        voters_field=args.voters_field,
        abstention_field=args.abstention_field,
        valid_field=args.valid_field,
        list_fields=lists,
        percent=args.percent,
    )

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await import_results(conn, campaign["id"], args.election, result_file, args.skip_unknown)

    report = await with_conn(settings, work)
    for item in report.unknown_codes:
        print(f"skipped line {item['line']}: code {item['code']!r} matches no polling station", file=sys.stderr)
    out = report.as_dict()
    out.update(delimiter=result_file.delimiter, encoding=result_file.encoding)
    print_json(out)


async def cmd_addresses_import(args, settings: Settings) -> None:
    from server.addresses.loading import import_addresses
    from server.addresses.reader import read_address_file
    from server.campaigns.queries import campaign_by_slug

    address_file = read_address_file(
        args.file,
        id_field=args.id_field,
        number_field=args.number_field,
        street_field=args.street_field,
        lon_field=args.lon_field,
        lat_field=args.lat_field,
        suffix_field=args.suffix_field,
        postcode_field=args.postcode_field,
    )

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await import_addresses(conn, campaign["id"], address_file)

    out = (await with_conn(settings, work)).as_dict()
    out.update(delimiter=address_file.delimiter, encoding=address_file.encoding)
    print_json(out)


async def cmd_locate(args, settings: Settings) -> None:
    from server.areas.queries import locate_exact
    from server.campaigns.queries import campaign_by_slug

    if not (-180 <= args.lon <= 180 and -90 <= args.lat <= 90):
        raise InvalidInput(f"({args.lon}, {args.lat}) is not a WGS84 longitude, latitude")

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await locate_exact(conn, campaign["id"], args.lon, args.lat)

    print_json((await with_conn(settings, work)).model_dump())


async def cmd_users_add(args, settings: Settings) -> None:
    from server.auth.queries import add_user

    new = await with_conn(settings, lambda c: add_user(c, args.campaign, args.role, args.name))
    print_json(new.model_dump())


def cmd_serve(args, settings: Settings) -> None:
    import uvicorn

    from server.app import uvicorn_config

    settings = settings.model_copy(update={"host": args.host or settings.host, "port": args.port or settings.port})
    uvicorn.Server(uvicorn_config(settings)).run()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quadriller", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    up = db.add_parser("upgrade", help="apply the alembic migrations to QUADRILLER_DATABASE_URL")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)

    camp = sub.add_parser("campaign", help="campaigns").add_subparsers(dest="action", required=True)
    c = camp.add_parser("create", help="create a campaign")
    c.add_argument("slug")
    c.add_argument("--name", required=True)
    c.set_defaults(func=cmd_campaign_create)

    areas = sub.add_parser("areas", help="area layers").add_subparsers(dest="action", required=True)
    a = areas.add_parser("import", help="import a GeoJSON layer (WGS84 Polygons/MultiPolygons); replaces the level")
    a.add_argument("file", type=Path)
    a.add_argument("--campaign", required=True)
    a.add_argument("--level", required=True, choices=LEVELS)
    a.add_argument("--code-field", required=True)
    a.add_argument("--name-field")
    a.set_defaults(func=cmd_areas_import)

    results = sub.add_parser("results", help="election results").add_subparsers(dest="action", required=True)
    r = results.add_parser("import", help="import a CSV of results per polling station; replaces the election")
    r.add_argument("file", type=Path)
    r.add_argument("--campaign", required=True)
    r.add_argument("--election", required=True)
    r.add_argument("--code-field", required=True)
    r.add_argument("--registered-field", required=True)
    r.add_argument("--voters-field")
    r.add_argument("--abstention-field")
    r.add_argument("--valid-field")
    r.add_argument("--list-fields", required=True, help="comma-separated list columns")
    r.add_argument(
        "--percent", action="store_true", help="abstention is a %% of registered voters and lists are %% of valid votes"
    )
    r.add_argument(
        "--skip-unknown",
        action="store_true",
        help="import rows with known codes and report the others (default: refuse the file)",
    )
    r.set_defaults(func=cmd_results_import)

    addresses = sub.add_parser("addresses", help="address points for walk lists").add_subparsers(
        dest="action", required=True
    )
    ad = addresses.add_parser(
        "import",
        help="import a CSV (or .csv.gz) of address points (WGS84); replaces the "
        "campaign's addresses and locates each in its polling station",
    )
    ad.add_argument("file", type=Path)
    ad.add_argument("--campaign", required=True)
    ad.add_argument("--id-field", required=True, help="a unique key per address (the BAN id)")
    ad.add_argument("--number-field", required=True, help="house number")
    ad.add_argument("--suffix-field", help="house number suffix (bis, ter, a…), appended to the number")
    ad.add_argument("--street-field", required=True)
    ad.add_argument("--postcode-field")
    ad.add_argument("--lon-field", required=True)
    ad.add_argument("--lat-field", required=True)
    ad.set_defaults(func=cmd_addresses_import)

    loc = sub.add_parser("locate", help="the polling station, neighbourhood and district containing a point")
    loc.add_argument("--campaign", required=True)
    loc.add_argument("lon", type=float)
    loc.add_argument("lat", type=float)
    loc.set_defaults(func=cmd_locate)

    users = sub.add_parser("users", help="accounts").add_subparsers(dest="action", required=True)
    u = users.add_parser("add", help="add a user to a campaign; prints their login and token (shown once)")
    u.add_argument("--campaign", required=True)
    u.add_argument("--role", required=True, choices=("admin", "coordinator", "volunteer"))
    u.add_argument("--name", required=True)
    u.set_defaults(func=cmd_users_add)
    from server.auth.commands import add_user_commands

    add_user_commands(users)

    s = sub.add_parser("serve", help="run the HQ server (API and web)")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)

    for module in DOMAIN_COMMANDS:
        import_module(module).add_commands(sub)
    _add_optional_commands(sub)
    return p


def _add_optional_commands(sub) -> None:
    """Commands of other packages (the ingest service, the simulator) register themselves through
    the `quadriller.commands` entry point, so that `server` never imports `ingest`."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="quadriller.commands"):
        entry.load()(sub)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        outcome = args.func(args, settings)
        if asyncio.iscoroutine(outcome):
            asyncio.run(outcome)
    except QuadrillerError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 3 if isinstance(exc, ServiceUnavailable) else 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
