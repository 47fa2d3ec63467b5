"""Compact binary deltas for /ws/live (auth frame `"encoding": "binary"`), one encoder per viewer.

A JSON deltas frame costs about 270 bytes per volunteer update. A binary frame costs 20: the
position quantised to 1e-5 degree (1.1 m of latitude, less of longitude), the rest in single
bytes, the volunteer named by a small index from this viewer's own dictionary, and the slowly
changing attributes (team, station, neighbourhood, district, zone) sent only when they change for
this viewer. Snapshots stay JSON (once per connection); acks stay JSON text.

Frame layout (little-endian; every section starts on a multiple of 4 bytes):

    header, 28 bytes
      0  2s  b"QL"
      2  u8  version (1)
      3  u8  0
      4  f64 t: server time of the frame, ms
      12 u32 n: update records
      16 u32 stale: volunteer ids
      20 u32 gone: volunteer ids
      24 u32 json: bytes of the JSON section (0: none)
    n update records, 20 bytes each
      0  u32 index in this viewer's dictionary
      4  i32 longitude × 1e5
      8  i32 latitude × 1e5
      12 u16 rt age: frame t − server receive time, in 10 ms (saturates at 65535)
      14 i16 lag: server receive time − device time, in s (saturates)
      16 u8  accuracy, m (254: 254 or more; 255: unknown)
      17 u8  heading / 2°  (255: unknown)
      18 u8  speed / 0.25 m/s (254: 63.5 or more; 255: unknown)
      19 u8  bit 7: low accuracy; bits 0-6: battery % (127: unknown)
    stale ids, u32 each, then gone ids, u32 each
    JSON section (UTF-8), an object with any of
      "dict":   [[index, volunteer id], …]          new entries of the dictionary
      "attrs":  [[index, {"team","ps","nb","ds","zone"}], …]   attributes that changed
      "events": [event, …]                           as in JSON frames (enter/exit, shifts…)
      "out":    [volunteer id, …]                    left this viewer's view (viewport.py): drop
                                                     the dot; only for viewers that sent a view

An index names the same volunteer for the whole connection. Enter/exit transitions travel in
"events" (every one of them, as in JSON frames); update records carry no "ev".
"""

from __future__ import annotations

from typing import Any

import struct

import orjson

from server.live.frames import Frame, VState

MAGIC = b"QL"
VERSION = 1
HEADER = struct.Struct("<2sBBdIIII")
RECORD = struct.Struct("<IiiHhBBBB")
ATTRS = ("team", "ps", "nb", "ds", "zone")
SCALE = 1e5  # positions in 1e-5 degree
UNKNOWN = 255
BATTERY_UNKNOWN = 127


def _u8(value, step: float, top: int = 254) -> int:
    """A non-negative reading in `step` units on one byte; 255 when unknown or not a number."""
    if value.__class__ not in (int, float) or value != value or value < 0:
        return UNKNOWN
    return min(top, round(value / step))


def _clamp(x: float, lo: int, hi: int) -> int:
    return lo if x < lo else hi if x > hi else int(round(x))


def record_fields(obj: dict) -> tuple[int, int, float, float, int, int, int, int]:
    """The parts of a record that depend on the state alone (computed once per state, shared by
    every viewer): lon, lat, rt (ms), device t (s), acc, hdg, spd, flags+battery."""
    hdg = obj.get("hdg")
    bat = obj.get("bat")
    battery = (
        _clamp(bat * 100, 0, 100) if bat.__class__ in (int, float) and bat == bat and bat >= 0 else BATTERY_UNKNOWN
    )
    heading = UNKNOWN if hdg.__class__ not in (int, float) or hdg != hdg else round((hdg % 360) / 2) % 180
    return (
        round(float(obj["lon"]) * SCALE),
        round(float(obj["lat"]) * SCALE),
        float(obj.get("rt") or 0.0),
        float(obj.get("t") or 0.0),
        _u8(obj.get("acc"), 1.0),
        heading,
        _u8(obj.get("spd"), 0.25),
        (0x80 if obj.get("low_acc") else 0) | battery,
    )


class Parsed:
    """What one state contributes to a record, parsed from its JSON once."""

    __slots__ = ("fields", "attrs")

    def __init__(self, st: VState) -> None:
        obj = orjson.loads(st.raw)
        self.fields = record_fields(obj)
        self.attrs = tuple(obj.get(k) for k in ATTRS)


