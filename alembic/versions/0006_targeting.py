"""Targeting: open-data layers, their per-station features and distance zones, the campaign's
chosen target, and fitted models.

Revision ID: 0006
Revises: 0005

Layers are public data (parks, a population grid); nothing here is about a person.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE layers (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
            kinds       text[] NOT NULL,          -- geometry kinds present: point, line, polygon
            value_field text,                     -- property read into layer_features.value
            weight_field text,                    -- property read into layer_features.weight
            features    int NOT NULL,
            imported_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (campaign_id, name)
        );

        CREATE TABLE layer_features (
            id        bigserial PRIMARY KEY,
            layer_id  bigint NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
            ordinal   int NOT NULL,               -- index in the imported file (features[i])
            geom      geometry(Geometry, 4326) NOT NULL,
            value     double precision,
            weight    double precision,
            -- a point's own size, in metres (from a radius or an area field): distances are then
            -- measured from the edge of the circle, not from the point
            radius_m  double precision NOT NULL DEFAULT 0 CHECK (radius_m >= 0),
            props     jsonb NOT NULL DEFAULT '{}'::jsonb
        );
        CREATE INDEX layer_features_layer ON layer_features (layer_id);
        CREATE INDEX layer_features_geom ON layer_features USING gist (geom);

        -- Per polling station and layer, recomputed after each import of the layer or the areas.
        CREATE TABLE station_layer_features (
            layer_id    bigint NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
            area_id     bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            distance_m  double precision,         -- population centre to the nearest feature
            value_sum   double precision,         -- area-weighted sum of values inside the station
            value_mean  double precision,         -- area-weighted mean of values inside the station
            weighting   text NOT NULL CHECK (weighting IN ('addresses', 'area')),
            PRIMARY KEY (layer_id, area_id)
        );

        -- Corto's query, cached per (layer, distance): the union of the features' buffers ("near"),
        -- and each station's share of area (and of addresses) beyond it.
        CREATE TABLE layer_zones (
            layer_id    bigint NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
            metres      double precision NOT NULL CHECK (metres >= 0),
            near        geometry(MultiPolygon, 4326) NOT NULL,
            computed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (layer_id, metres)
        );
        CREATE TABLE station_zone_shares (
            layer_id        bigint NOT NULL,
            metres          double precision NOT NULL,
            area_id         bigint NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
            share_area      double precision NOT NULL,    -- share of the station's area beyond
            share_addresses double precision,             -- share of its addresses beyond (if any)
            PRIMARY KEY (layer_id, metres, area_id),
            FOREIGN KEY (layer_id, metres) REFERENCES layer_zones ON DELETE CASCADE
        );

        -- The target a campaign chose (camp, mode, factors): dispatch reads it.
        CREATE TABLE campaign_targets (
            campaign_id int PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            target      jsonb NOT NULL,
            updated_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE targeting_models (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            target      text NOT NULL,            -- "ELECTION:LIST" or "ELECTION:abstention"
            used        boolean NOT NULL,         -- false when it did not beat the baseline
            model       jsonb NOT NULL,           -- features, coefficients/importances, metrics, predictions
            fitted_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX targeting_models_campaign ON targeting_models (campaign_id, target, fitted_at DESC);
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP TABLE targeting_models, campaign_targets, station_zone_shares, layer_zones, "
        "station_layer_features, layer_features, layers"
    )
