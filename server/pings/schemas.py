"""Shapes shared by the ingest service and the HQ side: the live delta and volunteer state.

The same JSON object is PUBLISHed on server.events.live_channel(campaign) and stored as the
latest state in server.events.volunteer_state_key(campaign), field str(volunteer id).
See docs/protocol.md ("Live delta").
"""

from __future__ import annotations

from server.events import PingEvent

SOURCES = ("ws", "owntracks", "osmand")


# The live delta is the `ping` event of server/events.py (one owner for the live vocabulary).
LiveDelta = PingEvent
