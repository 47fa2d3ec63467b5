"""`quadriller demo setup|run`: the demo city (Paris, from data/paris) and the processes to show it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path

from server.secretfile import write_secret
from server.settings import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "data" / "paris"
SLUG = "paris"
EUROPEAN_LISTS_AFTER = "nb_exprim"
EUROPEAN_LISTS_BEFORE = "st_area(shape)"

LAYERS = (
    ("district", "paris_arrondissements.geojson", "c_ar", "l_ar"),
    ("neighbourhood", "paris_quartiers.geojson", "c_qu", "l_qu"),
    ("polling_station", "paris_secteurs_bureaux_vote_2024.geojson", "id_bv", None),
)
RESULTS = "paris_europeennes_2024_resultats_bv.csv"
ELECTION = "europeennes-2024"
ADDRESSES = "paris_adresses_ban_2024.csv.gz"
# The BAN's column names, mapped as any city's file would be (quadriller addresses import …)
ADDRESS_FIELDS = dict(
    id_field="id",
    number_field="numero",
    suffix_field="rep",
    street_field="nom_voie",
    postcode_field="code_postal",
    lon_field="lon",
    lat_field="lat",
)


def european_list_fields(path: Path = DATA / RESULTS) -> list[str]:
    """The 38 list columns sit between nb_exprim and st_area(shape) in the Paris export."""
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    start, end = header.index(EUROPEAN_LISTS_AFTER) + 1, header.index(EUROPEAN_LISTS_BEFORE)
    return header[start:end]


async def import_city(
    conn,
    campaign_id: int,
    skip_levels: set[str] = frozenset(),
    skip_results: bool = False,
    skip_addresses: bool = False,
    districts: Collection[str] | None = None,
    area_index: bool = True,
) -> list[str]:
    """Import the demo city's three levels, its European 2024 results and its addresses into a
    campaign. `districts` (arrondissement codes, "1" to "20"): only their areas, results and
    addresses, for tests and benchmarks that need real data but not all of it. `area_index=False`
    leaves the area index to the first process that locates a point (AreaIndexCache builds and
    stores it then), for campaigns that are never located in."""
    from server.addresses.loading import import_addresses
    from server.addresses.reader import read_address_file
    from server.areas.geojson_reader import read_area_file
    from server.areas.index_cache import store_index
    from server.areas.loading import import_area_layer
    from server.results.csv_reader import read_results_csv
    from server.results.loading import import_results

    imported = []
    for level, filename, code_field, name_field in LAYERS:
        if level not in skip_levels:
            area_file = read_area_file(DATA / filename, code_field, name_field)
            if districts is not None:
                area_file = _in_districts(area_file, level, districts)
            await import_area_layer(conn, campaign_id, level, area_file)
            imported.append(level)
    if imported or not skip_results:
        result_file = read_results_csv(
            DATA / RESULTS,
            code_field="id_bv",
            registered_field="nb_inscr",
            voters_field="nb_votant",
            valid_field="nb_exprim",
            list_fields=european_list_fields(),
        )
        await import_results(conn, campaign_id, ELECTION, result_file, skip_unknown=districts is not None)
        imported.append("results")
    if not skip_addresses:
        address_file = read_address_file(DATA / ADDRESSES, **ADDRESS_FIELDS)
        if districts is not None:
            address_file.rows = _addresses_in_districts(address_file.rows, districts)
        await import_addresses(conn, campaign_id, address_file)
        imported.append("addresses")
    if area_index and {"district", "neighbourhood", "polling_station"} & set(imported):
        # Built once here, so that no ingest or HQ process builds it before its first answer.
        await store_index(conn, campaign_id)
    return imported


def _district_of(level: str, feature) -> str:
    """The arrondissement of a Paris area: its own code, its quartier's c_ar, or a sector code's
    "<arrondissement>-<number>" prefix."""
    if level == "district":
        return feature.code
    if level == "neighbourhood":
        return str(feature.props["c_ar"])
    return feature.code.split("-")[0]


def _in_districts(area_file, level: str, districts: Collection[str]):
    from server.areas.geojson_reader import AreaFile

    kept = [f for f in area_file.features if _district_of(level, f) in districts]
    return AreaFile(kept, [f for f in area_file.repaired if f in kept])


def _addresses_in_districts(rows: list, districts: Collection[str]) -> list:
    """The addresses inside the arrondissements' outlines (postcodes do not follow them exactly)."""
    import numpy as np
    import shapely

    from server.areas.geojson_reader import read_area_file

    _, filename, code_field, name_field = LAYERS[0]
    outline = shapely.union_all(
        [f.geom for f in read_area_file(DATA / filename, code_field, name_field).features if f.code in districts]
    )
    inside = shapely.contains_xy(outline, np.array([r[4] for r in rows]), np.array([r[5] for r in rows]))
    return [r for r, keep in zip(rows, inside) if keep]


