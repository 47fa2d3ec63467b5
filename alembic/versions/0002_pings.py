"""Pings: day-partitioned GPS history, its coarse aggregate, and minimal teams/assignments.

Revision ID: 0002
Revises: 0001

`pings` is PARTITIONED BY RANGE (ts), one partition per UTC day, named pings_pYYYYMMDD.
Partitions are created ahead by the ingest service (pings_ensure_partitions) and retired past
the retention window by pings_retire, which folds them into ping_cell_days first: dropping a
partition is instant and leaves no bloat, unlike DELETE.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE teams (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            name        text NOT NULL,
            color       text,
            UNIQUE (campaign_id, name)
        );

        CREATE TABLE team_members (
            team_id     bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (team_id, user_id)
        );
        CREATE INDEX team_members_user ON team_members (user_id);

        CREATE TABLE assignments (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            team_id     bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            area_id     bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            created_at  timestamptz NOT NULL DEFAULT now(),
            ended_at    timestamptz
        );
        CREATE INDEX assignments_team_active ON assignments (team_id) WHERE ended_at IS NULL;

        -- No foreign keys on pings: they would cost a lookup per row on the hottest insert
        -- path, and history must outlive a deleted area or account until retention drops it.
        CREATE TABLE pings (
            campaign_id         int NOT NULL,
            volunteer_id        bigint NOT NULL,
            source              text NOT NULL CHECK (source IN ('ws', 'owntracks', 'osmand')),
            seq                 bigint NOT NULL,
            ts                  timestamptz NOT NULL,       -- device time
            received_at         timestamptz NOT NULL,
            geog                geography(Point, 4326) NOT NULL,
            acc                 real,
            alt                 real,
            spd                 real,
            hdg                 real,
            bat                 real,
            cell                bigint NOT NULL,            -- H3 res 11
            polling_station_id  bigint,
            neighbourhood_id    bigint,
            district_id         bigint,
            low_accuracy        boolean NOT NULL DEFAULT false
        ) PARTITION BY RANGE (ts);

        -- Idempotence key: a unique index on a partitioned table must include the partition
        -- key; a resent ping carries the same t, so (volunteer, source, seq, ts) still dedupes.
        CREATE UNIQUE INDEX pings_identity ON pings (volunteer_id, source, seq, ts);
        CREATE INDEX pings_volunteer_ts ON pings (volunteer_id, ts);
        CREATE INDEX pings_cell_ts ON pings (cell, ts);
        CREATE INDEX pings_station_ts ON pings (polling_station_id, ts);
        CREATE INDEX pings_campaign_ts ON pings USING brin (campaign_id, ts);

        -- What survives retention: per campaign, day and H3 cell (res 11, and its res-9
        -- parent rows, res = 9), how many pings and distinct volunteers.
        CREATE TABLE ping_cell_days (
            campaign_id int NOT NULL,
            day         date NOT NULL,
            res         smallint NOT NULL,
            cell        bigint NOT NULL,
            pings       bigint NOT NULL,
            volunteers  int NOT NULL,
            PRIMARY KEY (campaign_id, day, res, cell)
        );

        CREATE FUNCTION pings_ensure_partitions(first_day date, last_day date) RETURNS int
        LANGUAGE plpgsql AS $fn$
        DECLARE
            d date;
            made int := 0;
            name text;
        BEGIN
            -- Serialise concurrent ingest processes: CREATE ... IF NOT EXISTS still races.
            PERFORM pg_advisory_xact_lock(hashtext('pings_partitions'));
            d := first_day;
            WHILE d <= last_day LOOP
                name := 'pings_p' || to_char(d, 'YYYYMMDD');
                IF to_regclass('public.' || name) IS NULL THEN
                    EXECUTE format(
                        'CREATE TABLE %I PARTITION OF pings FOR VALUES FROM (%L) TO (%L)',
                        name, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
                    made := made + 1;
                END IF;
                d := d + 1;
            END LOOP;
            RETURN made;
        END
        $fn$;

        -- Fold every partition whose whole day is before `cutoff` into ping_cell_days, then
        -- drop it; one transaction per call, so a crash leaves either both or neither.
        CREATE FUNCTION pings_retire(cutoff timestamptz) RETURNS int
        LANGUAGE plpgsql AS $fn$
        DECLARE
            part record;
            d date;
            dropped int := 0;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext('pings_partitions'));
            FOR part IN
                SELECT c.relname
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'public.pings'::regclass AND c.relname ~ '^pings_p[0-9]{8}$'
                ORDER BY c.relname
            LOOP
                d := to_date(substr(part.relname, 8), 'YYYYMMDD');
                CONTINUE WHEN (d + 1)::timestamp AT TIME ZONE 'UTC' > cutoff;
                EXECUTE format(
                    'INSERT INTO ping_cell_days (campaign_id, day, res, cell, pings, volunteers)
                     SELECT campaign_id, %L::date, 11, cell, count(*), count(DISTINCT volunteer_id)
                     FROM %I GROUP BY campaign_id, cell
                     ON CONFLICT (campaign_id, day, res, cell) DO UPDATE
                       SET pings = ping_cell_days.pings + EXCLUDED.pings,
                           volunteers = greatest(ping_cell_days.volunteers, EXCLUDED.volunteers)',
                    d, part.relname);
                -- Res-9 parent computed on the bits (no h3-pg here): resolution field
                -- (bits 52-55) := 9, digits 10 and 11 (bits 12-17) := 7 (unused).
                EXECUTE format(
                    'INSERT INTO ping_cell_days (campaign_id, day, res, cell, pings, volunteers)
                     SELECT campaign_id, %L::date, 9,
                            (cell & ~(15::bigint << 52)) | (9::bigint << 52) | 258048,
                            count(*), count(DISTINCT volunteer_id)
                     FROM %I GROUP BY 1, 4
                     ON CONFLICT (campaign_id, day, res, cell) DO UPDATE
                       SET pings = ping_cell_days.pings + EXCLUDED.pings,
                           volunteers = greatest(ping_cell_days.volunteers, EXCLUDED.volunteers)',
                    d, part.relname);
                EXECUTE format('DROP TABLE %I', part.relname);
                dropped := dropped + 1;
            END LOOP;
            RETURN dropped;
        END
        $fn$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION pings_retire(timestamptz);
        DROP FUNCTION pings_ensure_partitions(date, date);
        DROP TABLE ping_cell_days, pings, assignments, team_members, teams;
        """
    )
