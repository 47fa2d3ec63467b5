"""`quadriller priorities export` and `quadriller model fit`: the targeting score and its model."""

from __future__ import annotations

import sys

import orjson

from server.commandline import with_conn
from server.errors import InvalidInput


def _target(args):
    from server.targeting.schemas import Target, parse_factor

    camp = [x for x in args.camp.split(",") if x.strip()]
    near = [x for x in (args.near or "").split(",") if x.strip()]
    return Target(
        election=args.election,
        camp=camp,
        mode=args.mode,
        near=near,
        factors=[parse_factor(f) for f in args.factor or []],
        model_target=args.model_target,
        households_layer=args.households_layer,
    )


async def cmd_export(args, settings) -> None:
    from pydantic import ValidationError

    from server.campaigns.queries import campaign_by_slug
    from server.sql import sql
    from server.targeting import export
    from server.targeting.queries import score_stations
    from server.targeting.schemas import parse_factor

    try:
        target = _target(args)
    except ValidationError as exc:
        raise InvalidInput(f"invalid target: {exc.errors()[0]['msg']}") from None
    beyond = [parse_factor(b) for b in args.beyond or []]

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        election, rows = await score_stations(conn, campaign["id"], target, beyond=beyond)
        shapes = (
            {}
            if args.format == "csv"
            else {r["code"]: r["geometry"] for r in await conn.fetch(sql("targeting/station_shapes"), campaign["id"])}
        )
        return rows, shapes

    rows, shapes = await with_conn(settings, work)
    sys.stdout.write(export.to_csv(rows) if args.format == "csv" else export.to_geojson(rows, shapes) + "\n")


async def cmd_fit(args, settings) -> None:
    from server.campaigns.queries import campaign_by_slug
    from server.targeting.fitting import fit_and_store

    layers = [x.strip() for x in (args.layers or "").split(",") if x.strip()]

    async def work(conn):
        campaign = await campaign_by_slug(conn, args.campaign)
        return await fit_and_store(
            conn, campaign["id"], args.target, args.from_elections, layers, args.baseline, args.folds
        )

    out = await with_conn(settings, work)
    sys.stdout.write(orjson.dumps(out).decode() + "\n")  # one JSON line


def add_commands(sub) -> None:
    pr = sub.add_parser("priorities", help="targeting: stations ranked for a camp").add_subparsers(
        dest="action", required=True
    )
    e = pr.add_parser("export", help="every station, ranked, with its score components (CSV or GeoJSON)")
    e.add_argument("--campaign", required=True)
    e.add_argument("--election", help="reference election (default: the latest imported)")
    e.add_argument("--camp", required=True, help="the camp's lists, comma-separated")
    e.add_argument("--mode", default="mobilisation", choices=("mobilisation", "persuasion", "model"))
    e.add_argument("--near", help="persuasion: lists near the camp, comma-separated")
    e.add_argument(
        "--factor", action="append", help="LAYER:METRES (× share beyond) or LAYER:METRES>=SHARE (filter); repeatable"
    )
    e.add_argument("--beyond", action="append", help="LAYER:METRES: add a share_beyond_<layer>_<metres>m column")
    e.add_argument("--model-target", help="model mode: ELECTION:LIST or ELECTION:abstention (a fitted model)")
    e.add_argument("--households-layer", help="layer of households: canvassing counts households left")
    e.add_argument("--format", default="csv", choices=("csv", "geojson"))
    e.set_defaults(func=cmd_export)

    m = sub.add_parser("model", help="a model of results per station").add_subparsers(dest="action", required=True)
    f = m.add_parser("fit", help="fit, validate by district (grouped CV) and store; prints one JSON line")
    f.add_argument("--campaign", required=True)
    f.add_argument("--target", required=True, help="ELECTION:LIST or ELECTION:abstention")
    f.add_argument(
        "--from",
        dest="from_elections",
        action="append",
        required=True,
        help="an earlier election whose results are features; repeatable",
    )
    f.add_argument("--layers", help="layers whose station features are used, comma-separated")
    f.add_argument(
        "--baseline",
        help="the list of the first --from election that the naive baseline reads "
        "(default: the target's list name, or the abstention rate)",
    )
    f.add_argument("--folds", type=int, default=5, help="cross-validation folds (grouped by district)")
    f.set_defaults(func=cmd_fit)
