"""Exports of a campaign's state: pydeck decks for notebooks, self-contained HTML snapshots.

`from server.exports import campaign_deck` (see server/exports/deck.py). pydeck is imported only
when an export is made, so that the `quadriller` command starts as fast without it.
"""

from __future__ import annotations


def campaign_deck(slug, at=None, database_url=None, **kwargs):
    """A campaign's layers at `at` (default now) as a pydeck.Deck; see server.exports.deck."""
    from server.exports.deck import campaign_deck as _campaign_deck

    return _campaign_deck(slug, at, database_url, **kwargs)


__all__ = ["campaign_deck"]
