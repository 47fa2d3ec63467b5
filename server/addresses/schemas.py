from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class WalkStop(BaseModel):
    id: int
    label: str = Field(description="house number and street, as written on the door")
    number: str
    street: str
    side: Literal["odd", "even"] | None
    lon: float
    lat: float
    leg_m: int = Field(description="straight-line metres from the previous stop (or the start)")


class WalkList(BaseModel):
    station: str
    station_name: str | None
    start: tuple[float, float] = Field(description="lon, lat the walk starts from")
    doors: int
    streets: int
    distance_m: int = Field(description="straight-line length of the walk; the real one is longer")
    minutes: int = Field(description="walking time at 4.5 km/h, doors not included")
    stops: list[WalkStop]
