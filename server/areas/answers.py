"""The map's /areas answers, built once per version of a campaign's areas and results, and kept.

HQ asks for every level at each page load, and the polling stations' answer (geometry plus the
figures of 902 stations for Paris) took 1.3 to 1.9 s to build and compress on a loaded server,
all of it before the first byte. It only changes when areas or results are imported, so each
process keeps the serialised answer with its ETag, and compresses it once per coding. The
version check is one small query per request (answer_version.sql), which also resolves the
default election.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from server.areas import queries
from server.sql import sql
from server.web.compression import choose_encoding, compress

GEOJSON = "application/geo+json"
# Browsers keep the answer but ask again each time (If-None-Match): a reload costs a 304.
CACHE_CONTROL = "private, no-cache"
# (campaign, level, election, fields) kept per process, least recently used out: Paris's whole
# stations answer holds about 2.4 MB (raw, brotli and gzip), its nine answers about 6 MB.
MAX_ENTRIES = 32


@dataclass
class AreaAnswer:
    body: bytes
    etag: str
    _encoded: dict[str, bytes] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def encoded(self, coding: str) -> bytes:
        if coding not in self._encoded:
            async with self._lock:
                if coding not in self._encoded:
                    # zlib and brotli release the GIL: the live feed's sockets go on meanwhile
                    self._encoded[coding] = await asyncio.to_thread(compress, self.body, coding)
        return self._encoded[coding]

    async def response(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
        if etag_matches(request.headers.get("if-none-match", ""), self.etag):
            return Response(status_code=304, headers=headers)
        coding = choose_encoding(request.headers.get("accept-encoding", ""))
        if coding is None:
            del headers["Vary"]  # the compression middleware adds it to the uncompressed answer
            return Response(self.body, media_type=GEOJSON, headers=headers)
        headers["Content-Encoding"] = coding
        return Response(await self.encoded(coding), media_type=GEOJSON, headers=headers)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: W/"x" and "x" match; "*" matches any answer."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",") if t.strip()}
    return "*" in tags or etag.removeprefix("W/") in tags


def _etag(body: bytes) -> str:
    # Weak: the same answer goes out as brotli, gzip or identity bytes.
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class AreaAnswerCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: OrderedDict[tuple, tuple[str, AreaAnswer]] = OrderedDict()
        self._locks: dict[tuple, asyncio.Lock] = {}

    async def get(
        self, conn: asyncpg.Connection, campaign_id: int, level: str, election: str | None, fields: str
    ) -> AreaAnswer:
        row = await conn.fetchrow(sql("areas/answer_version"), campaign_id)
        version, election = row["version"], election or row["latest_election"]
        key = (campaign_id, level, election, fields)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # concurrent first requests build it once
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                body = await queries.level_geojson(conn, campaign_id, level, election=election, fields=fields)
                entry = (version, AreaAnswer(body, _etag(body)))
                self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                old, _ = self._entries.popitem(last=False)
                self._locks.pop(old, None)
        return entry[1]
