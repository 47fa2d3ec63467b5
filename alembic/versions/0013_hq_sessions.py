"""HQ sessions: short-lived, renewed tokens for the HQ web page.

Revision ID: 0013
Revises: 0012

The HQ page exchanges the long-lived API token for a session token (`qds_…`) and keeps only that
one in the browser. A session lasts QUADRILLER_HQ_SESSION_TTL_S and is renewed (its token
rotated) until QUADRILLER_HQ_SESSION_MAX_S after sign-in. Tokens are stored as SHA-256 only, like
the API token. The previous token of a rotation stays valid until `previous_valid_until`, a few
seconds, for requests already in flight. Rows go with their user (ON DELETE CASCADE: erasure,
account removal) and, once expired, with the retention job.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE hq_sessions (
            id                   bigserial PRIMARY KEY,
            user_id              bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash           bytea NOT NULL UNIQUE,
            previous_token_hash  bytea UNIQUE,
            previous_valid_until timestamptz,
            created_at           timestamptz NOT NULL DEFAULT now(),
            renewed_at           timestamptz,
            expires_at           timestamptz NOT NULL,
            -- the absolute end: renewal never goes past it, the person signs in again
            ends_at              timestamptz NOT NULL,
            CHECK (expires_at <= ends_at)
        )
        """
    )
    op.execute("CREATE INDEX hq_sessions_user ON hq_sessions (user_id)")
    op.execute("CREATE INDEX hq_sessions_expires ON hq_sessions (expires_at)")


def downgrade() -> None:
    op.execute("DROP TABLE hq_sessions")
