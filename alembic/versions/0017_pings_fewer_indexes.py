"""Pings keep two indexes instead of five: the hot insert path pays for each one.

Revision ID: 0017
Revises: 0016

Every stored ping updated four B-trees and a BRIN. No query reads `pings_cell_ts` or
`pings_station_ts`: every read by cell or polling station is bounded by campaign and time
(history, replay, exports, priorities, targeting, the day report), which the BRIN on
(campaign_id, ts) and the day partitions serve, and then groups. `pings_volunteer_ts` served
the reads of one volunteer's pings (trail, privacy export and erasure, a report's station); the
identity index now leads with (volunteer_id, ts) and serves them, while its four columns still
make a resent ping a duplicate. PostgreSQL's CPU per stored row, measured on the insert the
ingest runs (2,000-row batches, 200,000 rows): 15.1-16.8 µs before, 8.1-8.4 µs after
(docs/benchmarks.md, "Ingest").
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        DROP INDEX pings_cell_ts;
        DROP INDEX pings_station_ts;
        DROP INDEX pings_volunteer_ts;
        CREATE UNIQUE INDEX pings_identity_by_time ON pings (volunteer_id, ts, source, seq);
        DROP INDEX pings_identity;
        ALTER INDEX pings_identity_by_time RENAME TO pings_identity;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE UNIQUE INDEX pings_identity_by_columns ON pings (volunteer_id, source, seq, ts);
        DROP INDEX pings_identity;
        ALTER INDEX pings_identity_by_columns RENAME TO pings_identity;
        CREATE INDEX pings_volunteer_ts ON pings (volunteer_id, ts);
        CREATE INDEX pings_cell_ts ON pings (cell, ts);
        CREATE INDEX pings_station_ts ON pings (polling_station_id, ts);
        """
    )
