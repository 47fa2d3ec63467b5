"""`quadriller turfs cut --campaign SLUG --station CODE --doors N`: cut a polling station into
turfs of about N doors (replacing its turfs), each with its route; prints them as JSON."""

from __future__ import annotations


def add_commands(sub) -> None:
    p = sub.add_parser("turfs", help="polling stations cut into turfs of about N doors")
    tsub = p.add_subparsers(dest="turfs_command", required=True)
    c = tsub.add_parser("cut", help="cut a station into turfs of about N doors, each with its 2-opt route")
    c.add_argument("--campaign", required=True)
    c.add_argument("--station", required=True, help="polling-station code")
    c.add_argument(
        "--doors", required=True, type=int, help="about this many doors (households, see --households) per turf (5+)"
    )
    c.add_argument(
        "--households",
        metavar="LAYER",
        help="cut H3 cells weighted by this layer's values (households) even if the station has addresses; "
        "a station without addresses uses the layer 'households'",
    )
    c.set_defaults(func=cmd_cut)


async def cmd_cut(args, settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.commandline import print_json, with_conn
    from server.errors import InvalidInput
    from server.turfs.cells import CellTurf
    from server.turfs.queries import cut_station

    if args.doors < 5:
        raise InvalidInput(f"--doors {args.doors}: a turf needs 5 doors or more (station {args.station})")

    async def work(conn):
        campaign_id = (await campaign_by_slug(conn, args.campaign))["id"]
        station, turfs = await cut_station(conn, campaign_id, args.station, args.doors, args.households)
        if turfs and isinstance(turfs[0], CellTurf):
            return {
                "campaign": args.campaign,
                "station": station["code"],
                "households": round(sum(t.households for t in turfs), 1),
                "turfs": [
                    {
                        "number": t.number,
                        "households": round(t.households, 1),
                        "cells": len(t.cells),
                        "route_m": round(t.route_m),
                    }
                    for t in turfs
                ],
            }
        return {
            "campaign": args.campaign,
            "station": station["code"],
            "doors": sum(len(t.doors) for t in turfs),
            "turfs": [
                {
                    "number": t.number,
                    "doors": len(t.doors),
                    "route_m": round(t.route_m),
                    "walk_m": round(t.walk_m),
                    "streets": t.streets[:10],
                }
                for t in turfs
            ],
        }

    print_json(await with_conn(settings, work))