async def setup(settings: Settings, token_file: Path) -> dict:
    from server.areas.queries import level_counts
    from server.auth.queries import add_user, user_by_token
    from server.campaigns.queries import create_campaign
    from server.db import connect
    from server.sql import sql

    conn = await connect(settings.database_url)
    try:
        campaign = await conn.fetchrow(sql("campaigns/by_slug"), SLUG)
        if campaign is None:
            campaign = await create_campaign(conn, SLUG, "Paris — municipales (démo)")
        done = await level_counts(conn, campaign["id"])
        has_results = await conn.fetchval(sql("results/latest_election"), campaign["id"]) is not None
        has_addresses = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM addresses WHERE campaign_id = $1)", campaign["id"]
        )
        imported = await import_city(
            conn, campaign["id"], skip_levels=set(done), skip_results=has_results, skip_addresses=has_addresses
        )
        if not await conn.fetch(sql("layers/list"), campaign["id"]):
            await import_layers(conn, campaign["id"])
            imported.append("layers")
        for path, role, name in (
            (token_file, "admin", "HQ demo"),
            (volunteer_token_file(token_file), "volunteer", "Demo volunteer"),
        ):
            token = path.read_text().strip() if path.exists() else ""
            if not token or await user_by_token(conn, token) is None:
                write_secret(path, (await add_user(conn, SLUG, role, name)).token)
        return {"campaign": SLUG, "imported": imported}
    finally:
        await conn.close()


def volunteer_token_file(token_file: Path) -> Path:
    """Where the demo keeps a volunteer's token, for trying the phone page."""
    return token_file.with_name(token_file.stem + "-volunteer" + token_file.suffix)


def run(settings: Settings, token_file: Path, host: str, port: int, volunteers: int) -> int:
    """Start the HQ server (and, when installed, the ingest service and simulated volunteers) as
    child processes; Ctrl-C or SIGTERM stops them all."""
    token = token_file.read_text().strip()
    env = {**os.environ, "QUADRILLER_DATABASE_URL": settings.database_url, "QUADRILLER_REDIS_URL": settings.redis_url}
    exe = [sys.executable, "-m", "server.cli"]
    children = [subprocess.Popen([*exe, "serve", "--host", host, "--port", str(port)], env=env)]
    extra = demo_children(exe, host, volunteers)
    children += [subprocess.Popen(cmd, env=env) for cmd in extra]
    vfile = volunteer_token_file(token_file)
    phone = (
        f"\n  Volunteer phone page: http://{host}:{port}/volunteer#token={vfile.read_text().strip()}"
        if vfile.exists()
        else ""
    )
    print(
        f"\n  Quadriller demo: http://{host}:{port}/#token={token}\n"
        f"  (the token logs you in as the HQ admin; it is kept in {token_file}){phone}\n",
        flush=True,
    )
    stop = {"now": False}

    def _stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stop["now"] and all(c.poll() is None for c in children):
            time.sleep(0.3)
    finally:
        for c in children:
            if c.poll() is None:
                c.terminate()
        for c in children:
            try:
                c.wait(timeout=10)
            except subprocess.TimeoutExpired:
                c.kill()
    return 0


def demo_children(exe: list[str], host: str, volunteers: int) -> list[list[str]]:
    """The ingest service and the simulator, once the ingest package provides them."""
    from importlib.metadata import entry_points

    if not list(entry_points(group="quadriller.commands", name="ingest")):
        return []
    return [
        [*exe, "ingest", "--host", host],
        [*exe, "simulate", "--campaign", SLUG, "--volunteers", str(volunteers), "--interval", "2"],
    ]


