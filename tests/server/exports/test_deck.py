"""The campaign deck: its layers hold the stations, the volunteers at --at and the day's coverage."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import h3
import pydeck as pdk
import pytest

from server.errors import InvalidInput
from server.exports import campaign_deck
from server.exports.deck import build_deck, campaign_deck_async, load_export, parse_time, roll_up, team_color
from tests.server.exports.conftest import STALE_AFTER_S


def layers_by_id(deck: pdk.Deck) -> dict:
    return {layer.id: layer for layer in deck.layers}


def check_deck(deck: pdk.Deck, day) -> None:
    assert isinstance(deck, pdk.Deck)
    layers = layers_by_id(deck)
    assert list(layers) == ["stations", "districts", "coverage", "volunteers"]
    assert [layer.type for layer in deck.layers] == [
        "GeoJsonLayer",
        "GeoJsonLayer",
        "H3HexagonLayer",
        "ScatterplotLayer",
    ]
    assert len(layers["stations"].data["features"]) == 902
    assert len(layers["districts"].data["features"]) == 20
    expected = day.latest_before_at()
    points = {p["v"]: p for p in layers["volunteers"].data}
    assert set(points) == {day.volunteers[n] for n in "ABD"} == set(expected)
    for v, ping in expected.items():
        assert (points[v]["lon"], points[v]["lat"]) == (ping.lon, ping.lat)
    assert points[day.volunteers["A"]]["team"] == day.teams["north"]
    assert points[day.volunteers["A"]]["color"] == team_color(day.teams["north"])
    assert points[day.volunteers["D"]]["team"] is None
    assert points[day.volunteers["D"]]["age_s"] == 60.0
    hexes = {hx["hex"]: hx["pings"] for hx in layers["coverage"].data}
    assert hexes == day.coverage(9)
    assert all(h3.get_resolution(hx) == 9 for hx in hexes)
    assert deck.map_provider is None and not deck.map_style


async def test_deck_layers_and_counts(field_day, conn):
    deck, data = await campaign_deck_async(conn, field_day.slug, field_day.at, stale_after_s=STALE_AFTER_S)
    check_deck(deck, field_day)
    summary = data.summary()
    assert summary["polling_stations"] == 902
    assert summary["volunteers"] == 3
    assert summary["coverage_hexes"] == len(field_day.coverage(9))
    assert summary["coverage_pings"] == sum(field_day.coverage(9).values())
    assert summary["election"] == "europeennes-2024"
    # Stations carry their turnout colour; a station with no figure is grey.
    fills = {tuple(f["properties"]["fill"]) for f in deck.layers[0].data["features"]}
    assert len(fills) > 50


async def test_campaign_deck_inside_a_running_loop(field_day, settings):
    """As in Jupyter: an event loop is running, so the query runs on a loop in a worker thread."""
    asyncio.get_running_loop()
    deck = campaign_deck(field_day.slug, field_day.at.isoformat(), settings.database_url, stale_after_s=STALE_AFTER_S)
    check_deck(deck, field_day)


def test_campaign_deck_without_a_loop(field_day, settings):
    deck = campaign_deck(field_day.slug, field_day.at, database_url=settings.database_url, stale_after_s=STALE_AFTER_S)
    check_deck(deck, field_day)


async def test_an_earlier_time_shows_earlier_positions(field_day, conn):
    at = field_day.at.replace(hour=9, minute=10)
    data = await load_export(conn, field_day.slug, at, stale_after_s=STALE_AFTER_S)
    shown = {v["v"] for v in data.volunteers}
    assert shown == {field_day.volunteers[n] for n in "ABC"}  # D had not started, C was still out
    a = next(v for v in data.volunteers if v["v"] == field_day.volunteers["A"])
    assert a["t"] == at.replace(minute=10).timestamp()


async def test_unknown_campaign_and_bad_times(conn):
    from server.errors import NotFound

    with pytest.raises(NotFound):
        await load_export(conn, "no-such-campaign")
    with pytest.raises(InvalidInput):
        parse_time("yesterday at noon")


def test_parse_time():
    assert parse_time("2026-11-26T14:30:00Z") == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    assert parse_time("2026-11-26 15:30+01:00") == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    assert parse_time("2026-11-26T14:30") == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)  # naive = UTC
    assert parse_time(None).tzinfo is not None


def test_roll_up_counts_each_volunteer_once_per_hexagon():
    a = h3.latlng_to_cell(48.8566, 2.3522, 11)
    b = next(c for c in h3.cell_to_children(h3.cell_to_parent(a, 9), 11) if c != a)
    rows = [
        {"cell": h3.str_to_int(a), "pings": 5, "volunteers": [1, 2]},
        {"cell": h3.str_to_int(b), "pings": 3, "volunteers": [2, 3]},
    ]
    assert roll_up(rows) == [{"hex": h3.cell_to_parent(a, 9), "pings": 8, "volunteers": 3}]


async def test_a_campaign_without_areas_still_makes_a_deck(campaign, conn):
    data = await load_export(conn, campaign["slug"])
    deck = build_deck(data)
    assert [
        len(layer.data["features"]) if isinstance(layer.data, dict) else len(layer.data) for layer in deck.layers
    ] == [0, 0, 0, 0]
