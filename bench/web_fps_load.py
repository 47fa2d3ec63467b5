"""The load of bench.web_fps: volunteers walking through Paris, published on the campaign's Redis
channel as ingest publishes them (PUBLISH + HSET of the volunteer state hash), from its own process."""

from __future__ import annotations

import math
import random
import time

import orjson

WALK_MPS = 1.3
ID_BASE = 8_000_000  # synthetic volunteer ids: the live feed never looks them up
PARIS = (2.255, 48.815, 2.415, 48.902)  # west, south, east, north


class Walker:
    __slots__ = ("v", "lon", "lat", "hdg", "team", "seq")

    def __init__(self, i: int, rng: random.Random) -> None:
        self.v = ID_BASE + i
        self.lon = rng.uniform(PARIS[0] + 0.02, PARIS[2] - 0.01)
        self.lat = rng.uniform(PARIS[1] + 0.01, PARIS[3] - 0.01)
        self.hdg = rng.uniform(0, 360)
        self.team = i % 12 + 1
        self.seq = 0

    def step(self, seconds: float, rng: random.Random) -> None:
        self.hdg = (self.hdg + rng.uniform(-25, 25)) % 360
        d = WALK_MPS * seconds
        rad = math.radians(self.hdg)
        self.lat += d * math.cos(rad) / 111_320
        self.lon += d * math.sin(rad) / (111_320 * math.cos(math.radians(self.lat)))
        if not (PARIS[0] < self.lon < PARIS[2] and PARIS[1] < self.lat < PARIS[3]):
            self.hdg = (self.hdg + 180) % 360

    def delta(self, now: float) -> bytes:
        import h3

        self.seq += 1
        return orjson.dumps(
            {
                "type": "ping",
                "v": self.v,
                "team": self.team,
                "seq": self.seq,
                "t": now,
                "rt": int(now * 1000),
                "lon": round(self.lon, 6),
                "lat": round(self.lat, 6),
                "acc": 8.0,
                "hdg": round(self.hdg, 1),
                "spd": WALK_MPS,
                "bat": 0.8,
                "cell": h3.latlng_to_cell(self.lat, self.lon, 11),
                "ps": None,
                "nb": None,
                "ds": None,
                "zone": None,
                "ev": None,
                "low_acc": False,
            }
        )


def _publisher(redis_url: str, campaign_id: int, volunteers: int, interval: float, ready, stop, out) -> None:
    """Own process: fills the state hash, then publishes each volunteer every `interval` s."""
    import redis

    from server.redis import live_channel, volunteer_state_key

    rng = random.Random(7)
    r = redis.Redis.from_url(redis_url)
    channel, key = live_channel(campaign_id), volunteer_state_key(campaign_id)
    walkers = [Walker(i, rng) for i in range(volunteers)]
    now = time.time()
    pipe = r.pipeline(transaction=False)
    for w in walkers:
        pipe.hset(key, str(w.v), w.delta(now))
    pipe.execute()
    ready.set()
    rate = volunteers / interval
    sent, i, start = 0, 0, time.monotonic()
    while not stop.is_set():
        due = int(rate * (time.monotonic() - start)) - sent
        if due > 0:
            pipe = r.pipeline(transaction=False)
            now = time.time()
            for _ in range(due):
                w = walkers[i]
                i = (i + 1) % volunteers
                w.step(interval, rng)
                d = w.delta(now)
                pipe.publish(channel, d)
                pipe.hset(key, str(w.v), d)
            pipe.execute()
            sent += due
        time.sleep(0.01)
    out.put({"sent": sent, "seconds": time.monotonic() - start, "points": [[w.lon, w.lat] for w in walkers]})
