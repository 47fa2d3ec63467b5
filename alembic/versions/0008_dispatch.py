"""Dispatch: per-campaign rules for suggestions, a team's home district, every coordinator's
decision on a suggestion (kept for the end-of-day report), and turfs (a station cut into walks of
about N doors, in route order) that a team can be assigned; field alerts (out of zone, idle, stale,
low battery, SOS) with their thresholds, each raised, acknowledged by a person, and cleared.

Revision ID: 0008
Revises: 0005
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE dispatch_settings (
            campaign_id  int PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            walk_scale_m double precision NOT NULL DEFAULT 1000 CHECK (walk_scale_m > 0),
            max_walk_m   double precision CHECK (max_walk_m IS NULL OR max_walk_m > 0),
            home_bonus   double precision NOT NULL DEFAULT 1.25 CHECK (home_bonus >= 1),
            covered_at   double precision NOT NULL DEFAULT 0.9 CHECK (covered_at > 0 AND covered_at <= 1),
            refresh_s    double precision NOT NULL DEFAULT 60 CHECK (refresh_s >= 5),
            updated_at   timestamptz NOT NULL DEFAULT now()
        );

        -- The district a team comes from (optional): suggestions there are worth home_bonus more.
        ALTER TABLE teams ADD COLUMN home_area_id bigint REFERENCES areas(id) ON DELETE SET NULL;

        -- What was suggested, and what a coordinator did with it: accepted (the team is sent
        -- there), rejected (not sent), changed (sent elsewhere: chosen_area_id).
        CREATE TABLE dispatch_decisions (
            id                bigserial PRIMARY KEY,
            campaign_id       int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            team_id           bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            suggested_area_id bigint REFERENCES areas(id) ON DELETE SET NULL,
            chosen_area_id    bigint REFERENCES areas(id) ON DELETE SET NULL,
            decision          text NOT NULL CHECK (decision IN ('accepted', 'rejected', 'changed')),
            decided_by        bigint REFERENCES users(id) ON DELETE SET NULL,
            decided_at        timestamptz NOT NULL DEFAULT now(),
            suggestion        jsonb NOT NULL DEFAULT '{}'::jsonb  -- summary, value, distance, why
        );
        CREATE INDEX dispatch_decisions_campaign_time ON dispatch_decisions (campaign_id, decided_at);

        -- A station's turfs, cut together (re-cutting replaces them): doors in route order.
        CREATE TABLE turfs (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            area_id     bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            number      int NOT NULL CHECK (number >= 1),
            address_ids bigint[] NOT NULL,
            route_m     double precision NOT NULL,
            walk_m      double precision NOT NULL,  -- the same doors in street-side order
            created_at  timestamptz NOT NULL DEFAULT now(),
            UNIQUE (area_id, number)
        );
        CREATE INDEX turfs_campaign ON turfs (campaign_id);
        ALTER TABLE assignments ADD COLUMN turf_id bigint REFERENCES turfs(id) ON DELETE SET NULL;

        CREATE TABLE alert_settings (
            campaign_id     int PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            out_of_zone_min double precision NOT NULL DEFAULT 10 CHECK (out_of_zone_min > 0),
            idle_min        double precision NOT NULL DEFAULT 20 CHECK (idle_min > 0),
            stale_min       double precision NOT NULL DEFAULT 10 CHECK (stale_min > 0),
            low_battery     double precision NOT NULL DEFAULT 0.15 CHECK (low_battery > 0 AND low_battery < 1),
            updated_at      timestamptz NOT NULL DEFAULT now()
        );

        -- An alert is raised once per cause: one open alert per (volunteer, kind), and an SOS
        -- once per press (client_id, from the phone's outbox, which may send it again).
        CREATE TABLE alerts (
            id           bigserial PRIMARY KEY,
            campaign_id  int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            volunteer_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            team_id      bigint REFERENCES teams(id) ON DELETE SET NULL,
            kind         text NOT NULL CHECK (kind IN ('out_of_zone', 'idle', 'stale', 'low_battery', 'sos')),
            client_id    text,
            lon          double precision,
            lat          double precision,
            detail       text NOT NULL DEFAULT '',
            raised_at    timestamptz NOT NULL DEFAULT now(),
            acked_by     bigint REFERENCES users(id) ON DELETE SET NULL,
            acked_at     timestamptz,
            cleared_at   timestamptz
        );
        CREATE UNIQUE INDEX alerts_one_open ON alerts (campaign_id, volunteer_id, kind)
            WHERE cleared_at IS NULL AND kind <> 'sos';
        CREATE UNIQUE INDEX alerts_sos_once ON alerts (campaign_id, volunteer_id, client_id) WHERE kind = 'sos';
        CREATE INDEX alerts_campaign_time ON alerts (campaign_id, raised_at);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE alerts;
        DROP TABLE alert_settings;
        ALTER TABLE assignments DROP COLUMN turf_id;
        DROP TABLE turfs;
        DROP TABLE dispatch_decisions;
        ALTER TABLE teams DROP COLUMN home_area_id;
        DROP TABLE dispatch_settings;
        """
    )
