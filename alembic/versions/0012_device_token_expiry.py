"""Device tokens expire: when each was issued.

Revision ID: 0012
Revises: 0009

A device token sits in app settings and, for OsmAnd, in URLs: it must not work forever. The
ingest refuses one issued more than QUADRILLER_DEVICE_TOKEN_MAX_AGE_DAYS ago; the phone page
(or `quadriller users add`) issues a new one. Tokens issued before this migration count from now.
"""

from alembic import op

revision = "0012"
down_revision = "0009"  # needs device_token_hash (0009)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN device_token_issued_at timestamptz")
    op.execute("UPDATE users SET device_token_issued_at = now() WHERE device_token_hash IS NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN device_token_issued_at")
