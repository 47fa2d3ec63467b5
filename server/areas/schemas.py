from __future__ import annotations

from enum import Enum

from pydantic import BaseModel


class Level(str, Enum):
    district = "district"
    neighbourhood = "neighbourhood"
    polling_station = "polling_station"


class AreaFields(str, Enum):
    """What an /areas answer carries (`?fields=`)."""

    all = "all"  # geometry and every figure (each list's share included)
    map = "map"  # what the map draws and colours by default: all but `lists` and `top_lists`
    figures = "figures"  # every figure, no geometry (null): to complete a `map` answer


class AreaRef(BaseModel):
    id: int
    code: str
    name: str | None


class Located(BaseModel):
    """The areas containing a point; null where none does."""

    lon: float
    lat: float
    polling_station: AreaRef | None
    neighbourhood: AreaRef | None
    district: AreaRef | None
