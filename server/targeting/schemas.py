from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from server.errors import InvalidInput
from server.targeting.score import Factor

_FACTOR = re.compile(r"^([a-z0-9][a-z0-9_]{0,62}):(\d+(?:\.\d+)?)(?:>=(\d*\.?\d+))?$")


class FactorSpec(BaseModel):
    layer: str
    metres: float = Field(ge=0, le=50_000)
    min_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="filter: keep stations at or above this share beyond; absent: multiply by the share",
    )

    def factor(self) -> Factor:
        return Factor(self.layer, self.metres, self.min_share)


def parse_factor(text: str) -> FactorSpec:
    """`LAYER:METRES` (× the share beyond) or `LAYER:METRES>=SHARE` (a filter), e.g. green:250>=0.3."""
    m = _FACTOR.match(text.strip())
    if not m:
        raise InvalidInput(f"{text!r}: expected LAYER:METRES or LAYER:METRES>=SHARE (e.g. green:250>=0.3)")
    min_share = float(m.group(3)) if m.group(3) else None
    if min_share is not None and not 0 <= min_share <= 1:
        raise InvalidInput(f"{text!r}: the share is between 0 and 1")
    if float(m.group(2)) > 50_000:
        raise InvalidInput(f"{text!r}: at most 50,000 metres")
    return FactorSpec(layer=m.group(1), metres=float(m.group(2)), min_share=min_share)


class Target(BaseModel):
    """What a campaign aims at: its camp's lists in a reference election, a mode, and factors.
    Stored per campaign (PUT …/target); dispatch reads it through server.targeting.service."""

    election: str | None = Field(None, description="reference election (default: the latest imported)")
    camp: list[str] = Field(min_length=1, description="the camp's lists in that election")
    mode: Literal["mobilisation", "persuasion", "model"] = "mobilisation"
    near: list[str] = Field(default_factory=list, description="persuasion: lists near the camp")
    factors: list[FactorSpec] = Field(default_factory=list)
    model_target: str | None = Field(
        None, description="model mode: the fitted target, ELECTION:LIST or ELECTION:abstention"
    )
    households_layer: str | None = Field(
        None,
        description="a layer whose value is households: once doors are reported, canvassing counts households left",
    )

    @field_validator("camp", "near")
    @classmethod
    def _strip(cls, v: list[str]) -> list[str]:
        return [x.strip() for x in v if x.strip()]


class StoredTarget(BaseModel):
    target: Target
    updated_at: str


class Moved(BaseModel):
    feature: str
    moved: float = Field(
        description="how much the feature moved the prediction from the average station's "
        "(in the target's unit: a share, 0.01 = 1 point)"
    )


class TargetedStation(BaseModel):
    code: str
    name: str | None
    score: float | None
    rank: int
    components: dict[str, float | str | None] = Field(
        description="each term of the score and its inputs, and every share-beyond column"
    )
    reasons: list[str]
    explanation: list[Moved] = Field(
        default_factory=list, description="model mode: the features that moved the station's prediction most"
    )
    lon: float
    lat: float


class TargetedPriorities(BaseModel):
    election: str
    target: Target
    stations: list[TargetedStation]


class LayerInfo(BaseModel):
    name: str
    kinds: list[str]
    value_field: str | None
    features: int


class ModelInfo(BaseModel):
    """A fitted model the model mode can use (the latest per target that beat its baseline)."""

    target: str = Field(description="ELECTION:LIST or ELECTION:abstention")
    chosen: str = Field(description="ridge or boosting")
    r2: float | None = Field(description="cross-validated R², grouped by district")
    baseline_r2: float | None = Field(description="the same for the previous election's value")
    stations: int | None
    fitted_at: str
