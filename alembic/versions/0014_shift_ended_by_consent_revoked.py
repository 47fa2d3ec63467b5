"""Who ended a shift: also 'consent' (the volunteer withdrew their location consent) and
'revoked' (removed from the campaign by `quadriller users revoke`, or erased).

Revision ID: 0014
Revises: 0013

Until now a withdrawal was recorded as 'volunteer' and a revocation as 'hq', which made the day
report say the volunteer (or HQ) chose to stop. Rows already written keep their value: which of
them were withdrawals was not recorded.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_WIDE = "('volunteer', 'hq', 'timeout', 'consent', 'revoked')"
_NARROW = "('volunteer', 'hq', 'timeout')"


def upgrade() -> None:
    op.execute("ALTER TABLE shifts DROP CONSTRAINT shifts_ended_by_check")
    op.execute(f"ALTER TABLE shifts ADD CONSTRAINT shifts_ended_by_check CHECK (ended_by IN {_WIDE})")


def downgrade() -> None:
    # The narrow vocabulary's nearest words: a withdrawal was the volunteer's, a revocation HQ's.
    op.execute("UPDATE shifts SET ended_by = 'volunteer' WHERE ended_by = 'consent'")
    op.execute("UPDATE shifts SET ended_by = 'hq' WHERE ended_by = 'revoked'")
    op.execute("ALTER TABLE shifts DROP CONSTRAINT shifts_ended_by_check")
    op.execute(f"ALTER TABLE shifts ADD CONSTRAINT shifts_ended_by_check CHECK (ended_by IN {_NARROW})")