def parsed(st: VState) -> Parsed:
    """Parsed once per state, however many viewers encode it."""
    if st.binary is None:
        st.binary = Parsed(st)
    return st.binary


class BinaryEncoder:
    """One viewer's dictionary and what it was last told of each volunteer's attributes."""

    __slots__ = ("index", "attrs")

    def __init__(self) -> None:
        self.index: dict[int, int] = {}  # volunteer id → index
        self.attrs: dict[int, tuple] = {}  # volunteer id → attributes last sent

    def encode(self, frame: Frame) -> bytes:
        updates = list(frame.updates.values())
        t = float(frame.t)
        out = bytearray(HEADER.size + RECORD.size * len(updates) + 4 * (len(frame.stale) + len(frame.gone)))
        new_entries, changed = [], []
        offset = HEADER.size
        for st in updates:
            i = self.index.get(st.v)
            if i is None:
                i = self.index[st.v] = len(self.index)
                new_entries.append((i, st.v))
            p = parsed(st)
            if self.attrs.get(st.v) != p.attrs:
                self.attrs[st.v] = p.attrs
                changed.append((i, dict(zip(ATTRS, p.attrs))))
            lon, lat, rt, dev_t, acc, hdg, spd, flags = p.fields
            RECORD.pack_into(
                out,
                offset,
                i,
                lon,
                lat,
                _clamp((t - rt) / 10, 0, 65535),
                _clamp(rt / 1000 - dev_t, -32768, 32767),
                acc,
                hdg,
                spd,
                flags,
            )
            offset += RECORD.size
        for v in frame.stale:
            struct.pack_into("<I", out, offset, v)
            offset += 4
        for v in frame.gone:
            struct.pack_into("<I", out, offset, v)
            offset += 4
            self.attrs.pop(v, None)  # back later: its attributes are sent again
        for v in frame.out:
            self.attrs.pop(v, None)  # the viewer forgets it: back in view, it needs them again
        side: dict[str, Any] = {}
        if new_entries:
            side["dict"] = new_entries
        if changed:
            side["attrs"] = changed
        if frame.out:
            side["out"] = frame.out
        tail = orjson.dumps(side)[:-1] if side else b""
        if frame.events:
            tail = (tail + b"," if tail else b"{") + b'"events":[' + b",".join(e.raw for e in frame.events) + b"]"
        if tail:
            tail += b"}"
        HEADER.pack_into(out, 0, MAGIC, VERSION, 0, t, len(updates), len(frame.stale), len(frame.gone), len(tail))
        return bytes(out) + tail


def decode(data: bytes) -> dict:
    """A binary frame → a dict shaped like the JSON frame (for tests and benchmarks; the browser
    has its own decoder, web/src/livebinary.ts). Positions come back quantised."""
    magic, version, _, t, n, n_stale, n_gone, n_json = HEADER.unpack_from(data, 0)
    if magic != MAGIC or version != VERSION:
        raise ValueError("not a Quadriller binary live frame (version 1)")
    records = [RECORD.unpack_from(data, HEADER.size + k * RECORD.size) for k in range(n)]
    offset = HEADER.size + n * RECORD.size
    stale = list(struct.unpack_from(f"<{n_stale}I", data, offset))
    gone = list(struct.unpack_from(f"<{n_gone}I", data, offset + 4 * n_stale))
    offset += 4 * (n_stale + n_gone)
    side = orjson.loads(data[offset : offset + n_json]) if n_json else {}
    updates = [
        {
            "i": i,
            "lon": lon / SCALE,
            "lat": lat / SCALE,
            "rt": t - 10 * age,
            "lag": lag,
            "acc": None if acc == UNKNOWN else acc,
            "hdg": None if hdg == UNKNOWN else 2 * hdg,
            "spd": None if spd == UNKNOWN else spd / 4,
            "low_acc": bool(flags & 0x80),
            "bat": None if flags & 0x7F == BATTERY_UNKNOWN else (flags & 0x7F) / 100,
        }
        for i, lon, lat, age, lag, acc, hdg, spd, flags in records
    ]
    return {"t": t, "updates": updates, "stale": stale, "gone": gone, **side}
