"""Volunteer websocket protocol, version 1: frames in, Ping objects or error frames out.

Pure and fast: no I/O, no pydantic. A ping costs one orjson.loads share and a few float checks;
pydantic would roughly double the per-ping CPU for nothing we need (see docs/protocol.md).
Apps (OwnTracks, Traccar) convert their own formats into the same `Ping` and go through
`check_ping`, so every source obeys the same rules.

Ranges, checked at admission (before anything is published or queued), so that nothing outside
them reaches the live feed or PostgreSQL's `real` columns (float4 overflows past 3.4e38, which
used to fail a whole batch at commit):

| field | unit | range | outside it |
|---|---|---|---|
| lat | degrees | -90 … 90 | out_of_range |
| lon | degrees | -180 … 180 | out_of_range |
| acc | m | 0 … 100,000 | out_of_range |
| alt | m | -20,000 … 100,000 | out_of_range |
| spd | m/s | 0 … 1,000 | negative: unknown (null); above: out_of_range |
| hdg | degrees | 0 … 360 | negative: unknown (null); above: out_of_range |
| bat | fraction | 0 … 1 | negative: unknown (null); above: out_of_range |

Phones report -1 for an unknown speed, course or battery (iOS, Android, Traccar Client): a
negative value of those three means "unknown", the same on every protocol.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

PROTOCOL = 1
MAX_SEQ = 2**63 - 1

# Error codes (docs/protocol.md).
MALFORMED = "malformed"
OUT_OF_RANGE = "out_of_range"
FUTURE = "future"
TOO_OLD = "too_old"
LOW_ACCURACY = "low_accuracy"

_isfinite = math.isfinite


class Ping:
    """One validated location fix. Optional fields are None when unknown."""

    __slots__ = ("seq", "t", "lat", "lon", "acc", "alt", "spd", "hdg", "bat", "low_acc")

    def __init__(
        self,
        seq: int,
        t: float,
        lat: float,
        lon: float,
        acc: float | None,
        alt: float | None = None,
        spd: float | None = None,
        hdg: float | None = None,
        bat: float | None = None,
    ) -> None:
        self.seq, self.t, self.lat, self.lon, self.acc = seq, t, lat, lon, acc
        self.alt, self.spd, self.hdg, self.bat = alt, spd, hdg, bat
        self.low_acc = False

    def __repr__(self) -> str:
        return f"Ping(seq={self.seq}, t={self.t}, lat={self.lat}, lon={self.lon}, acc={self.acc})"


class PingError(Exception):
    """A rejected ping (or frame, seq None): becomes {"type":"error", ...}."""

    def __init__(self, seq: int | None, code: str, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.code, self.reason = seq, code, reason

    def frame(self) -> dict:
        return {"type": "error", "seq": self.seq, "code": self.code, "reason": self.reason}


class Limits:
    """The time window and accuracy threshold a ping is checked against."""

    __slots__ = ("future_s", "retention_s", "max_acc")

    def __init__(self, future_s: float, retention_s: float, max_acc: float) -> None:
        self.future_s, self.retention_s, self.max_acc = future_s, retention_s, max_acc

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            settings.ingest_future_tolerance_s, settings.retention_days * 86400.0, settings.ingest_max_accuracy_m
        )


# field: (lo, hi, a negative value means unknown)
RANGES: dict[str, tuple[float, float, bool]] = {
    "lat": (-90.0, 90.0, False),
    "lon": (-180.0, 180.0, False),
    "acc": (0.0, 100_000.0, False),
    "alt": (-20_000.0, 100_000.0, False),
    "spd": (0.0, 1_000.0, True),
    "hdg": (0.0, 360.0, True),
    "bat": (0.0, 1.0, True),
}


def in_range(field: str, value: float | None, seq: int | None, name: str | None = None) -> float | None:
    """`value` checked against RANGES[field]: itself, None (absent or unknown), or PingError
    (out_of_range) naming the field as `name` (the client's own name for it)."""
    if value is None:
        return None
    lo, hi, negative_unknown = RANGES[field]
    if negative_unknown and value < 0:
        return None
    if not _isfinite(value) or value < lo or value > hi:
        raise PingError(seq, OUT_OF_RANGE, f"{name or field} must be between {lo:g} and {hi:g}: {value!r}")
    return value


def json_number(value, name: str, seq: int | None = None, required: bool = False) -> float | None:
    """A JSON value that must be a number (not a string, not a boolean); null means absent."""
    if value is None:
        if required:
            raise PingError(seq, MALFORMED, f"{name} is required")
        return None
    if value.__class__ is not float and value.__class__ is not int:
        raise PingError(seq, MALFORMED, f"{name} must be a number")
    try:
        return float(value)
    except OverflowError:  # an integer literal of hundreds of digits
        raise PingError(seq, OUT_OF_RANGE, f"{name} is too large") from None


_NO_NAMES: dict[str, str] = {}


def _optional(d: dict, key: str, seq: int) -> float | None:
    return json_number(d.get(key), key, seq)


def check_ping(p: Ping, now: float, limits: Limits, names: dict[str, str] | None = None) -> Ping:
    """Range and time checks shared by every source (RANGES above); sets p.low_acc. `names`
    maps a field to the client's name for it, for the reasons. Raises PingError."""
    name = (names or _NO_NAMES).get
    seq = p.seq
    in_range("lat", p.lat, seq, name("lat"))
    in_range("lon", p.lon, seq, name("lon"))
    t = p.t
    if not _isfinite(t):
        raise PingError(seq, MALFORMED, "t must be a finite number")
    if t > now + limits.future_s:
        raise PingError(seq, FUTURE, f"device time is {t - now:.0f} s ahead of the server clock")
    if t < now - limits.retention_s:
        raise PingError(seq, TOO_OLD, "device time is older than the retention window")
    p.acc = in_range("acc", p.acc, seq, name("acc"))
    p.alt = in_range("alt", p.alt, seq, name("alt"))
    p.spd = in_range("spd", p.spd, seq, name("spd"))
    p.hdg = in_range("hdg", p.hdg, seq, name("hdg"))
    p.bat = in_range("bat", p.bat, seq, name("bat"))
    p.low_acc = p.acc is not None and p.acc > limits.max_acc
    return p


def _plain(v, lo: float, hi: float, negative_unknown: bool) -> Any:
    """An optional field as typed_ping takes it: None, a float in range, or _SLOW."""
    if v is None:
        return None
    if v.__class__ is float or v.__class__ is int:
        if negative_unknown and v < 0:
            return None
        if lo <= v <= hi:  # NaN compares false: the general path names it
            return float(v)
    return _SLOW


_SLOW = object()
_LAT, _LON, _ACC = RANGES["lat"], RANGES["lon"], RANGES["acc"]
_ALT, _SPD, _HDG, _BAT = RANGES["alt"], RANGES["spd"], RANGES["hdg"], RANGES["bat"]


def typed_ping(
    seq: int, t: float, lat: float, lon: float, acc: float, alt, spd, hdg, bat, now: float, limits: Limits
) -> Ping | None:
    """The usual ping, its required fields already typed (seq an int; t, lat, lon, acc floats),
    checked in one pass of inline checks: the Ping, or None when anything is out of range, out
    of time or mistyped, for the general path to decide and name. The fast path of both
    ping_from_dict and ingest/wire.py: it only accepts what the general path accepts unchanged,
    and builds the same Ping."""
    if not (
        0 <= seq <= MAX_SEQ
        and _LAT[0] <= lat <= _LAT[1]
        and _LON[0] <= lon <= _LON[1]
        and _ACC[0] <= acc <= _ACC[1]
        and now - limits.retention_s <= t <= now + limits.future_s
    ):
        return None
    alt, spd, hdg, bat = _plain(alt, *_ALT), _plain(spd, *_SPD), _plain(hdg, *_HDG), _plain(bat, *_BAT)
    if alt is _SLOW or spd is _SLOW or hdg is _SLOW or bat is _SLOW:
        return None
    p = Ping(seq, t, lat, lon, acc, alt, spd, hdg, bat)
    p.low_acc = acc > limits.max_acc
    return p


def ping_from_dict(d, now: float, limits: Limits) -> Ping:
    """A websocket ping object -> checked Ping. Raises PingError.

    The usual ping (float fields, all in range) goes through typed_ping; anything else through
    the general path below, which decides and names every error."""
    if d.__class__ is dict:
        get = d.get
        seq, t, lat, lon, acc = get("seq"), get("t"), get("lat"), get("lon"), get("acc")
        if (
            seq.__class__ is int
            and t.__class__ is float
            and lat.__class__ is float
            and lon.__class__ is float
            and acc.__class__ is float
        ):
            p = typed_ping(seq, t, lat, lon, acc, get("alt"), get("spd"), get("hdg"), get("bat"), now, limits)
            if p is not None:
                return p
    return _ping_from_dict(d, now, limits)


def _ping_from_dict(d, now: float, limits: Limits) -> Ping:
    if d.__class__ is not dict:
        raise PingError(None, MALFORMED, "a ping must be an object")
    seq = d.get("seq")
    if seq.__class__ is not int or not 0 <= seq <= MAX_SEQ:
        raise PingError(None, MALFORMED, "seq must be an integer >= 0")
    p = Ping(
        seq,
        json_number(d.get("t"), "t", seq, True),
        json_number(d.get("lat"), "lat", seq, True),
        json_number(d.get("lon"), "lon", seq, True),
        json_number(d.get("acc"), "acc", seq, True),
        _optional(d, "alt", seq),
        _optional(d, "spd", seq),
        _optional(d, "hdg", seq),
        _optional(d, "bat", seq),
    )
    return check_ping(p, now, limits)


def loads(data: str | bytes):
    """JSON text -> object, or PingError(malformed). orjson refuses NaN/Infinity literals."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise PingError(None, MALFORMED, f"not JSON: {exc}") from None


def parse_auth(data: str | bytes) -> tuple[str, str | None]:
    """The first frame -> (token, campaign slug or None). Raises PingError."""
    d = loads(data)
    if d.__class__ is not dict or d.get("type") != "auth":
        raise PingError(None, MALFORMED, 'the first frame must be {"type":"auth",...}')
    if d.get("protocol") != PROTOCOL:
        raise PingError(None, MALFORMED, f"unsupported protocol {d.get('protocol')!r}; this server speaks {PROTOCOL}")
    token, campaign = d.get("token"), d.get("campaign")
    if not isinstance(token, str) or not token:
        raise PingError(None, MALFORMED, "token must be a non-empty string")
    if campaign is not None and not isinstance(campaign, str):
        raise PingError(None, MALFORMED, "campaign must be a string (slug)")
    return token, campaign


class Control(Exception):
    """A control frame rather than pings: `pause` (stop sharing; pings are refused until
    `resume`), `resume`, `shift_start` or `shift_end` (from {"type":"shift","action":…}).
    Raised by parse_pings so that the ping path stays one parse."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


CONTROL_TYPES = frozenset({"pause", "resume"})
SHIFT_ACTIONS = {"start": "shift_start", "end": "shift_end"}
PAUSED = "paused"
OFF_SHIFT = "off_shift"
UNAVAILABLE = "unavailable"
CONSENT_REQUIRED = "consent_required"  # a shift start before agreeing to location sharing


def parse_pings(data: str | bytes, now: float, limits: Limits) -> tuple[list[Ping], list[PingError]]:
    """A ping or pings frame -> (accepted pings, per-ping errors). Raises PingError when the
    frame as a whole is malformed, Control for a pause or resume frame."""
    d = loads(data)
    if d.__class__ is not dict:
        raise PingError(None, MALFORMED, "a frame must be a JSON object")
    kind = d.get("type")
    if kind.__class__ is not str:  # a list or object would not even hash (found by fuzzing)
        raise PingError(None, MALFORMED, "type must be a string (ping, pings, shift, pause or resume)")
    if kind in CONTROL_TYPES:
        raise Control(kind)
    if kind == "shift":
        action = d.get("action")
        action = SHIFT_ACTIONS.get(action) if action.__class__ is str else None
        if action is None:
            raise PingError(None, MALFORMED, 'a shift frame needs "action": "start" or "end"')
        raise Control(action)
    if kind == "ping":
        items = (d,)
    elif kind == "pings":
        items = d.get("pings")
        if items.__class__ is not list:
            raise PingError(None, MALFORMED, "pings must be an array")
    else:
        raise PingError(None, MALFORMED, f"unknown frame type {kind!r} (expected ping, pings, shift, pause or resume)")
    ok: list[Ping] = []
    errors: list[PingError] = []
    for item in items:
        try:
            ok.append(ping_from_dict(item, now, limits))
        except PingError as err:
            if err.seq is None and item.__class__ is dict:
                seq = item.get("seq")  # name the ping if its seq, at least, is valid
                if seq.__class__ is int and 0 <= seq <= MAX_SEQ:
                    err.seq = seq
            errors.append(err)
    return ok, errors


# Outgoing frames, as bytes sent in text frames.
def ready_frame(
    volunteer: int,
    campaign: str,
    max_frame_bytes: int,
    max_pings_per_s: float,
    shift_id: int | None = None,
    shift_since: float | None = None,
) -> str:
    return orjson.dumps(
        {
            "type": "ready",
            "protocol": PROTOCOL,
            "volunteer": volunteer,
            "campaign": campaign,
            "max_frame_bytes": max_frame_bytes,
            "max_pings_per_s": max_pings_per_s,
            "shift": _shift(shift_id, shift_since),
        }
    ).decode()


def _shift(shift_id: int | None, since: float | None) -> dict | None:
    return None if shift_id is None else {"id": shift_id, "since": since}


def shift_frame(
    on: bool, shift_id: int | None, since: float | None, created: bool = False, ended_by: str | None = None
) -> str:
    """{"type":"shift","state":"on"|"off",…}: the answer to a shift frame."""
    frame = {"type": "shift", "state": "on" if on else "off", "shift": _shift(shift_id, since)}
    if on:
        frame["created"] = created
    else:
        frame["ended_by"] = ended_by
    return orjson.dumps(frame).decode()


def sharing_frame(paused: bool, pending: bool = False) -> str:
    """`paused` (with "pending": true when pings sent before it are not yet committed) or `resumed`."""
    if pending:
        return orjson.dumps({"type": "paused", "pending": True}).decode()
    return orjson.dumps({"type": "paused" if paused else "resumed"}).decode()


def ack_frame(seqs: list[int]) -> str:
    return orjson.dumps({"type": "ack", "seqs": seqs}).decode()


def warning_frame(seq: int, code: str, reason: str) -> str:
    return orjson.dumps({"type": "warning", "seq": seq, "code": code, "reason": reason}).decode()


def throttle_frame(retry_after_ms: int, seqs: list[int]) -> str:
    return orjson.dumps({"type": "throttle", "retry_after_ms": retry_after_ms, "seqs": seqs}).decode()


def warn_after_ack(sink, pings: list[Ping], max_acc: float, put):
    """The sink of a frame's pings, followed, once they are acknowledged, by a warning frame
    for each ping flagged on the way (low accuracy): a warning describes a stored ping, so it
    never comes before its ack, nor for a ping then refused."""
    flagged = [p for p in pings if p.low_acc]
    if not flagged:
        return sink

    def then_warn(seqs: list[int], ok: bool) -> None:
        sink(seqs, ok)
        if ok:
            acked = set(seqs)  # the writer may ack a frame's pings in several batches
            for p in flagged:
                if p.seq in acked:
                    put(
                        warning_frame(
                            p.seq, LOW_ACCURACY, f"accuracy {p.acc:g} m is worse than {max_acc:g} m: stored, flagged"
                        )
                    )

    return then_warn


def error_frame(err: PingError) -> str:
    return orjson.dumps(err.frame()).decode()
