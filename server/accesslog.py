"""Log lines that hold no secret and no position.

uvicorn's access log writes the request line with its query string, and the OsmAnd protocol
(Traccar Client) puts the device token and the coordinates there (`/api/osmand?id=…&lat=…`);
its websocket log lines do the same for `/ws/…?…`. Positions are special-category data (GDPR
art. 9) and a token in a log is access. So every uvicorn log record goes through a filter that
cuts the query string off any request path in its arguments, and both servers (HQ and ingest)
run with the log configuration below.
"""

from __future__ import annotations

import copy
import logging

from uvicorn.config import LOGGING_CONFIG


def strip_query(value):
    """'/api/osmand?id=…&lat=…' -> '/api/osmand?…' (the path stays: it says what was asked)."""
    if isinstance(value, str) and value.startswith("/") and "?" in value:
        return value.split("?", 1)[0] + "?…"
    return value


class NoQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(strip_query(a) for a in record.args)
        elif isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = " ".join(strip_query(w) for w in record.msg.split(" "))
        return True


def log_config() -> dict:
    """uvicorn's default logging configuration, with the filter on the loggers uvicorn writes
    to: a logger's filter rewrites the record itself, so every handler (ours, or one a
    deployment adds) gets the cleaned line."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query_strings"] = {"()": NoQueryStrings}
    for name in ("uvicorn.error", "uvicorn.access"):
        config["loggers"].setdefault(name, {}).setdefault("filters", []).append("no_query_strings")
    return config
