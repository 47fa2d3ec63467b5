"""The audit trail: who read personal data (positions, replay, hexes, contacts, exports), when,
in which campaign and scope. Append-only (a trigger refuses updates and deletes)."""
