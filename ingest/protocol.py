"""Volunteer websocket protocol, version 1: frames in, Ping objects or error frames out.

Pure and fast: no I/O, no pydantic. A ping costs one orjson.loads share and a few float checks;
pydantic would roughly double the per-ping CPU for nothing we need (see docs/protocol.md).
Apps (OwnTracks, Traccar) convert their own formats into the same `Ping` and go through
`check_ping`, so every source obeys the same rules.
"""
from __future__ import annotations

import math

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

    def __init__(self, seq: int, t: float, lat: float, lon: float, acc: float | None,
                 alt: float | None = None, spd: float | None = None, hdg: float | None = None,
                 bat: float | None = None) -> None:
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
        return cls(settings.ingest_future_tolerance_s, settings.retention_days * 86400.0,
                   settings.ingest_max_accuracy_m)


def _num(v) -> bool:
    # bool is an int subclass: true/false are not numbers here.
    return (v.__class__ is float or v.__class__ is int)


def _opt(d: dict, key: str, seq, lo: float, hi: float | None) -> float | None:
    """An optional numeric field: absent/null -> None; not a number -> malformed; out of its
    physical range (iOS reports -1 for an unknown speed or course) -> None, not an error."""
    v = d.get(key)
    if v is None:
        return None
    if not _num(v):
        raise PingError(seq, MALFORMED, f"{key} must be a number")
    v = float(v)
    if not _isfinite(v) or v < lo or (hi is not None and v > hi):
        return None
    return v


def check_ping(p: Ping, now: float, limits: Limits) -> Ping:
    """Range and time checks shared by every source; sets p.low_acc. Raises PingError."""
    lat, lon, t = p.lat, p.lon, p.t
    if not (_isfinite(lat) and _isfinite(lon)) or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise PingError(p.seq, OUT_OF_RANGE, f"lat/lon out of range: {lat}, {lon}")
    if not _isfinite(t):
        raise PingError(p.seq, MALFORMED, "t must be a finite number")
    if t > now + limits.future_s:
        raise PingError(p.seq, FUTURE, f"device time is {t - now:.0f} s ahead of the server clock")
    if t < now - limits.retention_s:
        raise PingError(p.seq, TOO_OLD, "device time is older than the retention window")
    acc = p.acc
    if acc is not None and (not _isfinite(acc) or acc < 0):
        raise PingError(p.seq, OUT_OF_RANGE, f"acc must be a non-negative number: {acc}")
    p.low_acc = acc is not None and acc > limits.max_acc
    return p


def ping_from_dict(d, now: float, limits: Limits) -> Ping:
    """A websocket ping object -> checked Ping. Raises PingError."""
    if d.__class__ is not dict:
        raise PingError(None, MALFORMED, "a ping must be an object")
    seq = d.get("seq")
    if seq.__class__ is not int or not 0 <= seq <= MAX_SEQ:
        raise PingError(None, MALFORMED, "seq must be an integer >= 0")
    t, lat, lon, acc = d.get("t"), d.get("lat"), d.get("lon"), d.get("acc")
    if not (_num(t) and _num(lat) and _num(lon)):
        raise PingError(seq, MALFORMED, "t, lat and lon must be numbers")
    if not _num(acc):
        raise PingError(seq, MALFORMED, "acc must be a number (metres)")
    p = Ping(seq, float(t), float(lat), float(lon), float(acc),
             _opt(d, "alt", seq, -1e5, 1e5), _opt(d, "spd", seq, 0.0, None),
             _opt(d, "hdg", seq, 0.0, 360.0), _opt(d, "bat", seq, 0.0, 1.0))
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


def parse_pings(data: str | bytes, now: float, limits: Limits) -> tuple[list[Ping], list[PingError]]:
    """A ping or pings frame -> (accepted pings, per-ping errors). Raises PingError when the
    frame as a whole is malformed, Control for a pause or resume frame."""
    d = loads(data)
    if d.__class__ is not dict:
        raise PingError(None, MALFORMED, "a frame must be a JSON object")
    kind = d.get("type")
    if kind in CONTROL_TYPES:
        raise Control(kind)
    if kind == "shift":
        action = SHIFT_ACTIONS.get(d.get("action"))
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
def ready_frame(volunteer: int, campaign: str, max_frame_bytes: int, max_pings_per_s: float,
                shift_id: int | None = None, shift_since: float | None = None) -> str:
    return orjson.dumps({"type": "ready", "protocol": PROTOCOL, "volunteer": volunteer,
                         "campaign": campaign, "max_frame_bytes": max_frame_bytes,
                         "max_pings_per_s": max_pings_per_s,
                         "shift": _shift(shift_id, shift_since)}).decode()


def _shift(shift_id: int | None, since: float | None) -> dict | None:
    return None if shift_id is None else {"id": shift_id, "since": since}


def shift_frame(on: bool, shift_id: int | None, since: float | None, created: bool = False,
                ended_by: str | None = None) -> str:
    """{"type":"shift","state":"on"|"off",…}: the answer to a shift frame."""
    frame = {"type": "shift", "state": "on" if on else "off", "shift": _shift(shift_id, since)}
    if on:
        frame["created"] = created
    else:
        frame["ended_by"] = ended_by
    return orjson.dumps(frame).decode()


def sharing_frame(paused: bool) -> str:
    return orjson.dumps({"type": "paused" if paused else "resumed"}).decode()


def ack_frame(seqs: list[int]) -> str:
    return orjson.dumps({"type": "ack", "seqs": seqs}).decode()


def warning_frame(seq: int, code: str, reason: str) -> str:
    return orjson.dumps({"type": "warning", "seq": seq, "code": code, "reason": reason}).decode()


def throttle_frame(retry_after_ms: int, seqs: list[int]) -> str:
    return orjson.dumps({"type": "throttle", "retry_after_ms": retry_after_ms, "seqs": seqs}).decode()


def error_frame(err: PingError) -> str:
    return orjson.dumps(err.frame()).decode()
