"""The JSON Schemas of docs/schemas/, to validate real frames against."""

from __future__ import annotations

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from server.settings import PROJECT_ROOT

SCHEMAS = {p.stem: orjson.loads(p.read_bytes()) for p in (PROJECT_ROOT / "docs/schemas").glob("*.json")}
REGISTRY = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in SCHEMAS.values())


def validate(name: str, instance: dict) -> None:
    Draft202012Validator(SCHEMAS[name], registry=REGISTRY).validate(instance)
