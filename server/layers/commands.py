"""`quadriller layers import|zone`: open-data layers and Corto's distance zones."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from server.commandline import print_json, with_conn


async def cmd_import(args, settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.layers.loading import import_layer
    from server.layers.reader import LayerOptions, parse_only, read_layer_file

    options = LayerOptions(
        value_field=args.value_field,
        weight_field=args.weight_field,
        radius_field=args.radius_field,
        area_field=args.area_field,
        only=parse_only(args.only),
    )
    features = read_layer_file(args.file, options)

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await import_layer(conn, campaign["id"], args.name, features, args.value_field, args.weight_field)

    print_json(await with_conn(settings, work))


async def cmd_zone(args, settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.layers.loading import zone_shares

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await zone_shares(conn, campaign["id"], args.layer, args.metres)

    shares = await with_conn(settings, work)
    print_json(
        {
            "layer": args.layer,
            "metres": args.metres,
            "stations": [
                {"code": code, "share_beyond_area": a, "share_beyond_addresses": b}
                for code, (a, b) in sorted(shares.items())
            ],
        }
    )


def layer_name(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,62}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a layer name is lower-case letters, digits and _")
    return text


def add_commands(sub) -> None:
    layers = sub.add_parser("layers", help="open-data layers (parks, population grid…)").add_subparsers(
        dest="action", required=True
    )
    i = layers.add_parser(
        "import",
        help="import a GeoJSON layer (WGS84 points, lines or polygons); all or "
        "nothing, replaces the layer of that name, computes station features",
    )
    i.add_argument("file", type=Path)
    i.add_argument("--campaign", required=True)
    i.add_argument("--name", required=True, type=layer_name)
    i.add_argument("--value-field", help="numeric property summed/averaged per station (households, income)")
    i.add_argument("--weight-field", help="numeric property kept as a weight")
    i.add_argument("--radius-field", help="points: their radius in metres")
    i.add_argument("--area-field", help="points: their area in m² (radius = sqrt(area / pi))")
    i.add_argument("--only", help="keep features whose FIELD is one of the values: FIELD=V1,V2")
    i.set_defaults(func=cmd_import)
    z = layers.add_parser("zone", help="each station's share farther than METRES from the layer (cached)")
    z.add_argument("--campaign", required=True)
    z.add_argument("--layer", required=True, type=layer_name)
    z.add_argument("--metres", required=True, type=float)
    z.set_defaults(func=cmd_zone)
