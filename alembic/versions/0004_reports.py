"""Tour reports: what a volunteer's tour achieved at the doors.

Revision ID: 0004
Revises: 0003

Counts only, on purpose. A report says how many doors were knocked and opened, how many new
contacts were made and which topics came up; it never says who opened or what they think.
Opinions are special-category data (GDPR art. 9): door-level records would need a consent and
a purpose of their own, and free text is where such data leaks in, so there is none.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE tour_reports (
            id            bigserial PRIMARY KEY,
            campaign_id   int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            shift_id      bigint REFERENCES shifts(id) ON DELETE SET NULL,
            team_id       bigint REFERENCES teams(id) ON DELETE SET NULL,
            area_id       bigint REFERENCES areas(id) ON DELETE SET NULL,   -- the polling station
            -- how the station was chosen: named by the volunteer, the team's assignment, or
            -- where most of the volunteer's pings of the shift fell
            area_source   text CHECK (area_source IN ('given', 'assignment', 'pings')),
            -- the phone's id for this report: a report resent after a lost answer is stored once
            client_id     uuid,
            doors_knocked int NOT NULL CHECK (doors_knocked BETWEEN 0 AND 5000),
            doors_opened  int NOT NULL CHECK (doors_opened BETWEEN 0 AND doors_knocked),
            contacts      int NOT NULL CHECK (contacts BETWEEN 0 AND 5000),
            tags          text[] NOT NULL DEFAULT '{}',
            created_at    timestamptz NOT NULL DEFAULT now(),
            UNIQUE (campaign_id, user_id, client_id)
        );
        CREATE INDEX tour_reports_campaign_created ON tour_reports (campaign_id, created_at);
        CREATE INDEX tour_reports_area ON tour_reports (area_id, created_at);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE tour_reports")
