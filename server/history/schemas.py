"""Shapes of the history routes. Responses are encoded with orjson (a day's replay is large);
these models document them in OpenAPI."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

MIN_RES, MAX_RES = 6, 11
MAX_REPLAY_S = 24 * 3600


class Source(str, Enum):
    live = "live"
    history = "history"


class Hex(BaseModel):
    h3: str = Field(description="H3 index, hex string")
    pings: int = Field(description="pings in the cell (live: one per live volunteer)")
    volunteers: int = Field(description="distinct volunteers in the cell")
    first: float | None = Field(None, description="history: epoch seconds of the cell's first ping")


class Hexes(BaseModel):
    res: int
    source: Source
    since: str | None = Field(None, description="history: the window (ISO 8601, UTC)")
    until: str | None = None
    approximate: bool = Field(
        False, description="retired days were included: their `volunteers` are summed per day and cell, an upper bound"
    )
    hexes: list[Hex] = Field(description="history: sorted by `first`")


class Track(BaseModel):
    team: int | None
    t: list[float] = Field(description="seconds since t0, increasing")
    lon: list[float]
    lat: list[float]


class Replay(BaseModel):
    t0: float = Field(description="epoch seconds of `since`")
    since: str
    until: str
    step_s: float
    points: int
    volunteers: dict[str, Track] = Field(description="by volunteer id")
