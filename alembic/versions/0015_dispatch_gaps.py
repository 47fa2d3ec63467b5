"""Dispatch gaps (issue 10): a team's coordinator, rejected suggestions held back, turfs cut
from households where a campaign has no addresses.

Revision ID: 0015
Revises: 0014

- teams.coordinator_id: the coordinator (or admin) of the campaign the team's alerts go to, as
  well as HQ's feed;
- dispatch_settings.reject_hold_min: a (team, station) pair a coordinator rejected is not
  suggested again for this many minutes;
- turfs.cells / turfs.households: a turf cut from H3 cells weighted by households (no address
  imported): its cells, and the households estimated in them (address_ids is then empty).
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE teams ADD COLUMN coordinator_id bigint REFERENCES users(id) ON DELETE SET NULL;
        ALTER TABLE dispatch_settings
            ADD COLUMN reject_hold_min double precision NOT NULL DEFAULT 30 CHECK (reject_hold_min >= 0);
        ALTER TABLE turfs ADD COLUMN cells text[] NOT NULL DEFAULT '{}';
        ALTER TABLE turfs ADD COLUMN households double precision;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER TABLE turfs DROP COLUMN households;
        ALTER TABLE turfs DROP COLUMN cells;
        ALTER TABLE dispatch_settings DROP COLUMN reject_hold_min;
        ALTER TABLE teams DROP COLUMN coordinator_id;
        """
    )
