"""Bounded types for what requests carry: every id, code, name and list a client sends has a
size limit, checked (422 naming the field) before a route or the database sees it. Unbounded,
a body or a query is parsed whole before authentication, and an id past bigint reached
PostgreSQL as an error instead of a 4xx."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le, MaxLen, MinLen

MAX_ID = 2**63 - 1  # bigint
MAX_LIST = 500  # members of a team, and any other list of ids in a request

Id = Annotated[int, Ge(1), Le(MAX_ID)]
Code = Annotated[str, MinLen(1), MaxLen(64)]  # an area or polling-station code, a campaign slug
Label = Annotated[str, MinLen(1), MaxLen(200)]  # an election or list name as imported
