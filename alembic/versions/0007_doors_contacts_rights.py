"""Doors, contacts and rights: door outcomes, consented contacts with a closed tag vocabulary,
location-sharing consents recorded on the server, one-time invites, and an append-only audit of
reads of personal data; each campaign's retention settings.

Revision ID: 0007
Revises: 0005

Tour reports' free-text `tags` become the campaign's closed vocabulary (`campaign_tags`). No
vocabulary exists yet when this runs, so every stored free-text value is dropped: free text is
where opinions about named people leaked in (GDPR art. 9). The count is logged.
"""

import logging

from alembic import op
from sqlalchemy import text

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    op.execute(
        """
        -- Retention, per campaign (NULL: the server's QUADRILLER_RETENTION_DAYS for locations).
        -- 3 years after the last contact: the CNIL's rule for political communication.
        ALTER TABLE campaigns
            ADD COLUMN location_retention_days int CHECK (location_retention_days >= 1),
            ADD COLUMN contact_retention_days  int NOT NULL DEFAULT 1095 CHECK (contact_retention_days >= 1),
            ADD COLUMN audit_retention_days    int NOT NULL DEFAULT 365 CHECK (audit_retention_days >= 1);

        -- The closed vocabulary of topics a campaign's admin defines: reports and contacts may
        -- carry these and nothing else (the support level, 1 to 5, is a column of its own).
        CREATE TABLE campaign_tags (
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            tag         text NOT NULL CHECK (tag ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
            label_fr    text NOT NULL CHECK (length(label_fr) BETWEEN 1 AND 80),
            label_en    text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 80),
            PRIMARY KEY (campaign_id, tag)
        );

        -- One outcome per door (address) and visit. address_id and area_id survive a re-import
        -- of addresses or areas as NULL: the counts stay, the door is just no longer known.
        CREATE TABLE door_outcomes (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            address_id  bigint REFERENCES addresses(id) ON DELETE SET NULL,
            area_id     bigint REFERENCES areas(id) ON DELETE SET NULL,      -- the polling station
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            team_id     bigint REFERENCES teams(id) ON DELETE SET NULL,
            shift_id    bigint REFERENCES shifts(id) ON DELETE SET NULL,
            outcome     text NOT NULL CHECK (outcome IN ('not_home', 'opened', 'refused', 'later', 'contact')),
            -- the phone's id for this outcome: a resend from the outbox is stored once
            client_id   uuid NOT NULL,
            visited_at  timestamptz NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            UNIQUE (campaign_id, user_id, client_id)
        );
        CREATE INDEX door_outcomes_campaign_visited ON door_outcomes (campaign_id, visited_at);
        CREATE INDEX door_outcomes_address ON door_outcomes (address_id, visited_at);
        CREATE INDEX door_outcomes_user ON door_outcomes (user_id);

        -- People met at the doors who agreed, by ticking the consent box, to be contacted.
        -- No free-text field about a person: topics from the closed vocabulary and a support level.
        CREATE TABLE contacts (
            id              bigserial PRIMARY KEY,
            campaign_id     int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            -- the volunteer who added it; an erased volunteer leaves the contact (it is the
            -- contact's data, given to the campaign), unattributed
            added_by        bigint REFERENCES users(id) ON DELETE SET NULL,
            area_id         bigint REFERENCES areas(id) ON DELETE SET NULL,
            address_id      bigint REFERENCES addresses(id) ON DELETE SET NULL,
            name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
            phone           text CHECK (length(phone) BETWEEN 4 AND 32),
            email           text CHECK (length(email) BETWEEN 3 AND 254),
            topics          text[] NOT NULL DEFAULT '{}',
            support         smallint CHECK (support BETWEEN 1 AND 5),
            consent_version text NOT NULL,
            consent_lang    text NOT NULL CHECK (consent_lang IN ('fr', 'en')),
            consented_at    timestamptz NOT NULL,
            client_id       uuid,
            created_at      timestamptz NOT NULL DEFAULT now(),
            last_contact_at timestamptz NOT NULL DEFAULT now(),
            CHECK (phone IS NOT NULL OR email IS NOT NULL),
            UNIQUE (campaign_id, added_by, client_id)
        );
        CREATE INDEX contacts_campaign_created ON contacts (campaign_id, created_at);
        CREATE INDEX contacts_added_by ON contacts (added_by);

        -- Consent to location sharing, as agreed on the phone: which text version, when, and
        -- when withdrawn. At most one standing consent per volunteer and campaign.
        CREATE TABLE location_consents (
            id           bigserial PRIMARY KEY,
            campaign_id  int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            version      text NOT NULL,
            agreed_at    timestamptz NOT NULL DEFAULT now(),
            withdrawn_at timestamptz,
            CHECK (withdrawn_at IS NULL OR withdrawn_at >= agreed_at)
        );
        CREATE UNIQUE INDEX location_consents_standing ON location_consents (campaign_id, user_id)
            WHERE withdrawn_at IS NULL;

        -- One-time invite links; only the SHA-256 of the secret is kept, as for tokens.
        CREATE TABLE invites (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            team_id     bigint REFERENCES teams(id) ON DELETE SET NULL,
            role        text NOT NULL CHECK (role IN ('admin', 'coordinator', 'volunteer')),
            secret_hash bytea NOT NULL UNIQUE,
            created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            expires_at  timestamptz NOT NULL,
            used_at     timestamptz,
            used_by     bigint REFERENCES users(id) ON DELETE SET NULL
        );
        CREATE INDEX invites_campaign ON invites (campaign_id, created_at);

        -- Who read personal data (live positions, replay, hexes, contacts, exports), when, in
        -- which campaign and scope. Append-only: updates and deletes are refused, except by the
        -- retention job (rows past the campaign's audit retention) and an erasure (the erased
        -- reader's id and login blanked), which set quadriller.audit_maintenance for their
        -- transaction.
        CREATE TABLE audit_log (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            user_id     bigint,   -- no foreign key: the trail outlives an erased account
            login       text,
            action      text NOT NULL,
            scope       jsonb NOT NULL DEFAULT '{}'::jsonb,
            at          timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX audit_log_campaign_at ON audit_log (campaign_id, at);

        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF current_setting('quadriller.audit_maintenance', true) = 'on' THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
                RETURN OLD;  -- the campaign's deletion cascading here
            END IF;
            RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
        END
        $fn$;
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        """
    )
    bind = op.get_bind()
    reports, values = bind.execute(
        text("SELECT count(*), coalesce(sum(cardinality(tags)), 0) FROM tour_reports WHERE cardinality(tags) > 0")
    ).one()
    op.execute("UPDATE tour_reports SET tags = '{}' WHERE cardinality(tags) > 0")
    log.info(
        "tour_reports: %d free-text tag values dropped from %d reports (tags are now the campaign's closed vocabulary)",
        values,
        reports,
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE audit_log, invites, location_consents, contacts, door_outcomes, campaign_tags;
        DROP FUNCTION audit_log_append_only();
        ALTER TABLE campaigns DROP COLUMN location_retention_days, DROP COLUMN contact_retention_days,
            DROP COLUMN audit_retention_days;
        """
    )
