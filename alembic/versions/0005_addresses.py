"""Address points (house numbers) for walk lists, each located in its polling station.

Revision ID: 0005
Revises: 0004

Addresses are open data (the BAN in France): where doors are, never who lives behind them.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE addresses (
            id                 bigserial PRIMARY KEY,
            campaign_id        int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            ext_id             text NOT NULL,           -- the source's key (BAN id)
            number             text NOT NULL,           -- house number with its suffix: "12", "12 bis"
            street             text NOT NULL,
            postcode           text,
            geom               geometry(Point, 4326) NOT NULL,
            -- the polling station containing the point, worked out at import (NULL: none does)
            polling_station_id bigint REFERENCES areas(id) ON DELETE SET NULL,
            UNIQUE (campaign_id, ext_id)
        );
        CREATE INDEX addresses_station ON addresses (polling_station_id);
        CREATE INDEX addresses_geom ON addresses USING gist (geom);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE addresses")