def add_commands(sub) -> None:
    demo = sub.add_parser("demo", help="the demo city").add_subparsers(dest="action", required=True)
    s = demo.add_parser("setup", help="import Paris once and make an HQ token")
    s.add_argument("--token-file", type=Path, required=True)
    s.set_defaults(func=lambda args, settings: _print_async(setup(settings, args.token_file)))
    r = demo.add_parser("run", help="serve the demo until Ctrl-C")
    r.add_argument("--token-file", type=Path, required=True)
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=8000)
    r.add_argument("--volunteers", type=int, default=300)
    r.set_defaults(func=lambda args, settings: run(settings, args.token_file, args.host, args.port, args.volunteers))


async def _print_async(coro) -> None:
    from server.commandline import print_json

    print_json(await coro)


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(setup(Settings(), Path(sys.argv[1])))


GREEN_SPACES = "paris_espaces_verts_points_geocoded.geojson"
GRID_200M = "paris_filosofi_2021_carreaux_200m.geojson"
MUNICIPAL_2026 = "paris_municipales_2026_t1_bv_derived.geojson"
MUNICIPAL_2026_ELECTION = "municipales-2026-t1"
MUNICIPAL_2026_LISTS = ["pct_gregoire", "pct_dati", "pct_chikirou", "pct_bournazel", "pct_knafo", "pct_autres"]


def municipal_2026_csv(path: Path) -> Path:
    """The municipal 2026 round 1 results (percentages) as a CSV keyed by the 2024 station codes
    the demo imports: the 2026 file's "AANN" codes become "A-N" (0327 -> 3-27), as the shared
    data's README documents (901 of 903 exist in 2024). Used by the targeting tests and bench."""
    import csv

    import orjson

    features = orjson.loads((DATA / MUNICIPAL_2026).read_bytes())["features"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "inscrits", "taux_abstention", *MUNICIPAL_2026_LISTS])
        for feat in features:
            p = feat["properties"]
            code = f"{int(p['code_bv'][:2])}-{int(p['code_bv'][2:])}"
            w.writerow([code, p["inscrits"], p["taux_abstention"], *[p[name] for name in MUNICIPAL_2026_LISTS]])
    return path


async def import_layers(conn, campaign_id: int) -> dict[str, float]:
    """The demo's open-data layers, as `quadriller layers import` would load them: green spaces
    (points, radius from their area) and INSEE's 200 m grid (households). Seconds per layer."""
    from server.layers.loading import import_layer
    from server.layers.reader import LayerOptions, read_layer_file

    seconds = {}
    for name, filename, options in (
        ("green", GREEN_SPACES, LayerOptions(area_field="surface_calculee_m2")),
        ("grid", GRID_200M, LayerOptions(value_field="men")),
    ):
        started = time.perf_counter()
        await import_layer(
            conn, campaign_id, name, read_layer_file(DATA / filename, options), options.value_field, None
        )
        seconds[name] = time.perf_counter() - started
    return seconds


async def import_municipal_2026(conn, campaign_id: int, workdir: Path) -> dict[str, float]:
    """For the model: the 2026 round 1 results (percentages, keyed by 2024 codes) and, from the
    same file's polygons, median income and social-housing density as layers."""
    from server.layers.loading import import_layer
    from server.layers.reader import LayerOptions, read_layer_file
    from server.results.csv_reader import read_results_csv
    from server.results.loading import import_results

    result_file = read_results_csv(
        municipal_2026_csv(workdir / "municipales_2026_t1.csv"),
        code_field="code",
        registered_field="inscrits",
        abstention_field="taux_abstention",
        list_fields=MUNICIPAL_2026_LISTS,
        percent=True,
    )
    await import_results(conn, campaign_id, MUNICIPAL_2026_ELECTION, result_file, True)
    seconds = {}
    for name, field in (("income", "revenu_median"), ("social_housing", "hlm_density")):
        started = time.perf_counter()
        await import_layer(
            conn,
            campaign_id,
            name,
            read_layer_file(DATA / MUNICIPAL_2026, LayerOptions(value_field=field)),
            field,
            None,
        )
        seconds[name] = time.perf_counter() - started
    return seconds
