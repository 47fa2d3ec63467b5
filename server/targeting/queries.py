"""Scoring every polling station of a campaign for a target: figures from PostgreSQL (results,
canvassing, layers, zones, a fitted model), arithmetic in server/targeting/score.py."""

from __future__ import annotations

from collections.abc import Sequence

import datetime as dt

import asyncpg

from server.areas.queries import latest_election
from server.errors import InvalidInput, NotFound
from server.layers.loading import ensure_station_features, zone_shares
from server.sql import sql
from server.targeting import score as scoring
from server.targeting.inputs import station_rows
from server.targeting.schemas import FactorSpec, Target
from server.timewindow import window


async def stored_target(conn: asyncpg.Connection, campaign_id: int) -> Target | None:
    row = await conn.fetchrow(sql("targeting/get_target"), campaign_id)
    return None if row is None else Target.model_validate(row["target"])


async def save_target(conn: asyncpg.Connection, campaign_id: int, target: Target) -> Target:
    await check_target(conn, campaign_id, target)
    await conn.execute(sql("targeting/set_target"), campaign_id, target.model_dump())
    return target


async def check_target(conn: asyncpg.Connection, campaign_id: int, target: Target) -> str:
    """The reference election, after checking that every named list, layer and model exists."""
    from server.priorities.queries import list_exists

    election = target.election or await latest_election(conn, campaign_id)
    if election is None:
        raise InvalidInput("no election results imported: the target needs a reference election")
    for name in [*target.camp, *target.near]:
        if not await list_exists(conn, campaign_id, election, name):
            raise InvalidInput(f"no list {name!r} in election {election!r}")
    if target.mode == "model":
        if not target.model_target:
            raise InvalidInput("model mode needs model_target (ELECTION:LIST or ELECTION:abstention)")
        if await conn.fetchrow(sql("targeting/latest_model"), campaign_id, target.model_target) is None:
            raise InvalidInput(
                f"no usable model for {target.model_target!r}: fit one with quadriller model fit "
                "(a model that does not beat its baseline is not used)"
            )
    return election


async def _beyond(conn, campaign_id: int, specs: list[FactorSpec]) -> dict[str, dict[str, tuple]]:
    """Factor.column -> {code: (share used, weighting)}: the address-weighted share where the
    station has addresses, else the area share."""
    out = {}
    for spec in specs:
        shares = await zone_shares(conn, campaign_id, spec.layer, spec.metres)
        out[spec.factor().column] = {
            code: (a if b is None else b, "area" if b is None else "addresses") for code, (a, b) in shares.items()
        }
    return out


async def _households(conn, campaign_id: int, layer: str | None) -> dict[str, tuple[float | None, str]]:
    """{code: (households, weighting)} from a households layer: split by addresses or by area."""
    if layer is None:
        return {}
    await ensure_station_features(conn, campaign_id)
    rows = await conn.fetch(sql("layers/station_features_by_code"), campaign_id)
    found = {r["code"]: (r["value_sum"], r["weighting"]) for r in rows if r["layer"] == layer}
    if not found:
        raise NotFound(f"no layer {layer!r} with station features")
    return found


async def _expected(conn, campaign_id: int, target: Target) -> dict[str, dict]:
    if target.mode != "model":
        return {}
    row = await conn.fetchrow(sql("targeting/latest_model"), campaign_id, target.model_target)
    model = row["model"]
    return {
        code: {
            "predicted": pred,
            "actual": model["actual"].get(code),
            "kind": model["kind"],
            "explanation": model["explanations"].get(code),
        }
        for code, pred in model["predicted"].items()
    }


async def score_stations(
    conn: asyncpg.Connection,
    campaign_id: int,
    target: Target,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    beyond: Sequence[FactorSpec] = (),
) -> tuple[str, list[dict]]:
    """(election, stations ranked): each station's score, rank, components and inputs, plus a
    share-beyond column for every factor and every extra `beyond` zone."""
    election = await check_target(conn, campaign_id, target)
    lo, hi = window(since, until)
    rows = await station_rows(conn, campaign_id, election, lo, hi)
    zones = await _beyond(conn, campaign_id, [*target.factors, *beyond])
    households = await _households(conn, campaign_id, target.households_layer)
    expected = await _expected(conn, campaign_id, target)
    factors = [f.factor() for f in target.factors]
    by_code, scored = {}, []
    for r in rows:
        shares = {k: v.get("share") for k, v in (r["lists"] or {}).items()}
        inputs = scoring.StationInputs(
            code=r["code"],
            registered=r["registered"],
            abstentions=r["abstentions"],
            valid_votes=r["valid_votes"],
            shares=shares,
            volunteers=r["volunteers"],
            doors_knocked=r["doors_knocked"],
            households=households.get(r["code"], (None, None))[0],
            beyond={col: z.get(r["code"], (None, None))[0] for col, z in zones.items()},
            expected=expected.get(r["code"], {}),
        )
        inputs.expected["camp_share"] = scoring.camp_share(inputs, target.camp)
        by_code[r["code"]] = r
        scored.append(scoring.score_station(inputs, target.camp, target.mode, target.near, factors))
        for feature, moved in inputs.expected.get("explanation") or []:
            scored[-1].reasons.append(f"model: {feature} moved the prediction by {moved:+.1%}")
    out = []
    for i, s in enumerate(scoring.rank(scored), start=1):
        r = by_code[s.code]
        row = {"code": s.code, "name": r["name"], "score": s.score, "rank": i, **s.components}
        if households:
            row["households_weighting"] = households.get(s.code, (None, None))[1]
        for col, z in zones.items():
            share, weighting = z.get(s.code, (None, None))
            row[col] = share
            row[col + "_weighting"] = weighting
        moved = (expected.get(s.code) or {}).get("explanation") or []
        row.update(
            reasons=s.reasons, explanation=[{"feature": f, "moved": m} for f, m in moved], lon=r["lon"], lat=r["lat"]
        )
        out.append(row)
    return election, out


async def station_values(
    conn: asyncpg.Connection,
    campaign_id: int,
    target: Target | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[str, float]:
    """Each polling station's score (by station code) for the campaign's chosen target, or for
    `target` when given: the one number dispatch needs. Stations without a score are left out.
    Raises NotFound when the campaign chose no target."""
    target = target or await stored_target(conn, campaign_id)
    if target is None:
        raise NotFound("the campaign has chosen no target (PUT /api/campaigns/{slug}/target)")
    _, rows = await score_stations(conn, campaign_id, target, since, until)
    return {r["code"]: r["score"] for r in rows if r["score"] is not None}
