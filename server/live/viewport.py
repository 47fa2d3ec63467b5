"""Viewport scoping of /ws/live, pure: a viewer's view, and the hex counts of what lies outside it.

A viewer that sends its view ({"type":"view","bbox":[w,s,e,n],"zoom":z}) is sent volunteers one
by one only inside the view plus MARGIN of its size on each side; everyone else of its scope
within REACH view sizes of it on each side is counted per H3 cell, at a resolution chosen from the
zoom, and only the cells whose count changed are sent, once a second (`live_aggregate_every_s`).
So its bytes follow what it looks at, not the size of the campaign: the counts cover what a pan,
or a zoom out by three levels, shows before the map sends its new view, and no farther, since
volunteers walking across cell borders anywhere in a national campaign would otherwise change
counts every second in proportion to its size. A viewer that sends no view gets everything.

Aggregate frames (after the hub's `HexDelta`):
  JSON   {"type":"hexes","t":ms,"res":r,"full":bool,"cells":[["<h3 hex>",count], …]}
  binary (little-endian, 16 + 12 n bytes)
      0  2s  b"QH"
      2  u8  version (1)
      3  u8  flags: bit 0 "full": forget every cell held before this frame
      4  u32 n: cells
      8  f64 t: server time of the frame, ms
      16 n × u64 H3 cell index (all of resolution r, readable from the index itself)
      16 + 8n  n × u32 count (0: the cell is now empty, drop it)
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from typing import Literal, NamedTuple

import h3.api.basic_int as h3
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MARGIN = 0.25  # of the view's width (height) added on each side: pans show dots at once
REACH = 4.0  # view widths (heights) on each side within which the rest is counted
MAX_ZOOM = 24.0

HEX_MAGIC = b"QH"
HEX_VERSION = 1
HEX_HEADER = struct.Struct("<2sBBId")


class Box(NamedTuple):
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float | None, lat: float | None) -> bool:
        return lon is not None and lat is not None and self.west <= lon <= self.east and self.south <= lat <= self.north


class ViewFrame(BaseModel):
    """A viewer's view: what it shows (WGS84 degrees) and at which zoom."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    type: Literal["view"] = "view"
    bbox: tuple[float, float, float, float]
    zoom: float = Field(ge=0, le=MAX_ZOOM)

    @field_validator("bbox")
    @classmethod
    def _ordered(cls, b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        w, s, e, n = b
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise ValueError("bbox must be [west, south, east, north] in degrees, west < east, south < north")
        return b

    def box(self) -> Box:
        """The view plus its margin, clamped to the world: volunteers one by one."""
        return self._grown(MARGIN)

    def reach(self) -> Box:
        """Where volunteers outside `box` are counted."""
        return self._grown(REACH)

    def _grown(self, by: float) -> Box:
        w, s, e, n = self.bbox
        dx, dy = (e - w) * by, (n - s) * by
        return Box(max(-180.0, w - dx), max(-90.0, s - dy), min(180.0, e + dx), min(90.0, n + dy))

    def res(self) -> int:
        return hex_res(self.zoom)


def parse_view(obj: object) -> ViewFrame | str:
    """A view frame, or the reason it is refused (sent back in an error frame)."""
    try:
        return ViewFrame.model_validate(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"bad view frame: {where + ': ' if where else ''}{err['msg']}"


def hex_res(zoom: float) -> int:
    """H3 resolution of the aggregates at a zoom: about a dozen cells per screen at zoom 15 (res
    8), coarser as the map zooms out (res 7 over a city, 4 over a country)."""
    return 8 if zoom >= 14 else 7 if zoom >= 11 else 6 if zoom >= 9 else 5 if zoom >= 7 else 4


def cell_of(st, res: int) -> int | None:
    """A state's cell at `res`, worked out once per state and resolution (states are shared by
    every viewer; most viewers use the same resolution)."""
    cached = st.cell
    if cached is not None and cached[0] == res:
        return cached[1]
    lon, lat = st.lon, st.lat
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    cell = h3.latlng_to_cell(lat, lon, res)
    st.cell = (res, cell)
    return cell


def count_cells(states: Iterable, admits, box: Box | None, res: int, reach: Box | None = None) -> dict[int, int]:
    """Volunteers per cell among `states` that the viewer's scope admits, outside `box` and
    within `reach` (None: anywhere)."""
    counts: dict[int, int] = {}
    for st in states:
        if (box is not None and box.contains(st.lon, st.lat)) or not admits(st):
            continue
        if reach is not None and not reach.contains(st.lon, st.lat):
            continue
        cell = cell_of(st, res)
        if cell is not None:
            counts[cell] = counts.get(cell, 0) + 1
    return counts


class HexDelta:
    """Aggregates not sent yet to one viewer: changed cells (0: emptied), or a full set."""

    __slots__ = ("t", "res", "full", "cells")

    def __init__(self, t: int, res: int, full: bool, cells: dict[int, int]) -> None:
        self.t, self.res, self.full, self.cells = t, res, full, cells

    def __bool__(self) -> bool:
        return self.full or bool(self.cells)

    def merge(self, later: HexDelta) -> None:
        if later.full or later.res != self.res:
            self.full, self.cells = True, dict(later.cells)
        else:
            self.cells.update(later.cells)
        if self.full:  # a full set lists no emptied cells
            self.cells = {c: n for c, n in self.cells.items() if n}
        self.t, self.res = later.t, later.res

    def text(self) -> str:
        cells = ",".join(f'["{h3.int_to_str(c)}",{n}]' for c, n in self.cells.items())
        full = "true" if self.full else "false"
        return f'{{"type":"hexes","t":{self.t},"res":{self.res},"full":{full},"cells":[{cells}]}}'

    def binary(self) -> bytes:
        n = len(self.cells)
        header = HEX_HEADER.pack(HEX_MAGIC, HEX_VERSION, 1 if self.full else 0, n, float(self.t))
        return header + struct.pack(f"<{n}Q", *self.cells) + struct.pack(f"<{n}I", *self.cells.values())


def diff(sent: dict[int, int], now: dict[int, int]) -> dict[int, int]:
    """The cells whose count changed since `sent`, emptied ones as 0."""
    out = {c: n for c, n in now.items() if sent.get(c) != n}
    out.update((c, 0) for c in sent if c not in now)
    return out


def decode_hexes(data: bytes) -> dict:
    """A binary aggregate frame → a dict like the JSON one (tests and benchmarks)."""
    magic, version, flags, n, t = HEX_HEADER.unpack_from(data, 0)
    if magic != HEX_MAGIC or version != HEX_VERSION:
        raise ValueError("not a Quadriller aggregate frame (version 1)")
    cells = struct.unpack_from(f"<{n}Q", data, HEX_HEADER.size)
    counts = struct.unpack_from(f"<{n}I", data, HEX_HEADER.size + 8 * n)
    return {
        "type": "hexes",
        "t": t,
        "res": h3.get_resolution(cells[0]) if n else None,
        "full": bool(flags & 1),
        "cells": [[h3.int_to_str(c), k] for c, k in zip(cells, counts)],
    }
