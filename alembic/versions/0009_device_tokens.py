"""Device tokens: a second credential per user, scoped to sending positions.

Revision ID: 0009
Revises: 0005

The OwnTracks and Traccar apps carry their credential in places that end up in logs (the OsmAnd
query string, app settings screens, proxies). A token that opens the HQ API must never travel
there, so the apps get their own: stored as SHA-256 like the API token, accepted only by the
ingest service. NULL until issued (`quadriller users add`, or the phone page's app settings).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN device_token_hash bytea UNIQUE")


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN device_token_hash")
