"""Foundation: campaigns, users and roles, areas with their overlaps, election results.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        """
        CREATE TABLE campaigns (
            id          serial PRIMARY KEY,
            slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
            name        text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE users (
            id          bigserial PRIMARY KEY,
            login       text NOT NULL UNIQUE,
            name        text NOT NULL,
            -- SHA-256 of the bearer token: tokens are 256-bit random, so a fast hash is enough,
            -- and a stolen table gives no usable token.
            token_hash  bytea NOT NULL UNIQUE,
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE memberships (
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            role        text NOT NULL CHECK (role IN ('admin', 'coordinator', 'volunteer')),
            PRIMARY KEY (user_id, campaign_id)
        );
        CREATE INDEX memberships_campaign ON memberships (campaign_id);

        CREATE TABLE areas (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            level       text NOT NULL CHECK (level IN ('district', 'neighbourhood', 'polling_station')),
            code        text NOT NULL,
            name        text,
            geom        geometry(MultiPolygon, 4326) NOT NULL,
            -- Display geometry, simplified once at import: the map never ships full resolution.
            geom_display geometry(MultiPolygon, 4326) NOT NULL,
            repaired    boolean NOT NULL DEFAULT false,
            props       jsonb NOT NULL DEFAULT '{}'::jsonb,
            imported_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (campaign_id, level, code)
        );
        CREATE INDEX areas_geom ON areas USING gist (geom);
        CREATE INDEX areas_campaign_level ON areas (campaign_id, level);

        -- Levels need not nest (Paris sectors straddle quartier borders): keep every overlap and
        -- its share of the child's area; the parent is the largest one.
        CREATE TABLE area_overlaps (
            child_id    bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            parent_id   bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            share       double precision NOT NULL CHECK (share > 0 AND share <= 1.000001),
            PRIMARY KEY (child_id, parent_id)
        );
        CREATE INDEX area_overlaps_parent ON area_overlaps (parent_id);

        -- Results are keyed by polling-station code, not area id, so that re-importing the
        -- polling-station layer keeps them.
        CREATE TABLE election_results (
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            election    text NOT NULL,
            code        text NOT NULL,
            registered  integer NOT NULL CHECK (registered >= 0),
            voters      integer CHECK (voters >= 0),
            abstentions integer CHECK (abstentions >= 0),
            valid_votes integer CHECK (valid_votes >= 0),
            -- {"list name": {"votes": int | null, "share": float | null}}; share is of valid votes
            lists       jsonb NOT NULL DEFAULT '{}'::jsonb,
            derived     text[] NOT NULL DEFAULT '{}',
            imported_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (campaign_id, election, code)
        );
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE election_results, area_overlaps, areas, memberships, users, campaigns")
