"""The built area index of each campaign, stored once and shared by every process.

Revision ID: 0016
Revises: 0015

Building the in-memory point-to-area index of a city takes seconds (4 s for Paris on a quiet
machine, 25 s under load), and every ingest worker and HQ server built its own before it could
answer the first volunteer of the campaign. The importer now builds it once and stores the
tables here (AreaIndex.to_blob, about 10 MB for Paris); a process loads them in milliseconds.
`version` is the areas' version (server/sql/areas/version.sql): a blob of older areas is never
used, and the first process that needs the new one builds and stores it.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE area_index_blobs (
            campaign_id int PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            version     text NOT NULL,
            blob        bytea NOT NULL,
            built_at    timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE area_index_blobs")
