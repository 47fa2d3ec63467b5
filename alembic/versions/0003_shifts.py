"""Shifts: a volunteer is tracked only between the start and the end of a shift.

Revision ID: 0003
Revises: 0002

Privacy by design (GDPR, CNIL guidance on geolocating people at work): locations are taken only
while the volunteer says they are working. Ingest refuses pings outside an open shift, and a
shift left open (a phone that died) counts as ended after `shift_max_hours`.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE shifts (
            id          bigserial PRIMARY KEY,
            campaign_id int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            started_at  timestamptz NOT NULL DEFAULT now(),
            ended_at    timestamptz,
            -- who or what ended it: the volunteer, HQ, or the maximum length
            ended_by    text CHECK (ended_by IN ('volunteer', 'hq', 'timeout')),
            CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
            CHECK (ended_at IS NULL OR ended_at >= started_at)
        );
        -- At most one open shift per volunteer and campaign: two phones (or a retried request)
        -- starting at once get the same shift.
        CREATE UNIQUE INDEX shifts_one_open ON shifts (campaign_id, user_id) WHERE ended_at IS NULL;
        CREATE INDEX shifts_campaign_started ON shifts (campaign_id, started_at);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE shifts")
