"""The HTTP apps' values (OwnTracks JSON, Traccar / OsmAnd query strings, forms and JSON): text
numbers and times parsed strictly, into the same Ping that the websocket builds and through the
same checks (ingest/protocol.py: `check_ping`, `RANGES`).

Pure: no I/O, no framework. A refusal is a PingError whose reason names the field as the
client sent it (`accuracy` for OsmAnd, `acc` for the websocket).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ingest.protocol import MALFORMED, OUT_OF_RANGE, PingError, json_number

_isfinite = math.isfinite
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_EPOCH = re.compile(r"\d{1,16}(\.\d{1,9})?", re.ASCII)


def text_number(value: str | None, name: str, required: bool = False) -> float | None:
    """A query-string or form value: ASCII decimal text; '' means absent. Not Python's float()
    alone: it takes 'nan', 'inf', '1_000' and non-ASCII digits, none of which a client means."""
    if value is None or value == "":
        if required:
            raise PingError(None, MALFORMED, f"{name} is required")
        return None
    if not _DECIMAL.fullmatch(value):
        raise PingError(None, MALFORMED, f"{name} must be a decimal number, got {value[:40]!r}")
    v = float(value)
    if not _isfinite(v):
        raise PingError(None, OUT_OF_RANGE, f"{name} is too large")
    return v


def parse_time(value, name: str = "timestamp") -> float:
    """Epoch seconds or milliseconds (a number or ASCII digits), or ISO 8601 /
    'yyyy-MM-dd HH:mm:ss' (UTC when no offset is given) -> epoch seconds, finite."""
    if value.__class__ is int or value.__class__ is float:
        t = json_number(value, name)
    elif isinstance(value, str) and _EPOCH.fullmatch(value):
        t = float(value)
    elif isinstance(value, str):
        try:
            d = dt.datetime.fromisoformat(value.strip())
            if d.tzinfo is None:
                d = d.replace(tzinfo=dt.UTC)
            t = d.timestamp()
        except (ValueError, OverflowError):
            raise PingError(None, MALFORMED, f"{name} {value[:40]!r} is neither epoch seconds nor ISO 8601") from None
    else:
        raise PingError(None, MALFORMED, f"{name} must be epoch seconds or ISO 8601")
    if t is None:
        raise PingError(None, MALFORMED, f"{name} is required")
    if not _isfinite(t) or abs(t) > 1e15:
        raise PingError(None, OUT_OF_RANGE, f"{name} is out of range")
    return t / 1000.0 if t > 1e11 else t  # 1e11 s is year 5138; 1e11 ms is 1973


def seq_of_time(t: float) -> int:
    """The HTTP apps carry no sequence number: the device time in ms is the seq (per source)."""
    return int(round(t * 1000))
