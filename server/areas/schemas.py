from __future__ import annotations

from enum import Enum

from pydantic import BaseModel


class Level(str, Enum):
    district = "district"
    neighbourhood = "neighbourhood"
    polling_station = "polling_station"


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
